// Package tsharktest compares internal/dissect's dissection of the frames
// of a pcap file with what Wireshark's tshark shows of the same frames
// (tshark -T json -x), field by field: where its bytes lie (offset, length,
// bit mask) and its value. It is imported only from tests: internal/dissect
// runs it on the pcaps committed in its testdata, and cmd/upcase on pcaps
// that upcase trace captures on the machine running the tests.
package tsharktest

import (
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"testing"

	"github.com/upcase/upcase/internal/dissect"
	"github.com/upcase/upcase/internal/pcap"
)

// Path returns the path of tshark. Where it is not installed the test is
// skipped, except in CI (CI=true), where .ci/run installs it and the test
// fails.
func Path(t testing.TB) string {
	t.Helper()
	path, err := exec.LookPath("tshark")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("CI=true, so tshark must be installed (.ci/run installs it): %v", err)
		}
		t.Skipf("skipped (set CI=true to make this a failure): %v", err)
	}
	return path
}

// Counts are how much of Dissect's output was compared with tshark's, and
// how much agreed.
type Counts struct {
	// Frames is the number of frames dissected.
	Frames int
	// Placed is the number of layers and fields whose offset, length and
	// mask were compared; PlacedAgree of them agreed.
	Placed, PlacedAgree int
	// Values is the number of fields whose value was compared; ValuesAgree
	// of them agreed.
	Values, ValuesAgree int
	// Unvalued is the number of fields placed whose value was not compared:
	// tshark gives them none (ipv6.hopopts, ah: subtrees).
	Unvalued int
	// Missing holds the names tshark shows with bytes that Dissect does not
	// produce: what it could learn next.
	Missing map[string]bool
}

// Add adds o's counts to c's.
func (c *Counts) Add(o Counts) {
	c.Frames += o.Frames
	c.Placed += o.Placed
	c.PlacedAgree += o.PlacedAgree
	c.Values += o.Values
	c.ValuesAgree += o.ValuesAgree
	c.Unvalued += o.Unvalued
	if c.Missing == nil {
		c.Missing = map[string]bool{}
	}
	maps.Copy(c.Missing, o.Missing)
}

// String sums the counts up in one line.
func (c Counts) String() string {
	return fmt.Sprintf("%d frames; fields and layers placed as tshark does: %d of %d; field values as tshark's: %d of %d (%d fields that tshark gives no value)",
		c.Frames, c.PlacedAgree, c.Placed, c.ValuesAgree, c.Values, c.Unvalued)
}

// MissingNames lists Missing in order.
func (c Counts) MissingNames() []string {
	return slices.Sorted(maps.Keys(c.Missing))
}

// File dissects every frame of the pcap file at path and compares each
// with what tshark shows of it: every field name Dissect produces must be
// one tshark shows for that frame, its offset, length and (where tshark
// gives one) bit mask must agree, and so must its value, as Values
// describes. Each disagreement is an error of t.
func File(t testing.TB, tshark, path string) Counts {
	t.Helper()
	frames, err := readFrames(path)
	if err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(tshark, "-r", path, "-o", "tcp.relative_sequence_numbers:FALSE", "-T", "json", "-x").Output() // its stderr warns about root
	if err != nil {
		t.Fatalf("tshark -r %s: %v", path, err)
	}
	packets, err := parse(out)
	if err != nil {
		t.Fatalf("tshark -r %s: %v", path, err)
	}
	if len(packets) != len(frames) {
		t.Fatalf("%s: tshark shows %d frames, the file has %d", path, len(packets), len(frames))
	}
	c := Counts{Frames: len(frames), Missing: map[string]bool{}}
	for i, b := range frames {
		c.frame(t, fmt.Sprintf("%s frame %d", filepath.Base(path), i+1), b, packets[i])
	}
	return c
}

// frame compares the dissection of one frame, b, with tshark's, ws.
func (c *Counts) frame(t testing.TB, where string, b []byte, ws packet) {
	t.Helper()
	f, err := dissect.Dissect(b)
	if err != nil {
		t.Errorf("%s: %v", where, err)
	}
	_, fragment := f.Field("ipv6.fraghdr")
	for _, l := range f.Layers {
		got := place{l.Offset, l.Length, 0}
		if fragment && l.Name == "ipv6" {
			// tshark shows the fragment header of a fragment it does not
			// reassemble inside the ipv6 layer but leaves it out of the
			// layer's bytes; Dissect keeps every field inside its layer.
			got.length = 40
		}
		c.compare(t, where, ws, "layer", l.Name, got, nil)
	}
	produced := map[string]bool{}
	f.Walk(func(_ dissect.Layer, fd dissect.Field) {
		produced[fd.Name] = true
		c.compare(t, where, ws, "field", fd.Name, place{fd.Offset, fd.Length, fd.Mask}, &fd.Value)
	})
	for name, ocs := range ws.seen {
		if !produced[name] && ocs[0].length > 0 && !ws.isLayer[name] {
			c.Missing[name] = true
		}
	}
}

// compare checks one layer or field, named name, placed at got, with the
// value value (nil for a layer), against tshark's ws.
func (c *Counts) compare(t testing.TB, where string, ws packet, what, name string, got place, value *string) {
	t.Helper()
	ocs, seen := ws.seen[name]
	if !seen {
		if !ws.names[name] {
			t.Errorf("%s: %s %s: tshark has no such name for this frame", where, what, name)
		}
		return // tshark shows it, but with no bytes
	}
	c.Placed++
	var placed []*occurrence
	var places []place
	for _, oc := range ocs {
		places = append(places, oc.place)
		if got.agrees(oc.place) {
			placed = append(placed, oc)
		}
	}
	if len(placed) == 0 {
		t.Errorf("%s: %s %s at %+v, tshark at %+v", where, what, name, got, places)
		return
	}
	c.PlacedAgree++
	if value == nil {
		return
	}
	var shown []string
	for _, oc := range placed {
		if oc.hasValue {
			shown = append(shown, oc.value)
		}
	}
	if len(shown) == 0 {
		c.Unvalued++ // a subtree, such as ipv6.hopopts, with no value of its own
		return
	}
	c.Values++
	if slices.ContainsFunc(shown, func(ws string) bool { return valueAgrees(name, *value, ws) }) {
		c.ValuesAgree++
		return
	}
	t.Errorf("%s: %s %s: value %q, tshark shows %q", where, what, name, *value, shown)
}

// readFrames reads the frames of a pcap file of Ethernet frames.
func readFrames(path string) ([][]byte, error) {
	frs, link, err := pcap.ReadFile(path)
	if err != nil {
		return nil, err
	}
	if link != pcap.LinkTypeEther {
		return nil, fmt.Errorf("%s: link type %d, not Ethernet", path, link)
	}
	frames := make([][]byte, len(frs))
	for i, fr := range frs {
		frames[i] = fr.Data
	}
	return frames, nil
}
