package client

import (
	"errors"
	"slices"
	"syscall"
	"testing"
)

// writeLog records each call to Write, to check how lines are grouped.
type writeLog struct{ writes []string }

func (w *writeLog) Write(p []byte) (int, error) {
	w.writes = append(w.writes, string(p))
	return len(p), nil
}

func TestLineWriter(t *testing.T) {
	tests := []struct {
		name   string
		chunks []string // successive reads from the server
		want   []string // the writes, the last one from Flush
	}{
		{"one line", []string{"HELLO\n"}, []string{"HELLO\n"}},
		{"no newline yet", []string{"HEL", "LO\n"}, []string{"HELLO\n"}},
		{"lines grouped", []string{"A\nB\nC\n"}, []string{"A\nB\nC\n"}},
		{"partial kept", []string{"A\nB"}, []string{"A\n", "B\n"}},
		{"partial joined", []string{"A\nB", "C\nD"}, []string{"A\n", "BC\n", "D\n"}},
		{"empty line", []string{"\n"}, []string{"\n"}},
		{"exactly max", []string{"12345678\n"}, []string{"12345678\n"}},
		{"exactly max, newline later", []string{"12345678", "\n"}, []string{"12345678\n"}},
		{"long line cut", []string{"0123456789abcdefXY"}, []string{"01234567\n", "89abcdef\n", "XY\n"}},
		{"long line in pieces", []string{"0123", "4567", "89"}, []string{"01234567\n", "89\n"}},
		{"long line then more", []string{"0123456789\nZ\n"}, []string{"01234567\n", "89\nZ\n"}},
		{"nothing", nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var log writeLog
			lw := newLineWriter(&log, 8)
			for _, c := range tt.chunks {
				if n, err := lw.Write([]byte(c)); n != len(c) || err != nil {
					t.Fatalf("Write(%q) = %d, %v; want %d, nil", c, n, err, len(c))
				}
				if len(lw.pending) > 8 {
					t.Fatalf("after Write(%q), %d bytes pending; want at most 8", c, len(lw.pending))
				}
			}
			if err := lw.Flush(); err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(log.writes, tt.want) {
				t.Errorf("got writes %q, want %q", log.writes, tt.want)
			}
		})
	}
}

func TestLineWriterError(t *testing.T) {
	lw := newLineWriter(failingWriter{syscall.EPIPE}, 8)
	if _, err := lw.Write([]byte("A\n")); !errors.Is(err, syscall.EPIPE) {
		t.Errorf("Write: got %v, want EPIPE", err)
	}
	lw.Write([]byte("partial"))
	if err := lw.Flush(); !errors.Is(err, syscall.EPIPE) {
		t.Errorf("Flush: got %v, want EPIPE", err)
	}
}
