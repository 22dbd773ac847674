package trace

import (
	"regexp"
	"strings"
	"testing"
)

func TestExplain(t *testing.T) {
	fresh := st(Closed, Listen)
	tests := []struct {
		name    string
		kind    Kind
		events  []Event
		initial States
		// want holds, per step index, words its explanation must contain.
		want map[int][]string
	}{
		{"normal4", KindTCP, scenarioNormal4(client4, server4), fresh, map[int][]string{
			0:  {"client asks", "RFC 6528", "2746135912", "old connection, or forged"},
			1:  {"SYN, ACK", "ISN + 1", "SYN uses up one sequence number", "1102931735"},
			2:  {"three-way handshake", "ESTABLISHED"},
			3:  {"5 bytes", `"hello"`, "seq counts bytes", "+ 5"},
			4:  {"server acknowledges the data", "next byte it expects"},
			5:  {`"HELLO"`},
			8:  {`"SECOND LINE\n"`, "in the same segment acknowledges the client's data"},
			10: {"client", "FIN", "half-close", "the server can still send"},
			11: {"ack = the FIN's seq + 1", "server may still send"},
			12: {"server closes its own direction", "four steps"},
			13: {"TIME-WAIT", "2×MSL", "4 minutes", "fixed 60 s", "resend this last ACK", "old segments", "server is CLOSED"},
		}},
		{"normal3", KindTCP, scenarioNormal3(client4, server4), fresh, map[int][]string{
			11: {"same segment", "three segments instead of four", "delayed"},
			12: {"TIME-WAIT", "2×MSL"},
		}},
		{"halfclose", KindTCP, scenarioHalfClose(client4, server4), fresh, map[int][]string{
			5:  {"client", "FIN", "half-close", "the server can still send"},
			6:  {"ack = the FIN's seq + 1", "server may still send"},
			7:  {"server still sends 6 bytes", `"HELLO\n"`, "after the client's FIN", "half open", "closed only the client's direction", "server, in CLOSE-WAIT, may still send", "client, in FIN-WAIT-2, still receives"},
			8:  {"client acknowledges the data although it has sent its FIN", "FIN-WAIT-2", "still receives"},
			9:  {"server closes its own direction"},
			10: {"TIME-WAIT", "server is CLOSED"},
		}},
		{"halfclose, no delay", KindTCP, scenarioHalfClose0(client4, server4), fresh, map[int][]string{
			6: {"acknowledges the client's FIN and in the same segment still sends 6 bytes", "half open", "closed only the client's direction", "CLOSE-WAIT", "now in FIN-WAIT-2"},
			7: {"FIN-WAIT-2", "still receives"},
		}},
		{"server close", KindTCP, scenarioServerClose(client4, server4), fresh, map[int][]string{
			3: {"server has nothing more to send", "the client can still send"},
			6: {"server acknowledges the client's FIN", "client is CLOSED", "server stays in TIME-WAIT"},
		}},
		{"reset", KindTCP, scenarioReset(client4, server4), fresh, map[int][]string{
			5: {"client aborts", "RST", "SO_LINGER", "no TIME-WAIT"},
		}},
		{"refused", KindTCP, scenarioRefused(client4, server4), st(Closed, Closed), map[int][]string{
			1: {"Nobody is listening on port 8080", "refused"},
		}},
		{"simultaneous", KindTCP, scenarioSimultaneous(client4, server4), fresh, map[int][]string{
			4: {"simultaneous close", "CLOSING"},
			5: {"from CLOSING to TIME-WAIT"},
		}},
		{"udp", KindUDP, scenarioUDP(client4, server4), States{}, map[int][]string{
			0: {"5-byte UDP datagram", "no handshake", "no acknowledgement"},
			1: {"nobody would resend it", "no teardown"},
		}},
		{"lan", KindTCP, scenarioLAN(), fresh, map[int][]string{
			0: {"broadcasts an ARP request", "ff:ff:ff:ff:ff:ff", "who has 10.0.0.2?"},
			1: {"ARP reply", "10.0.0.2 is at 02:00:00:00:00:02"},
		}},
	}
	twoSentences := regexp.MustCompile(`[a-z)]\. [A-Z]`)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cl, sv := client4, server4
			if tt.name == "lan" {
				cl, sv = lanClient, lanServer
			}
			c := conversationOf(t, tt.kind, cl, sv, tt.initial, tt.events)
			for i, s := range c.Steps() {
				e := s.Explanation
				if e != Explain(s) {
					t.Errorf("step %d: Explanation %q differs from Explain's %q", i, e, Explain(s))
				}
				if !strings.HasSuffix(e, ".") && !strings.HasSuffix(e, "?") || twoSentences.MatchString(e) {
					t.Errorf("step %d: %q is not one sentence", i, e)
				}
				for _, w := range tt.want[i] {
					if !strings.Contains(e, w) {
						t.Errorf("step %d (%s): %q lacks %q", i, s.Event, e, w)
					}
				}
			}
		})
	}
}

func TestExplainOther(t *testing.T) {
	if got := Explain(Step{Event: Event{Kind: KindOther}}); got != "" {
		t.Errorf("Explain(other) = %q, want nothing", got)
	}
	d := newDialogue(client4, server4)
	d.handshake()
	d.send(ClientToServer, FlagACK, "", 0) // nothing new: a window update
	c := conversationOf(t, KindTCP, client4, server4, st(Closed, Listen), d.events)
	if got := c.Steps()[3].Explanation; !strings.Contains(got, "acknowledges nothing new") {
		t.Errorf("a duplicate ACK: %q", got)
	}
}

func TestPreview(t *testing.T) {
	tests := []struct{ in, want string }{
		{"hello", `"hello"`},
		{"héllo\x00", `"h\u00e9llo\x00"`},
		{strings.Repeat("a", 30), `"` + strings.Repeat("a", previewMax) + `"...`},
	}
	for _, tt := range tests {
		if got := preview([]byte(tt.in)); got != tt.want {
			t.Errorf("preview(%q) = %s, want %s", tt.in, got, tt.want)
		}
	}
}
