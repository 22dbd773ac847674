//go:build linux

package demo

import (
	"context"
	"errors"
	"os"
	"slices"
	"testing"

	"github.com/upcase/upcase/internal/trace"
	"github.com/upcase/upcase/internal/trace/kstate"
	"github.com/upcase/upcase/internal/trace/tracetest"
)

// needKernelStates skips a test that reads the kernel's own states where
// they cannot be read, except in CI, which runs as root and must run it.
func needKernelStates(t *testing.T, err error) {
	t.Helper()
	if errors.Is(err, kstate.ErrUnavailable) && os.Getenv("CI") != "true" {
		t.Skip(err)
	}
	if err != nil {
		t.Fatal(err)
	}
}

// kernelSequence gives the states one side went through, as the kernel
// reported them for the steps, one per change, in order.
func kernelSequence(steps []trace.Step, client bool) []trace.State {
	var seq []trace.State
	for _, s := range steps {
		changes := s.Kernel.Server
		if client {
			changes = s.Kernel.Client
		}
		for _, ch := range changes {
			seq = append(seq, ch.New)
		}
	}
	return seq
}

// TestDemoKernelStates plays the demo with the kernel's own states and checks
// what the kernel reported of each side, in order, and the step each change
// goes with.
func TestDemoKernelStates(t *testing.T) {
	tracetest.NeedRoot(t)
	for _, tc := range []struct {
		name           string
		demo           Config
		client, server []trace.State // the kernel's changes of each side, in order
	}{
		{"normal", Config{Scenario: ScenarioNormal, CloseDelay: DefaultCloseDelay},
			[]trace.State{trace.SynSent, trace.Established, trace.FinWait1, trace.FinWait2, trace.Closed},
			[]trace.State{trace.SynReceived, trace.Established, trace.CloseWait, trace.LastAck, trace.Closed}},
		{"normal/ipv6", Config{Scenario: ScenarioNormal, IPv6: true, CloseDelay: DefaultCloseDelay},
			[]trace.State{trace.SynSent, trace.Established, trace.FinWait1, trace.FinWait2, trace.Closed},
			[]trace.State{trace.SynReceived, trace.Established, trace.CloseWait, trace.LastAck, trace.Closed}},
		{"reset", Config{Scenario: ScenarioReset},
			[]trace.State{trace.SynSent, trace.Established, trace.Closed},
			[]trace.State{trace.SynReceived, trace.Established, trace.Closed}},
		{"refused", Config{Scenario: ScenarioRefused},
			[]trace.State{trace.SynSent, trace.Closed},
			nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.demo.KernelStates = true
			res, err := Run(context.Background(), tc.demo)
			if err != nil {
				t.Fatal(err)
			}
			needKernelStates(t, res.KernelErr)
			c := res.Conversation
			for _, s := range c.Steps() {
				t.Logf("%-10s %+v", s.Event.TCP.Flags, *s.Kernel)
			}
			if !c.HasKernel() {
				t.Fatal("no kernel states attached")
			}
			defer func() {
				if !t.Failed() {
					return
				}
				// The times the matching went by: a change goes with a
				// step by comparing them.
				for _, s := range c.Steps() {
					t.Logf("step %d (%s) captured at %s", s.Index, s.Event.TCP.Flags, s.Event.Time.Format("15:04:05.000000"))
				}
				for _, ch := range res.Kernel {
					t.Logf("kernel change %s at %s", ch, ch.Time.Format("15:04:05.000000"))
				}
			}()
			if got := kernelSequence(c.Steps(), true); !slices.Equal(got, tc.client) {
				t.Errorf("the kernel's client went through %v; want %v", got, tc.client)
			}
			if got := kernelSequence(c.Steps(), false); !slices.Equal(got, tc.server) {
				t.Errorf("the kernel's server went through %v; want %v", got, tc.server)
			}
			for _, s := range c.Steps() {
				k := s.Kernel
				// Where the kernel reported the state, it is the inferred
				// one, but for the client's TIME-WAIT, which Linux hands to
				// a timewait record, closing the socket.
				if k.ClientKnown && k.After.Client != s.After.Client && (k.After.Client != trace.Closed || s.After.Client != trace.TimeWait) {
					t.Errorf("step %d (%s): the kernel's client is %s, the inferred %s", s.Index, s.Event.TCP.Flags, k.After.Client, s.After.Client)
				}
				if k.ServerKnown && k.After.Server != s.After.Server {
					t.Errorf("step %d (%s): the kernel's server is %s, the inferred %s", s.Index, s.Event.TCP.Flags, k.After.Server, s.After.Server)
				}
			}
		})
	}
}
