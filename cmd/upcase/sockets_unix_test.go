//go:build unix

package main

import (
	"net"
	"strings"
	"testing"
)

// TestMustListen: a socket handed over by systemd must be listening; a
// connection (what Accept=yes hands over) is refused with the fix in words.
func TestMustListen(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	lf, err := ln.(*net.TCPListener).File()
	if err != nil {
		t.Fatal(err)
	}
	defer lf.Close()
	if err := mustListen(lf); err != nil {
		t.Errorf("a listening socket: %v", err)
	}
	c, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	cf, err := c.(*net.TCPConn).File()
	if err != nil {
		t.Fatal(err)
	}
	defer cf.Close()
	if err := mustListen(cf); err == nil || !strings.Contains(err.Error(), "Accept=no") {
		t.Errorf("a connected socket: %v; want an error that says Accept=no", err)
	}
}
