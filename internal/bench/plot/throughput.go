package plot

import (
	"image/color"
	"strconv"

	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// maxDotted is the most intervals for which each one is also marked with a
// dot: short runs (and a single interval, which draws no line) stay
// readable, long ones don't turn into a string of beads.
const maxDotted = 60

// formatRate formats a rate compactly with a k or M suffix, so six-digit
// rates don't crowd the axis.
func formatRate(v float64) string {
	suffix := ""
	switch {
	case v >= 1e6 || v <= -1e6:
		v, suffix = v/1e6, "M"
	case v >= 1e3 || v <= -1e3:
		v, suffix = v/1e3, "k"
	}
	return strconv.FormatFloat(v, 'g', 4, 64) + suffix
}

// throughputPlot builds the throughput-over-time panel, with mean, the
// run's throughput as the report prints it, drawn as a dashed line to judge
// the dips against.
func throughputPlot(points []Point, mean float64) (*panel, error) {
	p := newPlot("Throughput over time", "time elapsed (s)", "throughput (msgs/s)")
	p.Y.Min = 0
	p.X.Min = 0
	p.Y.Tick.Marker = relabel(formatRate)
	if len(points) == 0 {
		p.X.Max, p.Y.Max = 1, 1
		return &panel{Plot: p, empty: "no throughput samples recorded"}, nil
	}

	pts := make(plotter.XYs, len(points))
	for i, pt := range points {
		pts[i] = plotter.XY{X: pt.At.Seconds(), Y: pt.MsgsPerSec}
	}
	line, err := plotter.NewLine(pts)
	if err != nil {
		return nil, err
	}
	line.Color = dataColor
	line.Width = vg.Points(2)

	meanLine, err := plotter.NewLine(plotter.XYs{{X: pts[0].X, Y: mean}, {X: pts[len(pts)-1].X, Y: mean}})
	if err != nil {
		return nil, err
	}
	meanLine.Color = color.RGBA{R: 0xd6, G: 0x27, B: 0x28, A: 0xff}
	meanLine.Dashes = []vg.Length{vg.Points(6), vg.Points(4)}

	p.Add(line, meanLine)
	if len(pts) <= maxDotted {
		dots, err := plotter.NewScatter(pts)
		if err != nil {
			return nil, err
		}
		dots.Color, dots.Radius = line.Color, vg.Points(2.5)
		dots.Shape = draw.CircleGlyph{}
		p.Add(dots)
	}
	lg := &legend{cols: 2, avoid: []plotter.XYs{pts, {{X: pts[0].X, Y: mean}, {X: pts[len(pts)-1].X, Y: mean}}}}
	lg.add("msgs/s per interval", line)
	lg.add("mean "+formatRate(mean)+" msgs/s", meanLine)
	p.Add(lg)
	// Headroom above the peak so the legend does not sit on the line.
	_, _, _, yMax := line.DataRange()
	p.Y.Max = yMax * headroom
	return &panel{Plot: p}, nil
}
