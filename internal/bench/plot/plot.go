// Package plot renders the results of an `upcase bench` run as a single
// image: latency by percentile on top, throughput over time below.
//
// Empty inputs are not an error: a nil or empty histogram, or no
// throughput points, still yields a valid image whose empty panel says
// "no samples recorded". A run that fails early should still leave a
// labelled artifact behind rather than no file at all.
package plot

import (
	"bytes"
	"fmt"
	"image/color"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/HdrHistogram/hdrhistogram-go"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
	"gonum.org/v1/plot/vg/vgsvg"
)

// Point is the throughput measured over one interval of a run. At is the
// time elapsed since the run started, at the end of the interval, so the
// points can be drawn against a "seconds elapsed" axis.
type Point struct {
	At         time.Duration
	MsgsPerSec float64
}

// Image geometry. 8in square at 128 dpi gives a 1024x1024 PNG, large
// enough to read the percentile tick labels without zooming.
const (
	width  = 8 * vg.Inch
	height = 8 * vg.Inch
	dpi    = 128
	margin = vg.Length(10)

	// headroom scales the throughput panel's y axis above its data
	// maximum, leaving a band at the top where the legend cannot overlap
	// the data. (The latency panel's log axis has headroom of its own.)
	headroom = 1.45
)

// Write renders the run's latency percentile plot (from h, whose values are
// latencies in nanoseconds) and its throughput over time into one image file
// at path, titled title. The format is chosen by path's extension, .png or
// .svg, so the caller controls it with the file name alone. Any other
// extension is an error, and the file is only created once rendering has
// succeeded. A nil or empty h and an empty throughput are rendered as
// panels saying "no samples recorded" (see the package comment). mean is
// the run's throughput, as its report gives it: the dashed line over the
// timeline.
func Write(path, title string, h *hdrhistogram.Histogram, throughput []Point, mean float64) error {
	cw, err := newCanvas(path)
	if err != nil {
		return err
	}
	if err := render(draw.New(cw), title, h, throughput, mean); err != nil {
		return fmt.Errorf("plot %s: %w", path, err)
	}
	var buf bytes.Buffer
	if _, err := cw.WriteTo(&buf); err != nil {
		return fmt.Errorf("plot %s: encoding: %w", path, err)
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		return fmt.Errorf("plot %s: %w", path, err)
	}
	return nil
}

// newCanvas returns an empty canvas for the image format named by path's
// extension.
func newCanvas(path string) (vg.CanvasWriterTo, error) {
	switch ext := strings.ToLower(filepath.Ext(path)); ext {
	case ".png":
		return vgimg.PngCanvas{Canvas: vgimg.NewWith(vgimg.UseWH(width, height), vgimg.UseDPI(dpi))}, nil
	case ".svg":
		return vgsvg.New(width, height), nil
	default:
		return nil, fmt.Errorf("plot %s: unsupported extension %q: want .png or .svg", path, ext)
	}
}

// dataColor is the colour of each panel's data line.
var dataColor = color.RGBA{R: 0x1f, G: 0x77, B: 0xb4, A: 0xff}

// render draws the title and both panels onto c.
func render(c draw.Canvas, title string, h *hdrhistogram.Histogram, throughput []Point, mean float64) error {
	c.FillPolygon(color.White, []vg.Point{
		c.Min, {X: c.Max.X, Y: c.Min.Y}, c.Max, {X: c.Min.X, Y: c.Max.Y},
	})

	titleStyle := textStyle(16)
	titleStyle.XAlign = draw.XCenter
	titleStyle.YAlign = draw.YTop
	c.FillText(titleStyle, vg.Point{X: c.Center().X, Y: c.Max.Y - margin}, title)
	c = draw.Crop(c, 0, 0, 0, -(titleStyle.Height(title) + margin))

	lat, err := latencyPlot(h)
	if err != nil {
		return fmt.Errorf("latency panel: %w", err)
	}
	thr, err := throughputPlot(throughput, mean)
	if err != nil {
		return fmt.Errorf("throughput panel: %w", err)
	}
	tiles := draw.Tiles{Rows: 2, Cols: 1, PadTop: margin, PadBottom: margin,
		PadLeft: margin, PadRight: 2 * margin, PadY: 3 * margin}
	for i, p := range []*panel{lat, thr} {
		p.draw(tiles.At(c, 0, i))
	}
	return nil
}

// panel is a plot plus the message to show over its data area when it has
// no data.
type panel struct {
	*plot.Plot
	empty string
}

// draw draws the panel onto c.
func (p *panel) draw(c draw.Canvas) {
	p.Draw(c)
	if p.empty == "" {
		return
	}
	sty := textStyle(14)
	sty.Color = color.Gray{Y: 0x60}
	sty.XAlign = draw.XCenter
	sty.YAlign = draw.YCenter
	da := p.DataCanvas(c)
	da.FillText(sty, da.Center(), p.empty)
}

// textStyle returns the default plot font at size points.
func textStyle(size vg.Length) text.Style {
	return text.Style{
		Color:   color.Black,
		Font:    font.From(plot.DefaultFont, size),
		Handler: plot.DefaultTextHandler,
	}
}

// newPlot returns a plot with the panel title and axis labels set and
// grid lines drawn, the style both panels share.
func newPlot(title, xLabel, yLabel string) *plot.Plot {
	p := plot.New()
	p.Title.Text = title
	p.Title.TextStyle.Font.Size = 13
	p.Title.Padding = margin
	p.X.Label.Text = xLabel
	p.Y.Label.Text = yLabel
	p.X.Padding, p.Y.Padding = 0, 0
	p.Add(plotter.NewGrid())
	return p
}

// relabel is a plot.Ticker that places ticks like plot.DefaultTicks but
// writes their labels with itself: DefaultTicks gives every label the same
// precision ("0.00", "25.00").
type relabel func(float64) string

// Ticks implements plot.Ticker.
func (f relabel) Ticks(lo, hi float64) []plot.Tick {
	ticks := plot.DefaultTicks{}.Ticks(lo, hi)
	for i := range ticks {
		if ticks[i].Label != "" {
			ticks[i].Label = f(ticks[i].Value)
		}
	}
	return ticks
}
