package dissect_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/upcase/upcase/internal/dissect"
	"github.com/upcase/upcase/internal/dissect/tsharktest"
	"github.com/upcase/upcase/internal/pcap"
)

// TestTshark dissects every frame of every scenario's pcap in testdata, and
// of hand-built frames of what the scenarios do not show (extension
// headers, fragments, SACK, padding), and checks each layer and field
// against what Wireshark's tshark says of the same frame (tshark -T json
// -x): its name, offset, length, bit mask and value (tsharktest.File). It
// is skipped where tshark is not installed, except in CI (CI=true), where
// it fails.
func TestTshark(t *testing.T) {
	tshark := tsharktest.Path(t)
	files, err := filepath.Glob(filepath.Join("testdata", "*.pcap"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no pcaps in testdata: %v", err)
	}
	hand := filepath.Join(t.TempDir(), "hand.pcap")
	writePcap(t, hand, dissect.HandFrames(t))
	var all tsharktest.Counts
	for _, file := range append(files, hand) {
		c := tsharktest.File(t, tshark, file)
		t.Logf("%s: %v", filepath.Base(file), c)
		all.Add(c)
	}
	t.Logf("all files: %v", all)
	t.Logf("names tshark shows that Dissect does not produce (%d): %s", len(all.Missing), strings.Join(all.MissingNames(), " "))
}

// writePcap writes frames to a pcap file at path, a second apart.
func writePcap(t *testing.T, path string, frames [][]byte) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	w, err := pcap.NewWriter(f)
	if err != nil {
		t.Fatal(err)
	}
	for i, b := range frames {
		if err := w.WriteFrame(pcap.Frame{Time: time.Unix(int64(i+1), 0), Data: b}); err != nil {
			t.Fatal(err)
		}
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}
