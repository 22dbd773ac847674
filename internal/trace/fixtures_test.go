package trace

import (
	"net/netip"
	"testing"
	"time"

	"github.com/upcase/upcase/internal/pcap"
	"github.com/upcase/upcase/internal/trace/tracetest"
)

// The tests' addresses and conversations come from package tracetest, as
// frames; trace's tests work on their Events, decoded here.
var (
	client4, server4     = tracetest.Client4, tracetest.Server4
	client6, server6     = tracetest.Client6, tracetest.Server6
	lanClient, lanServer = tracetest.LANClient, tracetest.LANServer
	start                = tracetest.Start
)

// The conversations of tracetest, decoded.
var (
	scenarioNormal4      = decoded(tracetest.Normal4)
	scenarioNormal3      = decoded(tracetest.Normal3)
	scenarioHalfClose    = decoded(tracetest.HalfClose)
	scenarioHalfClose0   = decoded(tracetest.HalfClose0)
	scenarioServerClose  = decoded(tracetest.ServerClose)
	scenarioReset        = decoded(tracetest.Reset)
	scenarioRefused      = decoded(tracetest.Refused)
	scenarioSimultaneous = decoded(tracetest.Simultaneous)
	scenarioUDP          = decoded(tracetest.UDP)
)

// scenarioLAN is tracetest.LAN, decoded.
func scenarioLAN() []Event { return events(tracetest.LAN()) }

// decoded turns one of tracetest's conversations into its events.
func decoded(scenario func(client, server netip.AddrPort) []pcap.Frame) func(client, server netip.AddrPort) []Event {
	return func(client, server netip.AddrPort) []Event { return events(scenario(client, server)) }
}

// events decodes frames the tests built, which must decode.
func events(frames []pcap.Frame) []Event {
	evs := make([]Event, len(frames))
	for i, f := range frames {
		ev, err := DecodeFrame(f)
		if err != nil {
			panic(err)
		}
		evs[i] = ev
	}
	return evs
}

// mustDecode decodes a frame the tests built, captured at t, which must
// decode.
func mustDecode(b []byte, t time.Time) Event {
	return events([]pcap.Frame{{Time: t, Data: b}})[0]
}

// conversationOf follows events from client to server, starting in initial.
func conversationOf(t testing.TB, kind Kind, client, server netip.AddrPort, initial States, evs []Event) *Conversation {
	t.Helper()
	c := NewConversation(kind, client, server, initial)
	for _, ev := range evs {
		if _, err := c.Add(ev); err != nil {
			t.Fatal(err)
		}
	}
	return c
}

// kernelChanges gives the changes tracetest built, with trace's states,
// for the steps' times.
func kernelChanges(built func(times []time.Time, client, server netip.AddrPort) []tracetest.KernelChange) func([]Step, netip.AddrPort, netip.AddrPort) []KernelChange {
	return func(steps []Step, client, server netip.AddrPort) []KernelChange {
		times := make([]time.Time, len(steps))
		for i, s := range steps {
			times[i] = s.Event.Time
		}
		var out []KernelChange
		for _, ch := range built(times, client, server) {
			from, ok1 := StateFromLinux(uint8(ch.Old))
			to, ok2 := StateFromLinux(uint8(ch.New))
			if !ok1 || !ok2 {
				panic("tracetest: a kernel change with a state Linux does not have")
			}
			out = append(out, KernelChange{Time: ch.Time, Local: ch.Local, Remote: ch.Remote, Old: from, New: to})
		}
		return out
	}
}
