package main

import (
	"net"

	"github.com/rogpeppe/go-internal/testscript"
)

// cmdFreePort sets an environment variable to a loopback address where
// nobody listens: freeport NAME.
func cmdFreePort(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: freeport NAME")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	ts.Check(err)
	addr := ln.Addr().String()
	ts.Check(ln.Close())
	ts.Setenv(args[0], addr)
}
