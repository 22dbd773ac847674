package server

import (
	"bytes"
	"io"
	"log/slog"
	"testing"
	"time"
)

// Bytes the Unicode transform holds back (an incomplete UTF-8 sequence at
// the end of what came) go out before any close the server starts, not only
// at the client's FIN: nothing is lost, whoever ends the conversation.
func TestHeldBytesSentOnServerClose(t *testing.T) {
	for _, tc := range []struct {
		name string
		srv  func() *Server
		end  func(s *Server) // what makes the server end the connection
	}{
		{"idle timeout", func() *Server { return &Server{Unicode: true, IdleTimeout: 100 * time.Millisecond} }, func(*Server) {}},
		{"drain", func() *Server { return &Server{Unicode: true} }, func(s *Server) { go s.Close() }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := tc.srv()
			s.Logger = slog.New(slog.DiscardHandler)
			c := dial(t, start(t, s))
			c.SetDeadline(time.Now().Add(10 * time.Second)) // fail, not hang
			if _, err := c.Write([]byte("abc\xc3")); err != nil {
				t.Fatal(err)
			}
			reply := make([]byte, 3)
			if _, err := io.ReadFull(c, reply); err != nil || string(reply) != "ABC" {
				t.Fatalf("reply %q, %v; want ABC, with \\xc3 held for the rest of its character", reply, err)
			}
			tc.end(s)
			rest, err := io.ReadAll(c) // up to the server's FIN
			if err != nil || !bytes.Equal(rest, []byte("\xc3")) {
				t.Errorf("after the server closed: %q, %v; want the held \\xc3, then EOF", rest, err)
			}
		})
	}
}

// Invalid UTF-8 is answered at once under --unicode: a Latin-1 line comes
// back whole, without waiting for more input or the client's FIN.
func TestUnicodeInvalidAnsweredAtOnce(t *testing.T) {
	c := dial(t, start(t, &Server{Unicode: true}))
	c.SetDeadline(time.Now().Add(10 * time.Second)) // fail, not hang
	line := []byte("caf\xe9\n")                     // café in Latin-1
	reply := make([]byte, len(line))
	roundTrip(t, c, line, reply)
	if want := []byte("CAF\xe9\n"); !bytes.Equal(reply, want) {
		t.Errorf("reply %q; want %q", reply, want)
	}
}
