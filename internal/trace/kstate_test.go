package trace

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/netip"
	"strings"
	"testing"
	"time"
)

// Lines of a real trace (Linux 6.18), captured with the instance set up as
// StartKernelTrace does.
const (
	lineSynSent     = `         python3-12551   [000] ..... 12710.868595: inet_sock_set_state: family=AF_INET protocol=IPPROTO_TCP sport=0 dport=42777 saddr=127.0.0.1 daddr=127.0.0.1 saddrv6=::ffff:127.0.0.1 daddrv6=::ffff:127.0.0.1 oldstate=TCP_CLOSE newstate=TCP_SYN_SENT`
	lineSynRecv     = `         python3-12551   [000] ..s2. 12710.868625: inet_sock_set_state: family=AF_INET protocol=IPPROTO_TCP sport=42777 dport=41560 saddr=127.0.0.1 daddr=127.0.0.1 saddrv6=::ffff:127.0.0.1 daddrv6=::ffff:127.0.0.1 oldstate=TCP_LISTEN newstate=TCP_SYN_RECV`
	lineSoftirq     = `     ksoftirqd/0-14      [000] ..s1. 12710.912065: inet_sock_set_state: family=AF_INET protocol=IPPROTO_TCP sport=41560 dport=42777 saddr=127.0.0.1 daddr=127.0.0.1 saddrv6=::ffff:127.0.0.1 daddrv6=::ffff:127.0.0.1 oldstate=TCP_FIN_WAIT1 newstate=TCP_FIN_WAIT2`
	lineV6          = `         python3-12609   [001] ..s2. 12719.754473: inet_sock_set_state: family=AF_INET6 protocol=IPPROTO_TCP sport=35119 dport=52442 saddr=127.0.0.6 daddr=127.0.0.6 saddrv6=::1 daddrv6=::1 oldstate=TCP_LISTEN newstate=TCP_SYN_RECV`
	lineV6Listener  = `         python3-12609   [001] ..... 12719.768084: inet_sock_set_state: family=AF_INET6 protocol=IPPROTO_TCP sport=35119 dport=0 saddr=127.0.0.6 daddr=0.0.0.0 saddrv6=::1 daddrv6=:: oldstate=TCP_LISTEN newstate=TCP_CLOSE`
	lineV6SynSent   = `         python3-12609   [001] ..... 12719.768135: inet_sock_set_state: family=AF_INET6 protocol=IPPROTO_TCP sport=0 dport=35119 saddr=0.0.0.0 daddr=0.0.0.0 saddrv6=::1 daddrv6=::1 oldstate=TCP_CLOSE newstate=TCP_SYN_SENT`
	lineTaskSpaces  = `  Web Content-3081    [001] d.s3. 7.000001: inet_sock_set_state: family=AF_INET protocol=IPPROTO_TCP sport=8080 dport=40312 saddr=10.0.0.2 daddr=10.0.0.1 saddrv6=::ffff:10.0.0.2 daddrv6=::ffff:10.0.0.1 oldstate=TCP_LAST_ACK newstate=TCP_CLOSE`
	lineNumbered    = `           <...>-77      [000] ..... 100.5: inet_sock_set_state: family=2 protocol=6 sport=1 dport=2 saddr=1.2.3.4 daddr=5.6.7.8 saddrv6=::ffff:1.2.3.4 daddrv6=::ffff:5.6.7.8 oldstate=12 newstate=0x1`
	lineMPTCP       = `         python3-100     [000] ..... 1.000000: inet_sock_set_state: family=AF_INET protocol=IPPROTO_MPTCP sport=1 dport=2 saddr=1.2.3.4 daddr=5.6.7.8 saddrv6=::ffff:1.2.3.4 daddrv6=::ffff:5.6.7.8 oldstate=TCP_CLOSE newstate=TCP_SYN_SENT`
	traceHeader     = "# tracer: nop\n#\n# entries-in-buffer/entries-written: 3/3   #P:2\n#\n#           TASK-PID     CPU#  |||||  TIMESTAMP  FUNCTION\n#              | |         |   |||||     |         |\n"
	traceHeaderLost = "# tracer: nop\n#\n# entries-in-buffer/entries-written: 2/5   #P:2\n"
)

func TestParseStateLine(t *testing.T) {
	ap := netip.MustParseAddrPort
	tests := []struct {
		line string
		want KernelChange
		ts   time.Duration
	}{
		{lineSynSent, KernelChange{Local: ap("127.0.0.1:0"), Remote: ap("127.0.0.1:42777"), Old: Closed, New: SynSent}, 12710*time.Second + 868595*time.Microsecond},
		{lineSynRecv, KernelChange{Local: ap("127.0.0.1:42777"), Remote: ap("127.0.0.1:41560"), Old: Listen, New: SynReceived}, 12710*time.Second + 868625*time.Microsecond},
		{lineSoftirq, KernelChange{Local: ap("127.0.0.1:41560"), Remote: ap("127.0.0.1:42777"), Old: FinWait1, New: FinWait2}, 12710*time.Second + 912065*time.Microsecond},
		// IPv6: the IPv4 fields hold garbage.
		{lineV6, KernelChange{Local: ap("[::1]:35119"), Remote: ap("[::1]:52442"), Old: Listen, New: SynReceived}, 12719*time.Second + 754473*time.Microsecond},
		{lineV6Listener, KernelChange{Local: ap("[::1]:35119"), Remote: ap("[::]:0"), Old: Listen, New: Closed}, 12719*time.Second + 768084*time.Microsecond},
		{lineV6SynSent, KernelChange{Local: ap("[::1]:0"), Remote: ap("[::1]:35119"), Old: Closed, New: SynSent}, 12719*time.Second + 768135*time.Microsecond},
		{lineTaskSpaces, KernelChange{Local: ap("10.0.0.2:8080"), Remote: ap("10.0.0.1:40312"), Old: LastAck, New: Closed}, 7*time.Second + time.Microsecond},
		// Numbers where the kernel has no name; TCP_NEW_SYN_RECV is 12.
		{lineNumbered, KernelChange{Local: ap("1.2.3.4:1"), Remote: ap("5.6.7.8:2"), Old: SynReceived, New: Established}, 100*time.Second + 500*time.Millisecond},
	}
	for _, tt := range tests {
		got, ts, err := parseStateLine(tt.line)
		if err != nil {
			t.Errorf("parseStateLine(%q): %v", tt.line, err)
			continue
		}
		if got != tt.want || ts != tt.ts {
			t.Errorf("parseStateLine(%q) = %v at %v; want %v at %v", tt.line, got, ts, tt.want, tt.ts)
		}
	}

	if _, _, err := parseStateLine(lineMPTCP); !errors.Is(err, errNotTCP) {
		t.Errorf("MPTCP line: %v; want errNotTCP", err)
	}
	for _, bad := range []string{
		"",
		"# tracer: nop",
		"x-1 [000] ..... 1.000001: sched_switch: prev_comm=x",
		strings.Replace(lineSynSent, "12710.868595:", "12710.86x:", 1),
		strings.Replace(lineSynSent, "12710.868595:", "12710.8685951234:", 1),
		strings.Replace(lineSynSent, "12710.868595:", "", 1)[len("         python3-12551   [000] ....."):],
		strings.Replace(lineSynSent, "dport=42777", "dport=70000", 1),
		strings.Replace(lineSynSent, "dport=42777 ", "", 1),
		strings.Replace(lineSynSent, "saddr=127.0.0.1", "saddr=127.0.0", 1),
		strings.Replace(lineSynSent, "family=AF_INET", "family=AF_UNIX", 1),
		strings.Replace(lineSynSent, "newstate=TCP_SYN_SENT", "newstate=TCP_BOUND_INACTIVE", 1),
		strings.Replace(lineSynSent, "oldstate=TCP_CLOSE", "oldstate=0", 1),
		strings.Replace(lineSynSent, " oldstate=", " oldstate ", 1),
		strings.Replace(lineV6, "saddrv6=::1", "saddrv6=fe80::1%lo", 1),
	} {
		if ch, _, err := parseStateLine(bad); err == nil {
			t.Errorf("parseStateLine(%q) = %v; want an error", bad, ch)
		}
	}
}

func TestParseTrace(t *testing.T) {
	base := time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC)
	at := func(ts time.Duration) time.Time { return base.Add(ts - 12710*time.Second) }
	changes, err := parseTrace(traceHeader+lineSynSent+"\n"+lineMPTCP+"\n\n"+lineSynRecv+"\n"+lineSoftirq+"\n", at)
	if err != nil {
		t.Fatal(err)
	}
	if len(changes) != 3 {
		t.Fatalf("%d changes; want 3: %v", len(changes), changes)
	}
	if want := base.Add(868595 * time.Microsecond); !changes[0].Time.Equal(want) || changes[0].New != SynSent {
		t.Errorf("first change %v at %v; want SYN-SENT at %v", changes[0], changes[0].Time, want)
	}
	if changes[2].New != FinWait2 {
		t.Errorf("last change %v; want FIN-WAIT-2", changes[2])
	}

	changes, err = parseTrace(traceHeaderLost+lineSynSent+"\nnonsense\n"+lineSynRecv, at)
	if err == nil || !strings.Contains(err.Error(), "3 of 5 state changes lost") || !strings.Contains(err.Error(), "nonsense") {
		t.Errorf("lost entries and a bad line: error %v", err)
	}
	if len(changes) != 2 {
		t.Errorf("%d changes beside the errors; want 2", len(changes))
	}
}

func FuzzParseStateLine(f *testing.F) {
	for _, l := range []string{lineSynSent, lineSynRecv, lineSoftirq, lineV6, lineV6Listener, lineV6SynSent, lineTaskSpaces, lineNumbered, lineMPTCP, traceHeader} {
		f.Add(l)
	}
	f.Fuzz(func(t *testing.T, line string) {
		ch, ts, err := parseStateLine(line)
		if err != nil {
			return
		}
		if !ch.Local.IsValid() || !ch.Remote.IsValid() || ts < 0 {
			t.Errorf("parseStateLine(%q) = %v at %v: invalid", line, ch, ts)
		}
		if ch.Local.Addr().Is4In6() || ch.Remote.Addr().Is4In6() {
			t.Errorf("parseStateLine(%q) = %v: a mapped address", line, ch)
		}
		if _, err := parseTrace(line, func(time.Duration) time.Time { return time.Time{} }); err != nil {
			t.Errorf("parseTrace of a line parseStateLine takes: %v", err)
		}
	})
}

// linuxHandshake gives the changes Linux reports for a handshake's three
// steps, each a few microseconds from its segment as on lo: the client's
// SYN-SENT with port 0, and the server's SYN-RECEIVED only as the last ACK
// arrives.
func linuxHandshake(steps []Step, client, server netip.AddrPort) []KernelChange {
	at := func(i int, us int) time.Time { return steps[i].Event.Time.Add(time.Duration(us) * time.Microsecond) }
	return []KernelChange{
		{Time: at(0, -15), Local: netip.AddrPortFrom(client.Addr(), 0), Remote: server, Old: Closed, New: SynSent},
		{Time: at(1, 5), Local: client, Remote: server, Old: SynSent, New: Established},
		{Time: at(2, 3), Local: server, Remote: client, Old: Listen, New: SynReceived},
		{Time: at(2, 6), Local: server, Remote: client, Old: SynReceived, New: Established},
	}
}

// linuxNormal4 gives the changes Linux reports for scenarioNormal4's
// steps, and changes of the listener and of another connection, which are
// not the conversation's.
func linuxNormal4(steps []Step, client, server netip.AddrPort) []KernelChange {
	at := func(i int, us int) time.Time { return steps[i].Event.Time.Add(time.Duration(us) * time.Microsecond) }
	other := netip.AddrPortFrom(client.Addr(), client.Port()+1)
	c := func(t time.Time, old, new State) KernelChange {
		return KernelChange{Time: t, Local: client, Remote: server, Old: old, New: new}
	}
	s := func(t time.Time, old, new State) KernelChange {
		return KernelChange{Time: t, Local: server, Remote: client, Old: old, New: new}
	}
	return append(linuxHandshake(steps, client, server),
		KernelChange{Time: at(3, -1), Local: other, Remote: server, Old: Established, New: Closed},
		c(at(10, -3), Established, FinWait1),
		s(at(10, 3), Established, CloseWait),
		c(at(11, 4), FinWait1, FinWait2),
		c(at(12, 4), FinWait2, Closed), // printed before the server's: time sorts it
		s(at(12, -3), CloseWait, LastAck),
		s(at(13, 3), LastAck, Closed),
		KernelChange{Time: at(13, 900), Local: server, Remote: netip.AddrPortFrom(netip.IPv4Unspecified(), 0), Old: Listen, New: Closed},
	)
}

// linuxReset gives the changes Linux reports for scenarioReset's steps:
// the client closes just before its RST leaves, the server just after it
// arrives.
func linuxReset(steps []Step, client, server netip.AddrPort) []KernelChange {
	at := func(i int, us int) time.Time { return steps[i].Event.Time.Add(time.Duration(us) * time.Microsecond) }
	return append(linuxHandshake(steps, client, server),
		KernelChange{Time: at(5, -2), Local: client, Remote: server, Old: Established, New: Closed},
		KernelChange{Time: at(5, 3), Local: server, Remote: client, Old: Established, New: Closed},
	)
}

// linuxRefused gives the changes Linux reports for scenarioRefused's
// steps: the client's alone.
func linuxRefused(steps []Step, client, server netip.AddrPort) []KernelChange {
	return []KernelChange{
		{Time: steps[0].Event.Time.Add(-9 * time.Microsecond), Local: client, Remote: server, Old: Closed, New: SynSent},
		{Time: steps[1].Event.Time.Add(7 * time.Microsecond), Local: client, Remote: server, Old: SynSent, New: Closed},
	}
}

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

func TestLadderKernelGolden(t *testing.T) {
	tests := []struct {
		name     string
		events   []Event
		initial  States
		changes  func([]Step, netip.AddrPort, netip.AddrPort) []KernelChange
		renderer Renderer
	}{
		{"kernel_normal4", scenarioNormal4(client4, server4), st(Closed, Listen), linuxNormal4, Renderer{}},
		{"kernel_reset_color", scenarioReset(client4, server4), st(Closed, Listen), linuxReset, Renderer{Color: true}},
		{"kernel_refused_narrow", scenarioRefused(client4, server4), st(Closed, Closed), linuxRefused, Renderer{Width: 20}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := conversationOf(t, KindTCP, client4, server4, tt.initial, tt.events)
			c.AttachKernel(tt.changes(c.Steps(), client4, server4))
			var got bytes.Buffer
			r := tt.renderer
			r.Out = &got
			if err := r.Render(c); err != nil {
				t.Fatal(err)
			}
			for _, line := range strings.Split(strings.TrimSuffix(got.String(), "\n"), "\n") {
				if n := runeLen(line); n > r.width() {
					t.Errorf("line %d columns wide, more than %d: %q", n, r.width(), line)
				}
			}
			checkGolden(t, tt.name, got.Bytes())
		})
	}
}

func TestStepKernelJSON(t *testing.T) {
	c := conversationOf(t, KindTCP, client4, server4, st(Closed, Listen), scenarioNormal4(client4, server4))
	b, err := json.Marshal(c.Steps()[0])
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(b), "Kernel") {
		t.Errorf("a step without the kernel's states has them in JSON: %s", b)
	}
	c.AttachKernel(linuxNormal4(c.Steps(), client4, server4))
	b, err = json.Marshal(c.Steps()[2])
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"Kernel":{"After":{"Client":"ESTABLISHED","Server":"ESTABLISHED"}`, `"Old":"LISTEN","New":"SYN-RECEIVED"`, `"Local":"127.0.0.1:8080"`} {
		if !strings.Contains(string(b), want) {
			t.Errorf("JSON lacks %s: %s", want, b)
		}
	}
}
