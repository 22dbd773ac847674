package plot

import (
	"testing"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
)

func TestCrosses(t *testing.T) {
	r := vg.Rectangle{Min: vg.Point{X: 10, Y: 10}, Max: vg.Point{X: 20, Y: 20}}
	pt := func(x, y vg.Length) vg.Point { return vg.Point{X: x, Y: y} }
	for _, c := range []struct {
		name string
		a, b vg.Point
		want bool
	}{
		{"through, both ends outside", pt(0, 15), pt(30, 15), true},
		{"diagonal through the corner region", pt(0, 0), pt(30, 30), true},
		{"ends inside", pt(0, 0), pt(15, 15), true},
		{"passes below", pt(0, 5), pt(30, 5), false},
		{"passes beside, steep", pt(25, 0), pt(25, 30), false},
		{"stops short", pt(0, 15), pt(9, 15), false},
		{"diagonal missing the corner", pt(0, 25), pt(25, 50), false},
		{"a point", pt(15, 15), pt(15, 15), true},
	} {
		if got := crosses(r, c.a, c.b); got != c.want {
			t.Errorf("%s: crosses(%v, %v) = %v, want %v", c.name, c.a, c.b, got, c.want)
		}
	}
}

// TestLegendPlace: the legend goes to the first corner clear of the data,
// so a curve or a marker under the preferred corner moves it.
func TestLegendPlace(t *testing.T) {
	const w, h = 200, 100 // the data area is about 400 by 300 points
	for _, c := range []struct {
		name     string
		left     bool
		avoid    []plotter.XYs
		wantLeft bool
		wantTop  bool
	}{
		{"nothing to avoid", true, nil, true, true},
		{"low curve: top-left", true, []plotter.XYs{{{X: 0, Y: 0}, {X: 1, Y: 0.2}}}, true, true},
		{"low curve, top-right preferred", false, []plotter.XYs{{{X: 0, Y: 0}, {X: 1, Y: 0.2}}}, false, true},
		// a latency tail: flat, then up at the right, then high to the end.
		{"tail high on the right: top-left", true, []plotter.XYs{{{X: 0, Y: 0}, {X: 0.7, Y: 0.1}, {X: 0.8, Y: 0.95}, {X: 1, Y: 1}}}, true, true},
		// it climbs early and stays high: the top is taken, the bottom right is free.
		{"climbs early: bottom-right", true, []plotter.XYs{{{X: 0, Y: 0}, {X: 0.05, Y: 0.9}, {X: 1, Y: 0.95}}}, false, false},
		{"a marker under the top-left", true, []plotter.XYs{{{X: 0, Y: 0}, {X: 1, Y: 0.1}}, {{X: 0.2, Y: 0.9}}}, false, true},
		{"everywhere: the preferred corner", true, []plotter.XYs{{{X: 0, Y: 1}, {X: 1, Y: 0}}, {{X: 0, Y: 0}, {X: 1, Y: 1}}}, true, true},
	} {
		p := plot.New()
		p.X.Min, p.X.Max, p.Y.Min, p.Y.Max = 0, 1, 0, 1
		dc := draw.New(vgimg.New(400, 300))
		lg := &legend{left: c.left, avoid: c.avoid}
		r := lg.place(dc, p, w, h)
		left, top := r.Min.X == dc.Min.X+margin, r.Max.Y == dc.Max.Y-margin
		if left != c.wantLeft || top != c.wantTop {
			t.Errorf("%s: legend at %v (left %v, top %v); want left %v, top %v", c.name, r, left, top, c.wantLeft, c.wantTop)
		}
	}
}
