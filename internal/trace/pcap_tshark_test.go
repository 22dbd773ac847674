package trace

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestPcapTshark has Wireshark's tshark read a file a PcapWriter wrote, and
// checks it sees the same segments. It is skipped where tshark is not
// installed (Debian package tshark).
func TestPcapTshark(t *testing.T) {
	tshark, err := exec.LookPath("tshark")
	if err != nil {
		t.Skip("tshark is not installed")
	}
	evs := append(scenarioNormal4(client4, server4), scenarioNormal3(client6, server6)...)
	path := filepath.Join(t.TempDir(), "trace.pcap")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	w, err := NewPcapWriter(f)
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, ev := range evs {
		frame := tcpFrame(seg{src: ev.Src, dst: ev.Dst, seq: ev.TCP.Seq, ack: ev.TCP.Ack, flags: ev.TCP.Flags, win: ev.TCP.Window, payload: ev.Payload})
		if err := w.WriteFrame(Frame{Time: ev.Time, Data: frame}); err != nil {
			t.Fatal(err)
		}
		want = append(want, fmt.Sprintf("%d\t%d\t0x%04x\t%d", ev.Src.Port(), ev.Dst.Port(), uint8(ev.TCP.Flags), len(ev.Payload)))
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(tshark, "-r", path, "-T", "fields", "-e", "tcp.srcport", "-e", "tcp.dstport", "-e", "tcp.flags", "-e", "tcp.len")
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("tshark: %v", err)
	}
	got := strings.Split(strings.TrimSpace(string(out)), "\n")
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("tshark read:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
