//go:build linux

package demo

import (
	"context"
	"slices"
	"testing"

	"github.com/upcase/upcase/internal/trace"
	"github.com/upcase/upcase/internal/trace/tracetest"
)

// TestDemo plays every scenario and checks the segments and states seen, in
// order, against what the scenario must show.
func TestDemo(t *testing.T) {
	tracetest.NeedRoot(t)
	for _, tc := range []struct {
		demo  Config
		flags []string // each segment's flags, in order
		final trace.States
	}{
		{Config{Scenario: ScenarioNormal, CloseDelay: DefaultCloseDelay},
			[]string{"SYN", "SYN, ACK", "ACK", "PSH, ACK", "ACK", "PSH, ACK", "ACK", "PSH, ACK", "PSH, ACK", "FIN, ACK", "ACK", "FIN, ACK", "ACK"},
			trace.States{Client: trace.TimeWait, Server: trace.Closed}},
		{Config{Scenario: ScenarioNormal, IPv6: true, CloseDelay: DefaultCloseDelay},
			[]string{"SYN", "SYN, ACK", "ACK", "PSH, ACK", "ACK", "PSH, ACK", "ACK", "PSH, ACK", "PSH, ACK", "FIN, ACK", "ACK", "FIN, ACK", "ACK"},
			trace.States{Client: trace.TimeWait, Server: trace.Closed}},
		{Config{Scenario: ScenarioNormal},
			nil, // three or four segments in the teardown, as the delayed ACK falls: checked below
			trace.States{Client: trace.TimeWait, Server: trace.Closed}},
		{Config{Scenario: ScenarioHalfClose, CloseDelay: DefaultCloseDelay},
			[]string{"SYN", "SYN, ACK", "ACK", "PSH, ACK", "ACK", "FIN, ACK", "ACK", "PSH, ACK", "ACK", "FIN, ACK", "ACK"},
			trace.States{Client: trace.TimeWait, Server: trace.Closed}},
		{Config{Scenario: ScenarioHalfClose, IPv6: true, CloseDelay: DefaultCloseDelay},
			[]string{"SYN", "SYN, ACK", "ACK", "PSH, ACK", "ACK", "FIN, ACK", "ACK", "PSH, ACK", "ACK", "FIN, ACK", "ACK"},
			trace.States{Client: trace.TimeWait, Server: trace.Closed}},
		{Config{Scenario: ScenarioHalfClose},
			nil, // the server's ACK of the FIN rides on its answer, or comes alone if its delayed-ACK timer fires first: checked below
			trace.States{Client: trace.TimeWait, Server: trace.Closed}},
		{Config{Scenario: ScenarioRefused},
			[]string{"SYN", "RST, ACK"},
			trace.States{Client: trace.Closed, Server: trace.Closed}},
		{Config{Scenario: ScenarioReset},
			[]string{"SYN", "SYN, ACK", "ACK", "PSH, ACK", "ACK", "PSH, ACK", "ACK", "RST, ACK"},
			trace.States{Client: trace.Closed, Server: trace.Closed}},
	} {
		name := string(tc.demo.Scenario)
		if tc.demo.IPv6 {
			name += "/ipv6"
		}
		if tc.demo.Scenario.UsesCloseDelay() && tc.demo.CloseDelay == 0 {
			name += "/no-delay"
		}
		t.Run(name, func(t *testing.T) {
			res, err := Run(context.Background(), tc.demo)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, s := range res.Conversation.Steps() {
				got = append(got, s.Event.TCP.Flags.String())
			}
			if tc.flags != nil && !slices.Equal(got, tc.flags) {
				t.Errorf("segments %q; want %q", got, tc.flags)
			}
			switch {
			case tc.flags == nil && tc.demo.Scenario == ScenarioHalfClose:
				answerRides := []string{"SYN", "SYN, ACK", "ACK", "PSH, ACK", "ACK", "FIN, ACK", "PSH, ACK", "ACK", "FIN, ACK", "ACK"}
				ackAlone := slices.Insert(slices.Clone(answerRides), 6, "ACK")
				if !slices.Equal(got, answerRides) && !slices.Equal(got, ackAlone) {
					t.Errorf("segments %q; want %q, or the ACK of the FIN alone before the answer", got, answerRides)
				}
			case tc.flags == nil:
				fin := slices.Index(got, "FIN, ACK")
				if n := len(got) - fin; fin < 0 || n < 3 || n > 4 {
					t.Errorf("segments %q; want a teardown of three or four segments from the client's FIN", got)
				}
			}
			if st := res.Conversation.States(); st != tc.final {
				t.Errorf("final states %+v; want %+v", st, tc.final)
			}
			if len(res.Frames) < len(got) {
				t.Errorf("%d frames kept for the pcap; want at least %d", len(res.Frames), len(got))
			}
		})
	}
	t.Run("udp", func(t *testing.T) {
		res, err := Run(context.Background(), Config{Scenario: ScenarioUDP})
		if err != nil {
			t.Fatal(err)
		}
		steps := res.Conversation.Steps()
		if len(steps) != 4 {
			t.Fatalf("%d datagrams; want 4", len(steps))
		}
		for i, want := range []string{"hello", "HELLO", "second line\n", "SECOND LINE\n"} {
			if string(steps[i].Event.Payload) != want {
				t.Errorf("datagram %d: %q; want %q", i, steps[i].Event.Payload, want)
			}
		}
	})
}
