package plot

import (
	"image/color"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// legend is a plotter that draws a boxed legend in a corner of the data
// area, in columns. gonum's own legend is a single column with no
// background: four entries there took a third of the panel's height and
// ran into the curve and grid lines. Add it last so it draws over them.
//
// The corner is the first of the preferred top one, the other top one,
// bottom-right and bottom-left whose box stays clear of the data (avoid):
// headroom above the data keeps a top corner clear as a rule, but a curve
// that climbs early (a latency tail) can still reach into it, and a marker
// under the box could not be read.
type legend struct {
	left    bool // prefer the top-left corner, else top-right
	cols    int
	entries []legendEntry
	avoid   []plotter.XYs // polylines and points, in data coordinates, the box must not cover
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
func (l *legend) Plot(c draw.Canvas, plt *plot.Plot) {
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

	r := l.place(c, plt, w, h)
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

// clearance is how far the legend's box keeps from the data it avoids: the
// largest marker's radius and a little air.
const clearance = 8

// place returns the legend's box, w by h, in the data area c of plt: the
// first corner, in the legend's order, clear of what it avoids, else the
// preferred one.
func (l *legend) place(c draw.Canvas, plt *plot.Plot, w, h vg.Length) vg.Rectangle {
	at := func(left, top bool) vg.Rectangle {
		var r vg.Rectangle
		r.Min.X, r.Min.Y = c.Min.X+margin, c.Min.Y+margin
		if !left {
			r.Min.X = c.Max.X - margin - w
		}
		if top {
			r.Min.Y = c.Max.Y - margin - h
		}
		r.Max = vg.Point{X: r.Min.X + w, Y: r.Min.Y + h}
		return r
	}
	corners := []vg.Rectangle{at(l.left, true), at(!l.left, true), at(false, false), at(true, false)}
	if len(l.avoid) == 0 {
		return corners[0]
	}
	trX, trY := plt.Transforms(&c)
	var paths [][]vg.Point
	for _, xys := range l.avoid {
		path := make([]vg.Point, len(xys))
		for i, xy := range xys {
			path[i] = vg.Point{X: trX(xy.X), Y: trY(xy.Y)}
		}
		paths = append(paths, path)
	}
	for _, r := range corners {
		if !covers(grow(r, clearance), paths) {
			return r
		}
	}
	return corners[0]
}

// grow returns r with d more on every side.
func grow(r vg.Rectangle, d vg.Length) vg.Rectangle {
	return vg.Rectangle{Min: vg.Point{X: r.Min.X - d, Y: r.Min.Y - d}, Max: vg.Point{X: r.Max.X + d, Y: r.Max.Y + d}}
}

// covers reports whether r covers any part of the paths: a piece of a
// segment between two points, or a point alone (a path of one point is a
// marker).
func covers(r vg.Rectangle, paths [][]vg.Point) bool {
	for _, path := range paths {
		for i := range path {
			if crosses(r, path[max(i-1, 0)], path[i]) {
				return true
			}
		}
	}
	return false
}

// crosses reports whether the segment from a to b passes through r, by
// clipping it to r's slab in x, then in y (Liang and Barsky's method).
func crosses(r vg.Rectangle, a, b vg.Point) bool {
	t0, t1 := 0.0, 1.0
	clip := func(p, q float64) bool { // the part where t*p <= q
		switch {
		case p == 0:
			return q >= 0
		case p < 0:
			t0 = max(t0, q/p)
		default:
			t1 = min(t1, q/p)
		}
		return t0 <= t1
	}
	dx, dy := float64(b.X-a.X), float64(b.Y-a.Y)
	return clip(-dx, float64(a.X-r.Min.X)) && clip(dx, float64(r.Max.X-a.X)) &&
		clip(-dy, float64(a.Y-r.Min.Y)) && clip(dy, float64(r.Max.Y-a.Y))
}
