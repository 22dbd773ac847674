//go:build linux

package demo

import (
	"context"
	"slices"
	"testing"
)

// TestDemo plays every scenario and checks the segments and states seen, in
// order, against what the scenario must show.
func TestDemo(t *testing.T) {
	needRoot(t)
	for _, tc := range []struct {
		demo  Demo
		flags []string // each segment's flags, in order
		final States
	}{
		{Demo{Scenario: ScenarioNormal, CloseDelay: DefaultCloseDelay},
			[]string{"SYN", "SYN, ACK", "ACK", "PSH, ACK", "ACK", "PSH, ACK", "ACK", "PSH, ACK", "PSH, ACK", "FIN, ACK", "ACK", "FIN, ACK", "ACK"},
			States{Client: TimeWait, Server: Closed}},
		{Demo{Scenario: ScenarioNormal, IPv6: true, CloseDelay: DefaultCloseDelay},
			[]string{"SYN", "SYN, ACK", "ACK", "PSH, ACK", "ACK", "PSH, ACK", "ACK", "PSH, ACK", "PSH, ACK", "FIN, ACK", "ACK", "FIN, ACK", "ACK"},
			States{Client: TimeWait, Server: Closed}},
		{Demo{Scenario: ScenarioNormal},
			nil, // three or four segments in the teardown, as the delayed ACK falls: checked below
			States{Client: TimeWait, Server: Closed}},
		{Demo{Scenario: ScenarioHalfClose, CloseDelay: DefaultCloseDelay},
			[]string{"SYN", "SYN, ACK", "ACK", "PSH, ACK", "ACK", "FIN, ACK", "ACK", "PSH, ACK", "ACK", "FIN, ACK", "ACK"},
			States{Client: TimeWait, Server: Closed}},
		{Demo{Scenario: ScenarioHalfClose, IPv6: true, CloseDelay: DefaultCloseDelay},
			[]string{"SYN", "SYN, ACK", "ACK", "PSH, ACK", "ACK", "FIN, ACK", "ACK", "PSH, ACK", "ACK", "FIN, ACK", "ACK"},
			States{Client: TimeWait, Server: Closed}},
		{Demo{Scenario: ScenarioHalfClose},
			nil, // the server's ACK of the FIN rides on its answer, or comes alone if its delayed-ACK timer fires first: checked below
			States{Client: TimeWait, Server: Closed}},
		{Demo{Scenario: ScenarioRefused},
			[]string{"SYN", "RST, ACK"},
			States{Client: Closed, Server: Closed}},
		{Demo{Scenario: ScenarioReset},
			[]string{"SYN", "SYN, ACK", "ACK", "PSH, ACK", "ACK", "PSH, ACK", "ACK", "RST, ACK"},
			States{Client: Closed, Server: Closed}},
	} {
		name := string(tc.demo.Scenario)
		if tc.demo.IPv6 {
			name += "/ipv6"
		}
		if tc.demo.Scenario.UsesCloseDelay() && tc.demo.CloseDelay == 0 {
			name += "/no-delay"
		}
		t.Run(name, func(t *testing.T) {
			res, err := tc.demo.Run(context.Background())
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
		res, err := Demo{Scenario: ScenarioUDP}.Run(context.Background())
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
