package plot

import (
	"bytes"
	"errors"
	"image"
	"image/color"
	"image/png"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/HdrHistogram/hdrhistogram-go"
	"gonum.org/v1/plot/plotter"
)

// synthetic returns a histogram that is mostly ~20µs with a tail to 5ms,
// the shape of a healthy run with occasional stalls.
func synthetic(t testing.TB) *hdrhistogram.Histogram {
	t.Helper()
	h := hdrhistogram.New(1, int64(time.Minute), 3)
	rec := func(v time.Duration, n int64) {
		if err := h.RecordValues(int64(v), n); err != nil {
			t.Fatal(err)
		}
	}
	for i := range 100 {
		rec(15*time.Microsecond+time.Duration(i)*100*time.Nanosecond, 1000)
	}
	for i := range 100 {
		rec(40*time.Microsecond+time.Duration(i)*5*time.Microsecond, 10)
	}
	for i := range 50 {
		rec(time.Millisecond+time.Duration(i)*80*time.Microsecond, 1)
	}
	return h
}

// rates returns 30 seconds of throughput with a dip in the middle.
func rates() []Point {
	var pts []Point
	for i := 1; i <= 30; i++ {
		r := 50000 + 2000*math.Sin(float64(i))
		if i == 15 {
			r = 20000
		}
		pts = append(pts, Point{At: time.Duration(i) * time.Second, MsgsPerSec: r})
	}
	return pts
}

// lineColor is the exact colour of both data lines; a 2pt line has pixels
// of exactly this colour at its centre.
var lineColor = color.RGBA{R: 0x1f, G: 0x77, B: 0xb4, A: 0xff}

// hasLine reports whether a line of lineColor runs across the top or bottom
// half of img: whether that colour appears in most pixel columns. Legend
// thumbnails, markers and dots cover only a fraction of the columns.
func hasLine(img image.Image, top bool) bool {
	b := img.Bounds()
	y0, y1 := b.Min.Y+b.Dy()/2, b.Max.Y
	if top {
		y0, y1 = b.Min.Y, b.Min.Y+b.Dy()/2
	}
	cols := 0
	for x := b.Min.X; x < b.Max.X; x++ {
		for y := y0; y < y1; y++ {
			if color.RGBAModel.Convert(img.At(x, y)) == lineColor {
				cols++
				break
			}
		}
	}
	return cols > b.Dx()*6/10
}

func TestWrite(t *testing.T) {
	full := synthetic(t)
	empty := hdrhistogram.New(1, int64(time.Minute), 3)
	tests := []struct {
		name      string
		file      string
		h         *hdrhistogram.Histogram
		points    []Point
		mean      float64 // the run's throughput
		wantLat   bool    // latency curve drawn
		wantThr   bool    // throughput line drawn
		wantInSVG []string
		notInSVG  []string
	}{
		{name: "png", file: "run.png", h: full, points: rates(), wantLat: true, wantThr: true},
		{name: "png upper-case extension", file: "run.PNG", h: full, points: rates(), wantLat: true, wantThr: true},
		{name: "png empty histogram", file: "run.png", h: empty, points: rates(), wantThr: true},
		{name: "png nil histogram no points", file: "run.png"},
		{
			name: "svg single point", file: "run.svg", h: full, points: rates()[:1], mean: 51680,
			wantInSVG: []string{"<svg", "mean 51.68k msgs/s"},
		},
		{
			// The dashed line is the run's throughput as given (the
			// report's), not something worked out again from the steps.
			name: "svg mean as given", file: "run.svg", h: full,
			points: []Point{{At: time.Second, MsgsPerSec: 100}, {At: 3 * time.Second, MsgsPerSec: 10}}, mean: 40,
			wantInSVG: []string{"mean 40 msgs/s"}, notInSVG: []string{"mean 55 msgs/s"},
		},
		{
			name: "svg", file: "run.svg", h: full, points: rates(),
			wantInSVG: []string{"<svg", "bench 3 clients", "0%", "50%", "90%", "99%", "99.9%", "99.99%",
				"latency (log scale)", "percentile", "p50 = ", "p99 = ", "p99.9 = ", "max = ",
				"throughput (msgs/s)", "time elapsed (s)", "mean "},
			notInSVG: []string{"no latency samples", "no throughput samples"},
		},
		{
			name: "svg empty", file: "run.svg", h: empty,
			wantInSVG: []string{"<svg", "99.99%", "no latency samples recorded", "no throughput samples recorded"},
			notInSVG:  []string{"p50 = "},
		},
		{
			name: "svg log latency ticks for a long tail", file: "run.svg", h: func() *hdrhistogram.Histogram {
				h := synthetic(t)
				_ = h.RecordValue(int64(50 * time.Millisecond))
				return h
			}(), points: rates(),
			// The body and the tail both on the axis: from µs to beyond the
			// 50 ms maximum, each tick in its own unit.
			wantInSVG: []string{"latency (log scale)", "max = 50.0 ms", ">10 µs<", ">1 ms<", ">50 ms<"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), tt.file)
			if err := Write(path, "bench 3 clients", tt.h, tt.points, tt.mean); err != nil {
				t.Fatalf("Write: %v", err)
			}
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if strings.EqualFold(filepath.Ext(tt.file), ".svg") {
				s := string(data)
				for _, w := range tt.wantInSVG {
					if !strings.Contains(s, w) {
						t.Errorf("SVG lacks %q", w)
					}
				}
				for _, w := range tt.notInSVG {
					if strings.Contains(s, w) {
						t.Errorf("SVG unexpectedly contains %q", w)
					}
				}
				return
			}
			img, err := png.Decode(bytes.NewReader(data))
			if err != nil {
				t.Fatalf("decoding PNG: %v", err)
			}
			if got := img.Bounds().Size(); got != (image.Point{X: 1024, Y: 1024}) {
				t.Errorf("PNG size = %v, want 1024x1024", got)
			}
			if got := hasLine(img, true); got != tt.wantLat {
				t.Errorf("latency curve drawn = %v, want %v", got, tt.wantLat)
			}
			if got := hasLine(img, false); got != tt.wantThr {
				t.Errorf("throughput line drawn = %v, want %v", got, tt.wantThr)
			}
		})
	}
}

func TestWriteErrors(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name    string
		path    string
		points  []Point
		want    []string
		wantIs  error
		created bool
	}{
		{name: "jpeg", path: filepath.Join(dir, "run.jpg"), want: []string{"run.jpg", ".png or .svg"}},
		{name: "no extension", path: filepath.Join(dir, "run"), want: []string{"run", ".png or .svg"}},
		{name: "missing directory", path: filepath.Join(dir, "nope", "run.png"), want: []string{"nope/run.png"}, wantIs: fs.ErrNotExist},
		{
			name: "NaN throughput", path: filepath.Join(dir, "nan.png"),
			points: []Point{{At: time.Second, MsgsPerSec: math.NaN()}},
			want:   []string{"nan.png", "throughput"}, wantIs: plotter.ErrNaN,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := Write(tt.path, "t", synthetic(t), tt.points, 0)
			if err == nil {
				t.Fatal("Write succeeded, want error")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %q", err, w)
				}
			}
			if tt.wantIs != nil && !errors.Is(err, tt.wantIs) {
				t.Errorf("error %v is not %v", err, tt.wantIs)
			}
			if _, err := os.Stat(tt.path); err == nil {
				t.Errorf("%s was created despite the error", tt.path)
			}
		})
	}
}

func TestPercentileTicks(t *testing.T) {
	var got []string
	for _, tk := range percentileTicks(4) {
		if tk.Label != "" {
			got = append(got, tk.Label)
		}
	}
	want := "0% 50% 90% 99% 99.9% 99.99%"
	if strings.Join(got, " ") != want {
		t.Errorf("labels = %q, want %q", strings.Join(got, " "), want)
	}
}

func TestFormatLatency(t *testing.T) {
	tests := []struct {
		ns   int64
		want string
	}{
		{800, "800 ns"},
		{20_031, "20.0 µs"},
		{4_993_000, "4.99 ms"},
		{999_499, "999 µs"},
		{12_000_000_000, "12.0 s"},
	}
	for _, tt := range tests {
		if got := formatLatency(tt.ns); got != tt.want {
			t.Errorf("formatLatency(%d) = %q, want %q", tt.ns, got, tt.want)
		}
	}
}

// TestSample writes a sample image from synthetic data to $PLOT_SAMPLE, for
// looking at the plot by eye: PLOT_SAMPLE=/tmp/plot-sample.png go test -run Sample
func TestSample(t *testing.T) {
	path := os.Getenv("PLOT_SAMPLE")
	if path == "" {
		t.Skip("PLOT_SAMPLE not set")
	}
	if err := Write(path, "upcase bench: 8 conns, 50k msgs/s target, 30s", synthetic(t), rates(), 50000); err != nil {
		t.Fatal(err)
	}
}

func TestLatencyTicks(t *testing.T) {
	var labels []string
	for _, tk := range latencyTicks(1e4, 6e7) {
		if tk.Label != "" {
			labels = append(labels, tk.Label)
		}
	}
	want := []string{"10 µs", "20 µs", "50 µs", "100 µs", "200 µs", "500 µs", "1 ms", "2 ms", "5 ms", "10 ms", "20 ms", "50 ms"}
	if strings.Join(labels, "|") != strings.Join(want, "|") {
		t.Errorf("labels %q; want %q", labels, want)
	}
	if n := len(latencyTicks(1e4, 6e7)); n != 9*3+6 {
		t.Errorf("%d ticks from 10 µs to 60 ms; want every digit of each decade", n)
	}
	// From a bound that is no power of ten, ticks stay on round values.
	if got := latencyTicks(3e4, 1e5); len(got) != 8 || got[0].Value != 3e4 || got[0].Label != "" || got[2].Label != "50 µs" {
		t.Errorf("ticks from 30 µs: %v; want 30 (unlabelled) to 100 µs, 50 µs labelled", got)
	}
}
