package plot

import (
	"image/color"
	"math"
	"strconv"

	"github.com/HdrHistogram/hdrhistogram-go"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// The percentile axis is x = 1/(1-p), log scaled, as HdrHistogram and wrk2
// plot it: each decade is one more "nine" (90%, 99%, 99.9%, ...), so the
// tail gets as much room as the median. It always reaches 99.99% so plots
// of different runs line up, and extends to at most 99.99999%, beyond which
// even a long run has too few samples to say anything.
const (
	minNines = 4
	maxNines = 7
)

// unit is a latency unit for the y axis.
type unit struct {
	name string
	ns   float64
}

var (
	nanos  = unit{"ns", 1}
	micros = unit{"µs", 1e3}
	millis = unit{"ms", 1e6}
	secs   = unit{"s", 1e9}
)

// unitFor gives the unit that keeps ns between 1 and 1000 (seconds for
// anything longer).
func unitFor(ns int64) unit {
	for _, c := range []unit{nanos, micros, millis} {
		if float64(ns) < 1000*c.ns {
			return c
		}
	}
	return secs
}

// formatLatency formats ns with three significant digits in the unit that
// keeps it between 1 and 1000.
func formatLatency(ns int64) string {
	u := unitFor(ns)
	v := float64(ns) / u.ns
	prec := 0
	switch {
	case v < 10:
		prec = 2
	case v < 100:
		prec = 1
	}
	return strconv.FormatFloat(v, 'f', prec, 64) + " " + u.name
}

// percentileX maps percentile pct (0..100) to its position on the axis.
func percentileX(pct float64) float64 { return 100 / (100 - pct) }

// percentileTicks labels each power of ten on the axis with its percentile
// (1 → 0%, 10 → 90%, 100 → 99%, ...), plus 2 → 50% for the median, with
// unlabelled minor ticks between.
func percentileTicks(nines int) plot.ConstantTicks {
	ticks := plot.ConstantTicks{{Value: 1, Label: "0%"}}
	for k := 0; k < nines; k++ {
		decade := math.Pow10(k)
		for i := 2; i < 10; i++ {
			ticks = append(ticks, plot.Tick{Value: float64(i) * decade})
		}
		next := 10 * decade
		label := strconv.FormatFloat(100-100/next, 'f', max(0, k-1), 64) + "%"
		ticks = append(ticks, plot.Tick{Value: next, Label: label})
	}
	ticks[1].Label = "50%"
	return ticks
}

// latencyPlot builds the latency-by-percentile panel from h (nanoseconds).
// The latency axis is log scaled too: a linear one puts p50 = 56 µs on the
// zero line when the maximum is 16 ms, and the body of the distribution is
// what most runs are about. Each tick is labelled in its own unit.
func latencyPlot(h *hdrhistogram.Histogram) (*panel, error) {
	p := newPlot("Latency by percentile", "percentile", "latency (log scale)")
	p.X.Scale = plot.LogScale{}

	if h == nil || h.TotalCount() == 0 {
		p.X.Min, p.X.Max = 1, math.Pow10(minNines)
		p.X.Tick.Marker = percentileTicks(minNines)
		p.Y.Min, p.Y.Max = 0, 1
		p.Y.Tick.Marker = plot.ConstantTicks{}
		return &panel{Plot: p, empty: "no latency samples recorded"}, nil
	}

	nines := int(math.Ceil(math.Log10(float64(h.TotalCount()))))
	nines = min(max(nines, minNines), maxNines)
	xMax := math.Pow10(nines)
	p.X.Min, p.X.Max = 1, xMax
	p.X.Tick.Marker = percentileTicks(nines)

	minNs, maxNs := max(h.Min(), 1), max(h.Max(), 1)
	var pts plotter.XYs
	for _, b := range h.CumulativeDistributionWithTicks(5) {
		if x := percentileX(b.Quantile); b.Quantile < 100 && x < xMax {
			pts = append(pts, plotter.XY{X: x, Y: float64(max(b.ValueAt, 1))})
		}
	}
	// The maximum is the 100th percentile, infinitely far right: pin it
	// to the axis end.
	pts = append(pts, plotter.XY{X: xMax, Y: float64(maxNs)})
	line, err := plotter.NewLine(pts)
	if err != nil {
		return nil, err
	}
	line.Color = dataColor
	line.Width = vg.Points(2)
	p.Add(line)

	lg := &legend{left: true, cols: 2, avoid: []plotter.XYs{pts}}
	if err := addMarkers(p, lg, h, xMax); err != nil {
		return nil, err
	}
	p.Add(lg)
	// From the decade below the minimum; above the maximum, headroom in
	// log terms (a third of the data's span, at least half a decade) keeps
	// the top-left legend clear of the curve.
	p.Y.Scale = plot.LogScale{}
	p.Y.Min = math.Pow10(int(math.Floor(math.Log10(float64(minNs)))))
	span := math.Log10(float64(maxNs)) - math.Log10(p.Y.Min)
	p.Y.Max = float64(maxNs) * math.Pow(10, max(span/3, 0.5))
	p.Y.Tick.Marker = latencyTicks(p.Y.Min, p.Y.Max)
	return &panel{Plot: p}, nil
}

// latencyTicks marks a log latency axis from lo to hi (nanoseconds): 1, 2
// and 5 of each decade labelled in the unit that suits them ("50 µs",
// "1 ms"), the other digits unlabelled.
func latencyTicks(lo, hi float64) plot.ConstantTicks {
	var ticks plot.ConstantTicks
	for decade := math.Pow10(int(math.Floor(math.Log10(lo)))); decade <= hi; decade *= 10 {
		for d := 1; d < 10; d++ {
			v := float64(d) * decade
			if v < lo || v > hi {
				continue
			}
			t := plot.Tick{Value: v}
			if d == 1 || d == 2 || d == 5 {
				t.Label = formatTick(int64(math.Round(v)))
			}
			ticks = append(ticks, t)
		}
	}
	return ticks
}

// formatTick labels a round latency: "50 µs", "1 ms", "200 ns".
func formatTick(ns int64) string {
	u := unitFor(ns)
	return strconv.FormatFloat(float64(ns)/u.ns, 'f', -1, 64) + " " + u.name
}

// addMarkers marks p50, p99, p99.9 and the maximum on the curve, with their
// values in the legend so they can be read exactly. Each marker sits on a
// white disc of its own shape, a little larger: a hollow marker on a flat
// stretch of the curve would otherwise have the line run through it and
// vanish.
func addMarkers(p *plot.Plot, lg *legend, h *hdrhistogram.Histogram, xMax float64) error {
	marks := []struct {
		name        string
		pct         float64
		shape, halo draw.GlyphDrawer
		color       color.RGBA
	}{
		{"p50", 50, draw.CircleGlyph{}, draw.CircleGlyph{}, color.RGBA{G: 0x99, A: 0xff}},
		{"p99", 99, draw.SquareGlyph{}, draw.BoxGlyph{}, color.RGBA{R: 0xe6, G: 0x8a, A: 0xff}},
		{"p99.9", 99.9, draw.TriangleGlyph{}, draw.PyramidGlyph{}, color.RGBA{R: 0xd6, G: 0x27, B: 0x28, A: 0xff}},
		{"max", 100, draw.PyramidGlyph{}, draw.PyramidGlyph{}, color.RGBA{R: 0x80, B: 0x80, A: 0xff}},
	}
	for _, m := range marks {
		ns := h.ValueAtQuantile(m.pct)
		x := xMax
		if m.pct < 100 {
			x = percentileX(m.pct)
		}
		at := plotter.XYs{{X: x, Y: float64(ns)}}
		halo, err := plotter.NewScatter(at)
		if err != nil {
			return err
		}
		halo.Shape, halo.Color, halo.Radius = m.halo, color.White, vg.Points(6)
		s, err := plotter.NewScatter(at)
		if err != nil {
			return err
		}
		s.Shape, s.Color, s.Radius = m.shape, m.color, vg.Points(4.5)
		p.Add(halo, s)
		lg.avoid = append(lg.avoid, at)
		lg.add(m.name+" = "+formatLatency(ns), s)
	}
	return nil
}
