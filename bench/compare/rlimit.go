package main

import (
	"fmt"
	"io"
	"syscall"
)

// raiseNoFile sets RLIMIT_NOFILE's soft limit to its hard limit. Setting it
// explicitly (rather than relying on the Go runtime's own raise) makes the
// children, servers and load generator alike, inherit it. This file is the
// open-file limit, which the idle cell's connections need.
func raiseNoFile(log io.Writer) {
	var r syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &r); err != nil {
		fmt.Fprintln(log, "getrlimit:", err)
		return
	}
	r.Cur = r.Max
	if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &r); err != nil {
		fmt.Fprintln(log, "setrlimit:", err)
	}
}

// noFileLimit is RLIMIT_NOFILE's soft limit, 0 if unknown.
func noFileLimit() uint64 {
	var r syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &r); err != nil {
		return 0
	}
	return r.Cur
}
