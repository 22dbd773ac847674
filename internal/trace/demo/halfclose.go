package demo

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"time"

	"github.com/upcase/upcase/internal/upper"
)

// halfCloseLine is what the halfclose scenario's client sends before its FIN.
const halfCloseLine = "hello\n"

// halfCloseClient plays the client of the halfclose scenario on c: it sends
// a line, shuts down its sending side before reading anything, and then
// reads the answer the server still sends, up to the server's FIN.
func halfCloseClient(ctx context.Context, c *net.TCPConn) error {
	if _, err := c.Write([]byte(halfCloseLine)); err != nil {
		return fmt.Errorf("demo: send: %w", err)
	}
	// The server acknowledges the line at once; waiting for that ACK keeps
	// the FIN from overtaking it on the wire, so the segments come in one
	// order on every run.
	if err := waitAcked(ctx, c); err != nil {
		return err
	}
	if err := c.CloseWrite(); err != nil {
		return fmt.Errorf("demo: half-close: %w", err)
	}
	got, err := io.ReadAll(c)
	if err != nil {
		return fmt.Errorf("demo: receive after the half-close: %w", err)
	}
	want := []byte(halfCloseLine)
	upper.ASCII(want)
	if !bytes.Equal(got, want) {
		return fmt.Errorf("demo: after the half-close the server answered %q, want %q", got, want)
	}
	return nil
}

// serveHalfClose answers one connection of the halfclose scenario: it reads
// to the end (the client's FIN), waits delay, longer than the delayed ACK,
// so that its ACK of the FIN goes on its own, answers upper-cased, and
// closes once the answer is acknowledged, so that the client's ACK comes
// before the server's FIN.
func serveHalfClose(ctx context.Context, ln net.Listener, delay time.Duration) error {
	nc, err := ln.Accept()
	if err != nil {
		return fmt.Errorf("demo: accept: %w", err)
	}
	defer nc.Close()
	nc.SetDeadline(time.Now().Add(5 * time.Second))
	line, err := io.ReadAll(nc)
	if err != nil {
		return fmt.Errorf("demo: read up to the client's FIN: %w", err)
	}
	pause(ctx, delay)
	upper.ASCII(line)
	if _, err := nc.Write(line); err != nil {
		return fmt.Errorf("demo: answer after the client's FIN: %w", err)
	}
	return waitAcked(ctx, nc.(*net.TCPConn))
}

// pause waits d, or until ctx is done.
func pause(ctx context.Context, d time.Duration) {
	if d <= 0 {
		return
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
	}
}
