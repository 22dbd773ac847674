package trace

import (
	"net/netip"
	"testing"

	"github.com/upcase/upcase/internal/trace/tracetest"
)

// The kernel's changes for tracetest's conversations, with trace's states.
var (
	linuxNormal4 = kernelChanges(tracetest.LinuxNormal4)
	linuxReset   = kernelChanges(tracetest.LinuxReset)
	linuxRefused = kernelChanges(tracetest.LinuxRefused)
)

func TestAttachKernel(t *testing.T) {
	type view struct {
		client, server string // the kernel's states after the step, "" where unknown
		changes        int    // how many changes the step carries
	}
	tests := []struct {
		name    string
		events  []Event
		initial States
		changes func([]Step, netip.AddrPort, netip.AddrPort) []KernelChange
		want    []view
	}{
		{"normal4", scenarioNormal4(client4, server4), st(Closed, Listen), linuxNormal4, []view{
			{"SYN-SENT", "", 1},               // SYN
			{"ESTABLISHED", "", 1},            // SYN, ACK
			{"ESTABLISHED", "ESTABLISHED", 2}, // ACK: the server's SYN-RECEIVED, late
			{"ESTABLISHED", "ESTABLISHED", 0}, // PSH
			{"ESTABLISHED", "ESTABLISHED", 0}, // ACK
			{"ESTABLISHED", "ESTABLISHED", 0}, // PSH
			{"ESTABLISHED", "ESTABLISHED", 0}, // ACK
			{"ESTABLISHED", "ESTABLISHED", 0}, // PSH
			{"ESTABLISHED", "ESTABLISHED", 0}, // PSH
			{"ESTABLISHED", "ESTABLISHED", 0}, // ACK
			{"FIN-WAIT-1", "CLOSE-WAIT", 2},   // FIN
			{"FIN-WAIT-2", "CLOSE-WAIT", 1},   // ACK
			{"CLOSED", "LAST-ACK", 2},         // FIN: no TIME-WAIT
			{"CLOSED", "CLOSED", 1},           // ACK
		}},
		{"reset", scenarioReset(client4, server4), st(Closed, Listen), linuxReset, []view{
			{"SYN-SENT", "", 1},
			{"ESTABLISHED", "", 1},
			{"ESTABLISHED", "ESTABLISHED", 2},
			{"ESTABLISHED", "ESTABLISHED", 0},
			{"ESTABLISHED", "ESTABLISHED", 0},
			{"CLOSED", "CLOSED", 2}, // RST: the client closes before it, the server after
		}},
		{"refused", scenarioRefused(client4, server4), st(Closed, Closed), linuxRefused, []view{
			{"SYN-SENT", "", 1},
			{"CLOSED", "", 1},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := conversationOf(t, KindTCP, client4, server4, tt.initial, tt.events)
			inferred := make([]States, len(c.Steps()))
			for i, s := range c.Steps() {
				inferred[i] = s.After
			}
			if c.HasKernel() {
				t.Fatal("HasKernel before AttachKernel")
			}
			c.AttachKernel(tt.changes(c.Steps(), client4, server4))
			if !c.HasKernel() {
				t.Fatal("no HasKernel after AttachKernel")
			}
			steps := c.Steps()
			if len(steps) != len(tt.want) {
				t.Fatalf("%d steps; want %d", len(steps), len(tt.want))
			}
			for i, s := range steps {
				k := s.Kernel
				got := view{changes: len(k.Client) + len(k.Server)}
				if k.ClientKnown {
					got.client = k.After.Client.String()
				}
				if k.ServerKnown {
					got.server = k.After.Server.String()
				}
				if got != tt.want[i] {
					t.Errorf("step %d (%s): kernel %+v; want %+v", i, s.Event.TCP.Flags, got, tt.want[i])
				}
				if s.After != inferred[i] {
					t.Errorf("step %d: inferred states changed to %+v", i, s.After)
				}
			}
		})
	}
}

func TestAttachKernelUDP(t *testing.T) {
	c := conversationOf(t, KindUDP, client4, server4, States{}, scenarioUDP(client4, server4))
	c.AttachKernel([]KernelChange{{Time: start, Local: client4, Remote: server4, New: Established}})
	if c.HasKernel() {
		t.Error("a UDP flow took the kernel's TCP states")
	}
}
