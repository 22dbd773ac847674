package main

import (
	"bytes"
	"fmt"
	"io"
	"net"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestOutOfDescriptors runs the server with a limit of 24 open files and opens
// more connections than that: the accept loop must back off on EMFILE rather
// than exit or spin, the connections it holds must keep working, and once
// descriptors free up it must accept the ones that waited in the backlog.
func TestOutOfDescriptors(t *testing.T) {
	if _, err := exec.LookPath("prlimit"); err != nil {
		t.Skip("prlimit (util-linux) is not installed")
	}
	upcase, err := exec.LookPath("upcase")
	if err != nil {
		t.Fatal(err)
	}
	p := startCommand(t, "prlimit", "--nofile=24:24", upcase, "serve", "--addr=127.0.0.1:0")
	addr := p.waitRecord(t, listening).str("addr")

	const n = 40 // more than the server can hold
	conns := make([]net.Conn, n)
	for i := range conns {
		c, err := net.Dial("tcp", addr) // the kernel completes the handshake from the backlog
		if err != nil {
			t.Fatalf("dial %d: %v", i, err)
		}
		defer c.Close()
		conns[i] = c
	}
	// The accept error is reported: an error with the back-off and the count.
	if r := p.waitRecord(t, func(r record) bool { return r.has("retry_in") }); r.str("level") != "ERROR" || r.str("count") == "" ||
		!strings.Contains(r.str("err"), syscall.EMFILE.Error()) {
		t.Errorf("the accept error was reported as %v; want an error naming EMFILE, with the back-off and a count", r)
	}

	reply := make([]byte, 32)
	echo := func(i int) error {
		conns[i].SetDeadline(time.Now().Add(30 * time.Second)) // fail, not hang
		msg := fmt.Appendf(nil, "conn %d", i)
		if _, err := conns[i].Write(msg); err != nil {
			return err
		}
		if _, err := io.ReadFull(conns[i], reply[:len(msg)]); err != nil {
			return err
		}
		if !bytes.Equal(reply[:len(msg)], upcased(msg)) {
			return fmt.Errorf("reply %q to %q", reply[:len(msg)], msg)
		}
		return nil
	}
	if err := echo(0); err != nil {
		t.Fatalf("a connection accepted before the limit stopped working: %v", err)
	}
	freed := time.Now()
	for i := 1; i < n-1; i++ { // free descriptors: the server reads our FIN and closes its side
		conns[i].Close()
	}
	if err := echo(n - 1); err != nil {
		t.Fatalf("the last connection, waiting in the backlog, was not served after descriptors freed: %v", err)
	}
	t.Logf("recovered from EMFILE: the connection that waited in the backlog was served %v after descriptors were freed (the back-off is at most 1 s)",
		time.Since(freed).Round(time.Millisecond))
	select {
	case <-p.done:
		t.Fatalf("the server exited: %v", p.err)
	default:
	}
}
