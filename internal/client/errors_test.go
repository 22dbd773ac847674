package client

import (
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"syscall"
	"testing"
)

func TestIsReset(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want bool
	}{
		{"read reset", &net.OpError{Op: "read", Err: os.NewSyscallError("read", syscall.ECONNRESET)}, true},
		{"write after reset", &net.OpError{Op: "write", Err: os.NewSyscallError("write", syscall.EPIPE)}, true},
		{"aborted", syscall.ECONNABORTED, true},
		{"wrapped", fmt.Errorf("send: %w", syscall.ECONNRESET), true},
		{"FIN", io.EOF, false},
		{"deadline", os.ErrDeadlineExceeded, false},
		{"closed", net.ErrClosed, false},
		{"reset in words only", errors.New("connection reset by peer"), false},
		{"nil", nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := isReset(tt.err); got != tt.want {
				t.Errorf("isReset(%v) = %v, want %v", tt.err, got, tt.want)
			}
		})
	}
}

func TestEndErrorWraps(t *testing.T) {
	cause := syscall.ECONNRESET
	err := resetError("127.0.0.1:8080", cause)
	if got, want := err.Error(), "connection to 127.0.0.1:8080 was reset by the server (RST)"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	for _, target := range []error{ErrServerReset, cause} {
		if !errors.Is(err, target) {
			t.Errorf("%q does not wrap %v", err, target)
		}
	}
	if errors.Is(err, ErrServerClosed) {
		t.Errorf("%q wraps ErrServerClosed; want only ErrServerReset", err)
	}
}
