package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/upcase/upcase/internal/dissect/tsharktest"
	"github.com/upcase/upcase/internal/trace/demo"
)

// TestTraceTshark captures every scenario afresh with upcase trace --pcap,
// on lo and, for the scenarios on lo, over IPv6 too, and checks every frame
// of every file it writes (two for gateway: one per link) against what
// Wireshark's tshark shows of it: each layer's and field's name, offset,
// length, bit mask and value (tsharktest.File), as TestTshark in
// internal/dissect does for the pcaps committed there. It is skipped where
// tshark is not installed or the kernel gives no network namespaces, except
// in CI (CI=true), where it fails.
func TestTraceTshark(t *testing.T) {
	tshark := tsharktest.Path(t)
	type run struct {
		name string
		args []string
	}
	var runs []run
	for _, sc := range demo.Scenarios {
		runs = append(runs, run{string(sc), []string{"--scenario=" + string(sc)}})
		if !sc.LinkLayer() {
			runs = append(runs, run{string(sc) + "6", []string{"--scenario=" + string(sc), "--ipv6"}})
		}
	}
	var all tsharktest.Counts
	for _, r := range runs {
		t.Run(r.name, func(t *testing.T) {
			dir := t.TempDir()
			args := append([]string{"trace", "--pcap=" + filepath.Join(dir, r.name+".pcap")}, r.args...)
			out, err := exec.Command("upcase", args...).CombinedOutput()
			if err != nil {
				if os.Getenv("CI") != "true" && strings.Contains(string(out), "namespace") {
					t.Skipf("upcase trace cannot run here: %s", out)
				}
				t.Fatalf("upcase %v: %v\n%s", args, err, out)
			}
			files, err := filepath.Glob(filepath.Join(dir, "*.pcap"))
			if err != nil {
				t.Fatal(err)
			}
			if want := 1 + strings.Count(r.name, "gateway"); len(files) != want {
				t.Fatalf("upcase %v wrote %q; want %d pcap files", args, files, want)
			}
			for _, f := range files {
				c := tsharktest.File(t, tshark, f)
				if c.Frames == 0 {
					t.Errorf("%s: no frames", filepath.Base(f))
				}
				t.Logf("%s: %v", filepath.Base(f), c)
				all.Add(c)
			}
		})
	}
	t.Logf("all scenarios: %v", all)
}
