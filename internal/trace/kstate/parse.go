package kstate

import (
	"errors"
	"fmt"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/upcase/upcase/internal/trace"
)

// ErrUnavailable is wrapped by Start's error when the kernel's
// own TCP states cannot be read at all: off Linux, without root in the
// initial user namespace, without tracefs or without the tracepoint. A
// caller shows the inferred states alone then; it is not a failure.
var ErrUnavailable = errors.New("kstate: the kernel's own TCP states are unavailable")

// linuxStateNames are the names the tracepoint prints for Linux's states
// (include/net/tcp_states.h).
var linuxStateNames = map[string]uint8{
	"TCP_ESTABLISHED":  1,
	"TCP_SYN_SENT":     2,
	"TCP_SYN_RECV":     3,
	"TCP_FIN_WAIT1":    4,
	"TCP_FIN_WAIT2":    5,
	"TCP_TIME_WAIT":    6,
	"TCP_CLOSE":        7,
	"TCP_CLOSE_WAIT":   8,
	"TCP_LAST_ACK":     9,
	"TCP_LISTEN":       10,
	"TCP_CLOSING":      11,
	"TCP_NEW_SYN_RECV": 12,
}

// errNotTCP is returned by parseStateLine for a change of another
// protocol's socket (SCTP, MPTCP), which the caller passes over.
var errNotTCP = errors.New("not a TCP socket")

// parseStateLine parses one line of a tracefs trace with the
// sock:inet_sock_set_state event, such as
//
//	python3-12551 [000] ..... 12710.868595: inet_sock_set_state: family=AF_INET protocol=IPPROTO_TCP sport=0 dport=42777 saddr=127.0.0.1 daddr=127.0.0.1 saddrv6=::ffff:127.0.0.1 daddrv6=::ffff:127.0.0.1 oldstate=TCP_CLOSE newstate=TCP_SYN_SENT
//
// It gives the change without its Time, and the timestamp as printed: the
// trace clock's reading (for the "mono" clock, CLOCK_MONOTONIC).
func parseStateLine(line string) (trace.KernelChange, time.Duration, error) {
	const event = ": inet_sock_set_state: "
	head, body, ok := strings.Cut(line, event)
	if !ok {
		return trace.KernelChange{}, 0, errors.New("not an inet_sock_set_state event")
	}
	fields := strings.Fields(head)
	if len(fields) == 0 {
		return trace.KernelChange{}, 0, errors.New("no timestamp")
	}
	ts, err := parseTraceTime(fields[len(fields)-1])
	if err != nil {
		return trace.KernelChange{}, 0, err
	}
	kv := map[string]string{}
	for _, f := range strings.Fields(body) {
		k, v, ok := strings.Cut(f, "=")
		if !ok {
			return trace.KernelChange{}, 0, fmt.Errorf("field %q: no value", f)
		}
		kv[k] = v
	}
	for _, k := range []string{"family", "protocol", "sport", "dport", "oldstate", "newstate"} {
		if _, ok := kv[k]; !ok {
			return trace.KernelChange{}, 0, fmt.Errorf("no %s", k)
		}
	}
	if p := kv["protocol"]; p != "IPPROTO_TCP" && p != "6" {
		return trace.KernelChange{}, 0, fmt.Errorf("protocol %s: %w", p, errNotTCP)
	}
	var src, dst string
	switch kv["family"] {
	case "AF_INET", "2":
		src, dst = kv["saddr"], kv["daddr"]
	case "AF_INET6", "10":
		src, dst = kv["saddrv6"], kv["daddrv6"]
	default:
		return trace.KernelChange{}, 0, fmt.Errorf("family %q", kv["family"])
	}
	var ch trace.KernelChange
	if ch.Local, err = addrPort(src, kv["sport"]); err != nil {
		return trace.KernelChange{}, 0, fmt.Errorf("source: %w", err)
	}
	if ch.Remote, err = addrPort(dst, kv["dport"]); err != nil {
		return trace.KernelChange{}, 0, fmt.Errorf("destination: %w", err)
	}
	if ch.Old, err = linuxState(kv["oldstate"]); err != nil {
		return trace.KernelChange{}, 0, err
	}
	if ch.New, err = linuxState(kv["newstate"]); err != nil {
		return trace.KernelChange{}, 0, err
	}
	return ch, ts, nil
}

// addrPort parses an address and a decimal port as the tracepoint prints
// them. An IPv4-mapped IPv6 address is unmapped, as a Frame's addresses are.
func addrPort(addr, port string) (netip.AddrPort, error) {
	a, err := netip.ParseAddr(addr)
	if err != nil {
		return netip.AddrPort{}, err
	}
	if a.Zone() != "" {
		return netip.AddrPort{}, fmt.Errorf("address %q has a zone", addr)
	}
	p, err := strconv.ParseUint(port, 10, 16)
	if err != nil {
		return netip.AddrPort{}, fmt.Errorf("port %q: %w", port, err)
	}
	return netip.AddrPortFrom(a.Unmap(), uint16(p)), nil
}

// linuxState parses a state as the tracepoint prints it: its name, or its
// number where the kernel has no name for it.
func linuxState(s string) (trace.State, error) {
	n, ok := linuxStateNames[s]
	if !ok {
		v, err := strconv.ParseUint(s, 0, 8)
		if err != nil {
			return 0, fmt.Errorf("state %q unknown", s)
		}
		n = uint8(v)
	}
	st, ok := trace.StateFromLinux(n)
	if !ok {
		return 0, fmt.Errorf("state %q unknown", s)
	}
	return st, nil
}

// parseTraceTime parses a trace's timestamp, "12710.868595:", seconds and
// a fraction, into a duration since the clock's zero.
func parseTraceTime(s string) (time.Duration, error) {
	s = strings.TrimSuffix(s, ":")
	secs, frac, _ := strings.Cut(s, ".")
	if secs == "" || len(frac) > 9 {
		return 0, fmt.Errorf("timestamp %q", s)
	}
	sec, err := strconv.ParseUint(secs, 10, 32)
	if err != nil {
		return 0, fmt.Errorf("timestamp %q", s)
	}
	var ns uint64
	if frac != "" {
		if ns, err = strconv.ParseUint(frac, 10, 32); err != nil {
			return 0, fmt.Errorf("timestamp %q", s)
		}
		for range 9 - len(frac) {
			ns *= 10
		}
	}
	return time.Duration(sec)*time.Second + time.Duration(ns), nil
}

// parseTrace parses a tracefs instance's trace file: its changes, in the
// order printed, each stamped by at(timestamp). Comment lines are passed
// over, but their count of entries lost to a full buffer is reported.
func parseTrace(text string, at func(time.Duration) time.Time) ([]trace.KernelChange, error) {
	var changes []trace.KernelChange
	var errs []error
	for line := range strings.Lines(text) {
		line = strings.TrimRight(line, "\n")
		if strings.TrimSpace(line) == "" {
			continue
		}
		if strings.HasPrefix(line, "#") {
			if err := lostEntries(line); err != nil {
				errs = append(errs, err)
			}
			continue
		}
		ch, ts, err := parseStateLine(line)
		if errors.Is(err, errNotTCP) {
			continue
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("parse %q: %w", line, err))
			continue
		}
		ch.Time = at(ts)
		changes = append(changes, ch)
	}
	return changes, errors.Join(errs...)
}

// lostEntries reads the header line "# entries-in-buffer/entries-written:
// 10/12   #P:2" and reports entries written but no longer in the buffer.
func lostEntries(line string) error {
	const key = "entries-in-buffer/entries-written:"
	_, rest, ok := strings.Cut(line, key)
	if !ok {
		return nil
	}
	fields := strings.Fields(rest)
	if len(fields) == 0 {
		return nil
	}
	in, written, ok := strings.Cut(fields[0], "/")
	if !ok {
		return nil
	}
	n, err1 := strconv.ParseUint(in, 10, 64)
	w, err2 := strconv.ParseUint(written, 10, 64)
	if err1 != nil || err2 != nil || n >= w {
		return nil
	}
	return fmt.Errorf("the kernel's trace buffer overflowed: %d of %d state changes lost", w-n, w)
}
