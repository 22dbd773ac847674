//go:build linux

package demo

import (
	"context"
	"strings"
	"testing"

	"github.com/upcase/upcase/internal/trace"
	"github.com/upcase/upcase/internal/trace/tracetest"
)

// TestLive plays two lines one after the other on one Live: each is a
// conversation of its own, from its SYN to its last ACK, with the line
// and its upper-cased reply, and the second sees nothing of the first.
func TestLive(t *testing.T) {
	tracetest.NeedRoot(t)
	l, err := StartLive()
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		if err := l.Close(); err != nil {
			t.Error(err)
		}
	}()
	for _, tc := range []struct{ line, reply string }{
		{"hello", "HELLO"},
		{"Grüße\tyou", "GRüßE\tYOU"}, // the server's default: ASCII letters only
	} {
		var (
			conv  *trace.Conversation
			flags []string
			index []int
		)
		reply, err := l.Play(context.Background(), tc.line, func(c *trace.Conversation, s trace.Step) {
			if conv == nil {
				conv = c
			}
			if c != conv {
				t.Errorf("a step of another conversation: %+v", s)
			}
			flags = append(flags, s.Event.TCP.Flags.String())
			index = append(index, s.Index)
		})
		if err != nil || reply != tc.reply {
			t.Fatalf("Play(%q) = %q, %v; want %q", tc.line, reply, err, tc.reply)
		}
		if len(flags) < 7 || flags[0] != "SYN" || flags[1] != "SYN, ACK" || !strings.Contains(strings.Join(flags, "|"), "FIN") {
			t.Errorf("Play(%q): segments %q; want a handshake first and a teardown", tc.line, flags)
		}
		for i, n := range index {
			if n != i {
				t.Errorf("Play(%q): step indexes %v; want 0, 1, 2 ...", tc.line, index)
				break
			}
		}
		if !conv.Done() || conv.States() != (trace.States{Client: trace.TimeWait, Server: trace.Closed}) {
			t.Errorf("Play(%q) returned in states %+v; want the conversation over", tc.line, conv.States())
		}
	}
}
