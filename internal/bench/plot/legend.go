package plot

import (
	"image/color"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// legend is a plotter that draws a boxed legend in the top corner of the
// data area, in columns. gonum's own legend is a single column with no
// background: four entries there took a third of the panel's height and
// ran into the curve and grid lines. Add it last so it draws over them.
type legend struct {
	left    bool // top-left corner, else top-right
	cols    int
	entries []legendEntry
}

// legendEntry is one legend item: its sample mark and its text.
type legendEntry struct {
	label string
	thumb plot.Thumbnailer
}

// add appends an entry.
func (l *legend) add(label string, thumb plot.Thumbnailer) {
	l.entries = append(l.entries, legendEntry{label, thumb})
}

// Plot implements plot.Plotter.
func (l *legend) Plot(c draw.Canvas, _ *plot.Plot) {
	if len(l.entries) == 0 {
		return
	}
	sty := textStyle(12)
	sty.YAlign = draw.YCenter
	em := sty.Width("M")
	thumbW, pad, gap := 2*em, em/2, 1.5*em
	var colW, rowH vg.Length
	for _, e := range l.entries {
		colW = max(colW, thumbW+pad+sty.Width(e.label))
		rowH = max(rowH, sty.Height(e.label)+pad/2)
	}
	cols := min(max(l.cols, 1), len(l.entries))
	rows := (len(l.entries) + cols - 1) / cols
	w := vg.Length(cols)*colW + vg.Length(cols-1)*gap + 2*pad
	h := vg.Length(rows)*rowH + 2*pad

	var r vg.Rectangle
	r.Max.Y = c.Max.Y - margin
	r.Min.Y = r.Max.Y - h
	r.Min.X = c.Min.X + margin
	if !l.left {
		r.Min.X = c.Max.X - margin - w
	}
	r.Max.X = r.Min.X + w
	box := []vg.Point{r.Min, {X: r.Max.X, Y: r.Min.Y}, r.Max, {X: r.Min.X, Y: r.Max.Y}, r.Min}
	c.FillPolygon(color.White, box)
	c.StrokeLines(draw.LineStyle{Color: color.Gray{Y: 0xc0}, Width: vg.Points(0.5)}, box)

	for i, e := range l.entries {
		x := r.Min.X + pad + vg.Length(i%cols)*(colW+gap)
		top := r.Max.Y - pad - vg.Length(i/cols)*rowH
		e.thumb.Thumbnail(&draw.Canvas{Canvas: c.Canvas, Rectangle: vg.Rectangle{
			Min: vg.Point{X: x, Y: top - rowH},
			Max: vg.Point{X: x + thumbW, Y: top},
		}})
		c.FillText(sty, vg.Point{X: x + thumbW + pad, Y: top - rowH/2}, e.label)
	}
}
