package client

import (
	"errors"
	"slices"
	"syscall"
	"testing"
)

// writeLog records each call to Write, to check what is passed on when.
type writeLog struct{ writes []string }

func (w *writeLog) Write(p []byte) (int, error) {
	w.writes = append(w.writes, string(p))
	return len(p), nil
}

func TestReplyWriter(t *testing.T) {
	tests := []struct {
		name   string
		chunks []string // successive reads from the server
		want   []string // the writes after each chunk, in order
		flush  []string // the writes Flush adds
	}{
		{name: "one line", chunks: []string{"HELLO\n"}, want: []string{"HELLO\n"}},
		{name: "no newline: shown at once", chunks: []string{"HEL", "LO\n"}, want: []string{"HEL", "LO\n"}},
		{name: "a prompt", chunks: []string{"Name: "}, want: []string{"Name: "}},
		{name: "lines grouped", chunks: []string{"A\nB\nC\n"}, want: []string{"A\nB\nC\n"}},
		{name: "character cut in two", chunks: []string{"caf\xc3", "\xa9\n"}, want: []string{"caf", "\xc3\xa9\n"}},
		{name: "character cut in three", chunks: []string{"\xe2", "\x82", "\xac"}, want: []string{"\xe2\x82\xac"}},
		{name: "four bytes cut after three", chunks: []string{"\xf0\x9f\x98", "\x80!"}, want: []string{"\xf0\x9f\x98\x80!"}},
		{name: "cut character at the end", chunks: []string{"ab\xc3"}, want: []string{"ab"}, flush: []string{"\xc3"}},
		{name: "invalid bytes pass", chunks: []string{"a\xff", "\x80b"}, want: []string{"a\xff", "\x80b"}},
		{name: "too many continuation bytes pass", chunks: []string{"\x80\x80\x80"}, want: []string{"\x80\x80\x80"}},
		{name: "nothing", chunks: nil, want: nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var log writeLog
			rw := &replyWriter{w: &log}
			for _, c := range tt.chunks {
				if n, err := rw.Write([]byte(c)); n != len(c) || err != nil {
					t.Fatalf("Write(%q) = %d, %v; want %d, nil", c, n, err, len(c))
				}
				if len(rw.held) > 3 {
					t.Fatalf("after Write(%q), %d bytes held; want at most 3", c, len(rw.held))
				}
			}
			if !slices.Equal(log.writes, tt.want) {
				t.Errorf("got writes %q, want %q", log.writes, tt.want)
			}
			log.writes = nil
			if err := rw.Flush(); err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(log.writes, tt.flush) {
				t.Errorf("Flush wrote %q, want %q", log.writes, tt.flush)
			}
		})
	}
}

func TestReplyWriterError(t *testing.T) {
	rw := &replyWriter{w: failingWriter{syscall.EPIPE}}
	if _, err := rw.Write([]byte("A\n")); !errors.Is(err, syscall.EPIPE) {
		t.Errorf("Write: got %v, want EPIPE", err)
	}
	rw = &replyWriter{w: failingWriter{syscall.EPIPE}}
	rw.Write([]byte("\xc3"))
	if err := rw.Flush(); !errors.Is(err, syscall.EPIPE) {
		t.Errorf("Flush: got %v, want EPIPE", err)
	}
}
