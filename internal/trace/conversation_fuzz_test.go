package trace_test

import (
	"io"
	"testing"

	"github.com/upcase/upcase/internal/lang"
	"github.com/upcase/upcase/internal/pcap"
	"github.com/upcase/upcase/internal/trace"
	"github.com/upcase/upcase/internal/trace/ladder"
	"github.com/upcase/upcase/internal/trace/tracetest"
)

// FuzzConversation feeds made-up segments to a conversation and renders
// them: whatever the segments, nothing panics and every state is named. It
// is an external test (package trace_test) because it draws the ladder,
// and package ladder imports trace.
func FuzzConversation(f *testing.F) {
	f.Add([]byte{0, 2, 1, 0, 0, 0, 0, 0, 0, 0, 0, 18, 0, 0, 0, 1, 0, 0, 0, 1})
	f.Add([]byte{0, 17, 1, 0, 0, 0, 0, 0, 0, 0, 4, 16, 2, 0, 0, 0, 3, 0, 0, 0, 1})
	client, server := tracetest.Client4, tracetest.Server4
	f.Fuzz(func(t *testing.T, b []byte) {
		c := trace.NewConversation(trace.KindTCP, client, server, trace.States{Client: trace.State(len(b) % 11), Server: trace.Listen})
		r := ladder.Renderer{Out: io.Discard, Color: len(b)%2 == 0}
		for len(b) >= 10 {
			dir := trace.Direction(b[0] & 1)
			src, dst := client, server
			if dir == trace.ServerToClient {
				src, dst = dst, src
			}
			s := tracetest.Seg{Src: src, Dst: dst, Flags: tracetest.Flags(b[1]), Seq: uint32(b[2])<<24 | uint32(b[3]), Ack: uint32(b[4])<<24 | uint32(b[5]), Win: uint16(b[6]), Payload: make([]byte, b[7]%8)}
			if b[8]&1 == 1 {
				s.Opts = tracetest.SynOpts(1, 2)
			}
			ev, err := trace.DecodeFrame(pcap.Frame{Time: tracetest.Start, Data: tracetest.TCPFrame(s)})
			if err != nil {
				t.Fatal(err)
			}
			step, err := c.Add(ev)
			if err != nil {
				t.Fatal(err)
			}
			if step.After.Client.String() == "UNKNOWN" || step.After.Server.String() == "UNKNOWN" || c.Explain(step, lang.English) == "" {
				t.Fatalf("step %+v", step)
			}
			b = b[10:]
		}
		if err := r.Render(c); err != nil {
			t.Fatal(err)
		}
	})
}
