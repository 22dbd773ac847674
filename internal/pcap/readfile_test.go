package pcap

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// ReadFile gives back what a Writer wrote, in order, and names the file
// when it is not a whole pcap file.
func TestReadFile(t *testing.T) {
	dir := t.TempDir()
	var b bytes.Buffer
	w, err := NewWriter(&b)
	if err != nil {
		t.Fatal(err)
	}
	want := []Frame{{Time: time.Unix(1, 2000), Data: []byte("one")}, {Time: time.Unix(2, 0), Data: []byte("second")}}
	for _, f := range want {
		if err := w.WriteFrame(f); err != nil {
			t.Fatal(err)
		}
	}
	good := filepath.Join(dir, "good.pcap")
	if err := os.WriteFile(good, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	got, link, err := ReadFile(good)
	if err != nil || link != LinkTypeEther || len(got) != len(want) {
		t.Fatalf("ReadFile = %d frames, link %d, %v; want %d Ethernet frames", len(got), link, err, len(want))
	}
	for i := range want {
		if !bytes.Equal(got[i].Data, want[i].Data) || !got[i].Time.Equal(want[i].Time) {
			t.Errorf("frame %d = %q at %v; want %q at %v", i, got[i].Data, got[i].Time, want[i].Data, want[i].Time)
		}
	}
	cut := filepath.Join(dir, "cut.pcap")
	if err := os.WriteFile(cut, b.Bytes()[:b.Len()-2], 0o644); err != nil {
		t.Fatal(err)
	}
	if _, _, err := ReadFile(cut); !errors.Is(err, ErrTruncated) || !strings.Contains(err.Error(), cut) {
		t.Errorf("ReadFile of a cut file: %v; want ErrTruncated naming %s", err, cut)
	}
}
