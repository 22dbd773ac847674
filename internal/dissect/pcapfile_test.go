package dissect

import (
	"testing"

	"github.com/upcase/upcase/internal/pcap"
)

// readPcap gives the frames of a pcap file, which must read.
func readPcap(t testing.TB, path string) [][]byte {
	t.Helper()
	frs, _, err := pcap.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	frames := make([][]byte, len(frs))
	for i, fr := range frs {
		frames[i] = fr.Data
	}
	return frames
}
