package kstate

import (
	"errors"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/upcase/upcase/internal/trace"
)

// Lines of a real trace (Linux 6.18), captured with the instance set up as
// Start does.
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
		want trace.KernelChange
		ts   time.Duration
	}{
		{lineSynSent, trace.KernelChange{Local: ap("127.0.0.1:0"), Remote: ap("127.0.0.1:42777"), Old: trace.Closed, New: trace.SynSent}, 12710*time.Second + 868595*time.Microsecond},
		{lineSynRecv, trace.KernelChange{Local: ap("127.0.0.1:42777"), Remote: ap("127.0.0.1:41560"), Old: trace.Listen, New: trace.SynReceived}, 12710*time.Second + 868625*time.Microsecond},
		{lineSoftirq, trace.KernelChange{Local: ap("127.0.0.1:41560"), Remote: ap("127.0.0.1:42777"), Old: trace.FinWait1, New: trace.FinWait2}, 12710*time.Second + 912065*time.Microsecond},
		// IPv6: the IPv4 fields hold garbage.
		{lineV6, trace.KernelChange{Local: ap("[::1]:35119"), Remote: ap("[::1]:52442"), Old: trace.Listen, New: trace.SynReceived}, 12719*time.Second + 754473*time.Microsecond},
		{lineV6Listener, trace.KernelChange{Local: ap("[::1]:35119"), Remote: ap("[::]:0"), Old: trace.Listen, New: trace.Closed}, 12719*time.Second + 768084*time.Microsecond},
		{lineV6SynSent, trace.KernelChange{Local: ap("[::1]:0"), Remote: ap("[::1]:35119"), Old: trace.Closed, New: trace.SynSent}, 12719*time.Second + 768135*time.Microsecond},
		{lineTaskSpaces, trace.KernelChange{Local: ap("10.0.0.2:8080"), Remote: ap("10.0.0.1:40312"), Old: trace.LastAck, New: trace.Closed}, 7*time.Second + time.Microsecond},
		// Numbers where the kernel has no name; TCP_NEW_SYN_RECV is 12.
		{lineNumbered, trace.KernelChange{Local: ap("1.2.3.4:1"), Remote: ap("5.6.7.8:2"), Old: trace.SynReceived, New: trace.Established}, 100*time.Second + 500*time.Millisecond},
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
	if want := base.Add(868595 * time.Microsecond); !changes[0].Time.Equal(want) || changes[0].New != trace.SynSent {
		t.Errorf("first change %v at %v; want SYN-SENT at %v", changes[0], changes[0].Time, want)
	}
	if changes[2].New != trace.FinWait2 {
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
