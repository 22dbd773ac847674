//go:build linux

package netns

import (
	"net"
	"os"
	"testing"
)

// TestHost: a Host is a namespace of its own, with only lo, and the sockets
// made in it through Do stay there.
func TestHost(t *testing.T) {
	if os.Geteuid() != 0 && os.Getenv("CI") != "true" {
		t.Skip("needs root; CI runs it as root")
	}
	own, err := os.Readlink("/proc/thread-self/ns/net")
	if err != nil {
		t.Fatal(err)
	}
	h, err := NewHost()
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	var inside string
	var names []string
	var ln net.Listener
	if err := h.Do(func() error {
		if inside, err = os.Readlink("/proc/thread-self/ns/net"); err != nil {
			return err
		}
		ifs, err := net.Interfaces()
		if err != nil {
			return err
		}
		for _, i := range ifs {
			names = append(names, i.Name)
		}
		if err := LoopbackUp(); err != nil {
			return err
		}
		ln, err = net.Listen("tcp", "127.0.0.1:0")
		return err
	}); err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	if inside == own {
		t.Errorf("Do ran in the caller's namespace, %s", own)
	}
	if len(names) != 1 || names[0] != "lo" {
		t.Errorf("a new host has interfaces %q; want only lo", names)
	}
	// The listener is in the host's namespace: from here nobody reaches it.
	if c, err := net.Dial("tcp", ln.Addr().String()); err == nil {
		c.Close()
		t.Errorf("dialled %s from outside the host", ln.Addr())
	}
}
