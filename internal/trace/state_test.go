package trace

import (
	"net/netip"
	"testing"
)

func TestStateString(t *testing.T) {
	want := []string{"CLOSED", "LISTEN", "SYN-SENT", "SYN-RECEIVED", "ESTABLISHED", "FIN-WAIT-1", "FIN-WAIT-2", "CLOSE-WAIT", "CLOSING", "LAST-ACK", "TIME-WAIT"}
	for i, w := range want {
		if got := State(i).String(); got != w {
			t.Errorf("State(%d).String() = %q, want %q", i, got, w)
		}
	}
	if got := State(200).String(); got != "UNKNOWN" {
		t.Errorf("State(200).String() = %q, want UNKNOWN", got)
	}
}

// st abbreviates States in the tables.
func st(client, server State) States { return States{client, server} }

// established repeats both sides ESTABLISHED n times.
func established(n int) []States {
	s := make([]States, n)
	for i := range s {
		s[i] = st(Established, Established)
	}
	return s
}

// handshakeStates are the states after SYN, SYN-ACK and ACK.
var handshakeStates = []States{st(SynSent, SynReceived), st(Established, SynReceived), st(Established, Established)}

// cat joins tables of states.
func cat(parts ...[]States) []States {
	var all []States
	for _, p := range parts {
		all = append(all, p...)
	}
	return all
}

func TestConversationStates(t *testing.T) {
	fresh := st(Closed, Listen)
	tests := []struct {
		name    string
		events  func(client, server netip.AddrPort) []Event
		initial States
		want    []States
	}{
		{"normal four-segment teardown", scenarioNormal4, fresh, cat(handshakeStates, established(7), []States{
			st(FinWait1, CloseWait), st(FinWait2, CloseWait), st(TimeWait, LastAck), st(TimeWait, Closed)})},
		{"three-segment teardown", scenarioNormal3, fresh, cat(handshakeStates, established(7), []States{
			st(FinWait1, CloseWait), st(TimeWait, LastAck), st(TimeWait, Closed)})},
		{"half-close, data after the FIN", scenarioHalfClose, fresh, cat(handshakeStates, established(2), []States{
			st(FinWait1, CloseWait), st(FinWait2, CloseWait), st(FinWait2, CloseWait), st(FinWait2, CloseWait), st(TimeWait, LastAck), st(TimeWait, Closed)})},
		{"half-close, the FIN's ACK on the data", scenarioHalfClose0, fresh, cat(handshakeStates, established(2), []States{
			st(FinWait1, CloseWait), st(FinWait2, CloseWait), st(FinWait2, CloseWait), st(TimeWait, LastAck), st(TimeWait, Closed)})},
		{"server-initiated close", scenarioServerClose, fresh, cat(handshakeStates, []States{
			st(CloseWait, FinWait1), st(CloseWait, FinWait2), st(LastAck, TimeWait), st(Closed, TimeWait)})},
		{"reset mid-conversation", scenarioReset, fresh, cat(handshakeStates, established(2), []States{st(Closed, Closed)})},
		{"refused, nobody listening", scenarioRefused, st(Closed, Closed), []States{st(SynSent, Closed), st(Closed, Closed)}},
		{"refused, thought listening", scenarioRefused, fresh, []States{st(SynSent, Closed), st(Closed, Closed)}},
		{"simultaneous close", scenarioSimultaneous, fresh, cat(handshakeStates, []States{
			st(FinWait1, CloseWait), st(Closing, Closing), st(Closing, TimeWait), st(TimeWait, TimeWait)})},
	}
	for _, tt := range tests {
		for _, v := range []struct {
			name           string
			client, server netip.AddrPort
		}{{"IPv4", client4, server4}, {"IPv6", client6, server6}} {
			t.Run(tt.name+"/"+v.name, func(t *testing.T) {
				c := NewConversation(KindTCP, v.client, v.server, tt.initial)
				for _, ev := range tt.events(v.client, v.server) {
					if _, err := c.Add(ev); err != nil {
						t.Fatal(err)
					}
				}
				steps := c.Steps()
				if len(steps) != len(tt.want) {
					t.Fatalf("got %d steps, want %d", len(steps), len(tt.want))
				}
				prev := c.Initial()
				for i, s := range steps {
					if s.After != tt.want[i] {
						t.Errorf("after step %d (%s): got %+v, want %+v", i, s.Event, s.After, tt.want[i])
					}
					if s.Before != prev {
						t.Errorf("before step %d: got %+v, want the states after the step before, %+v", i, s.Before, prev)
					}
					prev = s.After
				}
				if !c.Done() {
					t.Errorf("Done() = false after the last segment, states %+v", c.States())
				}
			})
		}
	}
}

func TestMachineEdges(t *testing.T) {
	type segment struct {
		dir      Direction
		flags    TCPFlag
		seq, ack uint32
		n        int
	}
	tests := []struct {
		name    string
		initial States
		segs    []segment
		want    States
	}{
		{"RST to a listener leaves it listening", st(Closed, Listen),
			[]segment{{ClientToServer, FlagRST, 5, 0, 0}}, st(Closed, Listen)},
		{"SYN-ACK not acknowledging the SYN leaves SYN-SENT", st(Closed, Listen),
			[]segment{{ClientToServer, FlagSYN, 100, 0, 0}, {ServerToClient, FlagSYN | FlagACK, 500, 7, 0}}, st(SynSent, SynReceived)},
		{"sequence numbers wrap", st(Closed, Listen),
			[]segment{{ClientToServer, FlagSYN, 0xffffffff, 0, 0}, {ServerToClient, FlagSYN | FlagACK, 500, 0, 0}, {ClientToServer, FlagACK, 0, 501, 0}}, st(Established, Established)},
		{"retransmitted FIN changes nothing", st(Established, Established),
			[]segment{{ClientToServer, FlagFIN | FlagACK, 10, 20, 0}, {ClientToServer, FlagFIN | FlagACK, 10, 20, 0}}, st(FinWait1, CloseWait)},
		{"FIN with data acknowledged after the data", st(Established, Established),
			[]segment{{ClientToServer, FlagFIN | FlagACK, 10, 20, 5}, {ServerToClient, FlagACK, 20, 15, 0}, {ServerToClient, FlagACK, 20, 16, 0}}, st(FinWait2, CloseWait)},
		{"FIN on a SYN: the listener takes both (RFC 9293 3.10.7.4)", st(Closed, Listen),
			[]segment{{ClientToServer, FlagSYN | FlagFIN, 10, 0, 0}}, st(SynSent, CloseWait)},
		{"RST in TIME-WAIT", st(TimeWait, Closed),
			[]segment{{ServerToClient, FlagRST, 1, 0, 0}}, st(Closed, Closed)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var m machine
			m.client.state, m.server.state = tt.initial.Client, tt.initial.Server
			for _, s := range tt.segs {
				m.step(s.dir, TCP{Seq: s.seq, Ack: s.ack, Flags: s.flags}, s.n)
			}
			if got := m.states(); got != tt.want {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}
