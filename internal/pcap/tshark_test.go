package pcap

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestTshark has Wireshark's tshark read a file a Writer wrote, and checks
// it sees every frame with its time, length and protocols. It is skipped
// where tshark is not installed (Debian package tshark), except in CI
// (CI=true), where it fails.
func TestTshark(t *testing.T) {
	tshark, err := exec.LookPath("tshark")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("CI=true, so tshark must be installed (.ci/run installs it): %v", err)
		}
		t.Skipf("skipped (set CI=true to make this a failure): %v", err)
	}
	frames := []Frame{
		{Time: start, Data: frameHex(arpHex)},
		{Time: start.Add(time.Millisecond), Data: frameHex(synHex)},
		{Time: start.Add(time.Second), Data: frameHex(udpHex)},
	}
	path := filepath.Join(t.TempDir(), "frames.pcap")
	if err := os.WriteFile(path, write(t, frames...).Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	// Its stderr warns about running as root.
	out, err := exec.Command(tshark, "-r", path, "-T", "fields", "-e", "frame.time_epoch", "-e", "frame.len", "-e", "frame.protocols").Output()
	if err != nil {
		t.Fatalf("tshark -r %s: %v", path, err)
	}
	want := strings.Join([]string{
		"1796652778.624164000\t42\teth:ethertype:arp",
		"1796652778.625164000\t54\teth:ethertype:ip:tcp",
		"1796652779.624164000\t47\teth:ethertype:ip:udp:data",
	}, "\n")
	if got := strings.TrimSpace(string(out)); got != want {
		t.Errorf("tshark read:\n%s\nwant:\n%s", got, want)
	}
}
