package tracetest

import (
	"net/netip"
	"time"
)

// LinuxState is a TCP state as Linux numbers it (include/net/tcp_states.h),
// the number the sock:inet_sock_set_state tracepoint reports;
// trace.StateFromLinux names it.
type LinuxState uint8

// Linux's TCP states.
const (
	Established LinuxState = 1 + iota
	SynSent
	SynRecv
	FinWait1
	FinWait2
	TimeWait
	Close
	CloseWait
	LastAck
	Listen
	Closing
)

// KernelChange is one change of a socket's TCP state as Linux reports it:
// what a trace.KernelChange holds, with Linux's state numbers.
type KernelChange struct {
	Time          time.Time
	Local, Remote netip.AddrPort
	Old, New      LinuxState
}

// The kernel's changes for the conversations of scenarios.go: each
// function takes the times of the conversation's segments, in order, and
// gives the changes Linux reports for them, each a few microseconds from
// its segment as on lo.

// LinuxHandshake gives the changes of a handshake's three segments: the
// client's SYN-SENT with port 0, and the server's SYN-RECEIVED only as the
// last ACK arrives.
func LinuxHandshake(times []time.Time, client, server netip.AddrPort) []KernelChange {
	at := func(i int, us int) time.Time { return times[i].Add(time.Duration(us) * time.Microsecond) }
	return []KernelChange{
		{Time: at(0, -15), Local: netip.AddrPortFrom(client.Addr(), 0), Remote: server, Old: Close, New: SynSent},
		{Time: at(1, 5), Local: client, Remote: server, Old: SynSent, New: Established},
		{Time: at(2, 3), Local: server, Remote: client, Old: Listen, New: SynRecv},
		{Time: at(2, 6), Local: server, Remote: client, Old: SynRecv, New: Established},
	}
}

// LinuxNormal4 gives the changes of Normal4, and changes of the listener
// and of another connection, which are not the conversation's.
func LinuxNormal4(times []time.Time, client, server netip.AddrPort) []KernelChange {
	at := func(i int, us int) time.Time { return times[i].Add(time.Duration(us) * time.Microsecond) }
	other := netip.AddrPortFrom(client.Addr(), client.Port()+1)
	c := func(t time.Time, old, new LinuxState) KernelChange {
		return KernelChange{Time: t, Local: client, Remote: server, Old: old, New: new}
	}
	s := func(t time.Time, old, new LinuxState) KernelChange {
		return KernelChange{Time: t, Local: server, Remote: client, Old: old, New: new}
	}
	return append(LinuxHandshake(times, client, server),
		KernelChange{Time: at(3, -1), Local: other, Remote: server, Old: Established, New: Close},
		c(at(10, -3), Established, FinWait1),
		s(at(10, 3), Established, CloseWait),
		c(at(11, 4), FinWait1, FinWait2),
		c(at(12, 4), FinWait2, Close), // printed before the server's: time sorts it
		s(at(12, -3), CloseWait, LastAck),
		s(at(13, 3), LastAck, Close),
		KernelChange{Time: at(13, 900), Local: server, Remote: netip.AddrPortFrom(netip.IPv4Unspecified(), 0), Old: Listen, New: Close},
	)
}

// LinuxReset gives the changes of Reset: the client closes just before
// its RST leaves, the server just after it arrives.
func LinuxReset(times []time.Time, client, server netip.AddrPort) []KernelChange {
	at := func(i int, us int) time.Time { return times[i].Add(time.Duration(us) * time.Microsecond) }
	return append(LinuxHandshake(times, client, server),
		KernelChange{Time: at(5, -2), Local: client, Remote: server, Old: Established, New: Close},
		KernelChange{Time: at(5, 3), Local: server, Remote: client, Old: Established, New: Close},
	)
}

// LinuxRefused gives the changes of Refused: the client's alone.
func LinuxRefused(times []time.Time, client, server netip.AddrPort) []KernelChange {
	return []KernelChange{
		{Time: times[0].Add(-9 * time.Microsecond), Local: client, Remote: server, Old: Close, New: SynSent},
		{Time: times[1].Add(7 * time.Microsecond), Local: client, Remote: server, Old: SynSent, New: Close},
	}
}
