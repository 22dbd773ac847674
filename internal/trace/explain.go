package trace

import (
	"fmt"
	"net/netip"
	"strconv"
)

// Explain says in one plain sentence what a step means, as a teacher would
// say it to someone seeing TCP (or UDP, or ARP) for the first time: why the
// ISN cannot be guessed, why the ack is seq + 1, what data and its ACK mean, why the
// teardown takes four steps or sometimes three segments, what TIME-WAIT is
// for, what a RST does, why data may still flow after a FIN (a half-open
// connection). It reads only the step, so it gives the same
// sentence for the same step.
func Explain(s Step) string {
	switch s.Event.Kind {
	case KindTCP:
		return explainTCP(s)
	case KindUDP:
		return explainUDP(s)
	case KindARP:
		return explainARP(s)
	}
	return ""
}

// names gives the sender's and the receiver's names for a step going dir.
func names(dir Direction) (snd, rcv string) {
	if dir == ServerToClient {
		return "server", "client"
	}
	return "client", "server"
}

// sideStates gives the sender's and the receiver's states out of st.
func sideStates(st States, dir Direction) (snd, rcv State) {
	if dir == ServerToClient {
		return st.Server, st.Client
	}
	return st.Client, st.Server
}

// explainTCP explains a TCP segment by what it did to the two sides' states,
// or, when it changed none, by what it carries.
func explainTCP(s Step) string {
	h, n := s.Event.TCP, len(s.Event.Payload)
	snd, rcv := names(s.Dir)
	sb, rb := sideStates(s.Before, s.Dir)
	sa, ra := sideStates(s.After, s.Dir)
	switch {
	case h.Flags.Has(FlagRST):
		return explainRST(s, snd, rb)
	case h.Flags.Has(FlagSYN) && !h.Flags.Has(FlagACK):
		return fmt.Sprintf("The %s asks to open a connection with SYN and its initial sequence number (ISN), %d, which no outsider can guess: a clock plus a keyed hash of the addresses and ports (RFC 6528), so that segments left over from an old connection, or forged ones, do not fit the new one.", snd, h.Seq)
	case h.Flags.Has(FlagSYN):
		return fmt.Sprintf("The %s accepts with SYN, ACK: its ack is the %s's ISN + 1, because a SYN uses up one sequence number, and it sends its own ISN, %d, chosen the same way.", snd, rcv, h.Seq)
	case rb == SynReceived && ra == Established:
		also := ""
		if n > 0 {
			also = fmt.Sprintf(", and this segment already carries %d bytes of data", n)
		}
		return fmt.Sprintf("The %s acknowledges the %s's SYN (its ISN + 1), so both sides are ESTABLISHED: that was the three-way handshake%s.", snd, rcv, also)
	case sb != sa || rb != ra:
		return explainClose(snd, rcv, sb, sa, rb, ra, s.Event.Payload)
	case n > 0 && sa == CloseWait:
		return fmt.Sprintf("The %s still sends %d bytes of data (%s) after the %s's FIN: %s", snd, n, preview(s.Event.Payload), rcv, halfOpen(snd, rcv, "in "+ra.String()))
	case n > 0:
		return explainData(s, snd, rcv, n)
	case s.Acked > 0 && sa == FinWait2:
		return fmt.Sprintf("The %s acknowledges the data although it has sent its FIN: in FIN-WAIT-2 only its own direction is closed, so it still receives, and acknowledges, what the %s sends until the %s's FIN.", snd, rcv, rcv)
	case s.Acked > 0:
		return fmt.Sprintf("The %s acknowledges the data: its ack is the number of the next byte it expects, so everything before it has arrived, and its window says how many more bytes it can take.", snd)
	}
	return fmt.Sprintf("The %s sends an ACK that acknowledges nothing new: a window update, a keep-alive or a duplicate ACK.", snd)
}

// explainRST explains a reset: a refused connection or an aborted one.
func explainRST(s Step, snd string, rcvBefore State) string {
	if rcvBefore == SynSent {
		port := s.Event.Src.Port()
		return fmt.Sprintf("Nobody is listening on port %d, so the kernel answers the SYN with RST: the connection is refused, and the client gives up at once.", port)
	}
	return fmt.Sprintf("The %s aborts the connection with RST instead of FIN (as a close with SO_LINGER set to 0 does): there is no goodbye, data not yet read is thrown away, and both sides forget the connection at once, with no TIME-WAIT.", snd)
}

// explainClose explains a segment of the teardown by the states it moved;
// payload is the data it carries.
func explainClose(snd, rcv string, sb, sa, rb, ra State, payload []byte) string {
	n := len(payload)
	last := ""
	if n > 0 {
		last = fmt.Sprintf("sends its last %d bytes and ", n)
	}
	switch {
	case sa == FinWait1:
		return fmt.Sprintf("The %s %shas nothing more to send, so it closes its direction with FIN, a half-close: the %s can still send, and the FIN uses up one sequence number, as a SYN does.", snd, last, rcv)
	case sa == LastAck && rb == FinWait1 && ra == TimeWait:
		return fmt.Sprintf("The %s acknowledges the %s's FIN and closes its own direction in the same segment: its ACK, delayed a little, rode on its FIN, which is why this teardown takes three segments instead of four.", snd, rcv)
	case sa == LastAck:
		return fmt.Sprintf("Now the %s %scloses its own direction with FIN: each direction closes on its own, which is why the teardown takes four steps (FIN, ACK, FIN, ACK).", snd, last)
	case sa == Closing && sb != Closing:
		return fmt.Sprintf("The %s's FIN does not acknowledge the %s's FIN, so it was sent before that FIN arrived: both sides are closing at once (a simultaneous close), and each waits in CLOSING for the ACK of its own FIN.", snd, rcv)
	case rb == FinWait1 && ra == FinWait2 && sa == CloseWait && n > 0:
		return fmt.Sprintf("The %s acknowledges the %s's FIN and in the same segment still sends %d bytes of data (%s): %s", snd, rcv, n, preview(payload), halfOpen(snd, rcv, "now in FIN-WAIT-2"))
	case rb == FinWait1 && ra == FinWait2:
		return fmt.Sprintf("The %s acknowledges the FIN (ack = the FIN's seq + 1): the %s's direction is closed, but the %s may still send data until it closes its own direction too.", snd, rcv, snd)
	case rb == LastAck && ra == Closed:
		return fmt.Sprintf("The %s acknowledges the %s's FIN, so the %s is CLOSED; the %s stays in TIME-WAIT so that it can resend this last ACK if it is lost, and so that old segments of this connection die out before its addresses and ports are used again: for 2×MSL in RFC 9293 (4 minutes), for a fixed 60 s on Linux, which does not derive it from an MSL.", snd, rcv, rcv, snd)
	case rb == Closing && ra == TimeWait:
		return fmt.Sprintf("The %s acknowledges the %s's FIN, so the %s moves from CLOSING to TIME-WAIT, where it waits (2×MSL in RFC 9293, a fixed 60 s on Linux) so that a lost ACK can be resent and old segments die out.", snd, rcv, rcv)
	}
	return fmt.Sprintf("The %s is now %s and the %s %s.", snd, sa, rcv, ra)
}

// explainData explains a segment that carries data.
func explainData(s Step, snd, rcv string, n int) string {
	also := ""
	if s.Acked > 0 {
		also = fmt.Sprintf(" and in the same segment acknowledges the %s's data, so no separate ACK is needed", rcv)
	}
	return fmt.Sprintf("The %s sends %d bytes of data (%s)%s; seq counts bytes, so its next segment will have seq = this seq + %d.", snd, n, preview(s.Event.Payload), also, n)
}

// explainUDP explains a datagram.
func explainUDP(s Step) string {
	p := s.Event.Payload
	if s.Dir == ServerToClient {
		return fmt.Sprintf("The server answers with one datagram of its own (%s); if either were lost, nobody would resend it, and no teardown follows: UDP keeps no connection to close.", preview(p))
	}
	return fmt.Sprintf("The client sends a %d-byte UDP datagram (%s) straight away: no handshake before it, no sequence number in it, no acknowledgement after it.", len(p), preview(p))
}

// explainARP explains an ARP request or reply.
func explainARP(s Step) string {
	a := s.Event.ARP
	snd, _ := names(s.Dir)
	if a.Op == ARPReply {
		return fmt.Sprintf("The %s answers with an ARP reply sent straight back to the asker: %s is at %s; the asker caches that and can now address Ethernet frames to it.", snd, a.SenderIP, a.SenderMAC)
	}
	return fmt.Sprintf("To send an IP packet to %s on its own link, the %s first needs its MAC address, so it broadcasts an ARP request to %s: who has %s?", a.TargetIP, snd, Broadcast, a.TargetIP)
}

// explainGatewayARP explains an ARP message to or from a router (see
// Conversation.SetGateways); server is the server's IP address.
func explainGatewayARP(s Step, server netip.Addr) string {
	a := s.Event.ARP
	fromRouter := a.SenderIP != server && s.Dir == ServerToClient || a.TargetIP == server
	host := "client"
	if a.SenderIP == server || a.TargetIP == server {
		host = "server"
	}
	switch {
	case a.Op == ARPRequest && !fromRouter && host == "client":
		return fmt.Sprintf("The server %s is on another subnet, so the client sends its packets to its default gateway, %s, and broadcasts an ARP request for the gateway's MAC address, not the server's: who has %s?", server, a.TargetIP, a.TargetIP)
	case a.Op == ARPRequest && !fromRouter:
		return fmt.Sprintf("The server needs the MAC address of its gateway, %s, to answer a host off its own subnet, so it broadcasts an ARP request: who has %s?", a.TargetIP, a.TargetIP)
	case a.Op == ARPRequest:
		return fmt.Sprintf("The router has a packet to forward to %s, which is on this link, so it broadcasts an ARP request for the %s's own MAC address: who has %s?", a.TargetIP, host, a.TargetIP)
	case fromRouter:
		return fmt.Sprintf("The router answers: %s is at %s. The %s puts that MAC address, the gateway's, as the destination of every frame it sends off its subnet, while the IP destination stays the far host's.", a.SenderIP, a.SenderMAC, host)
	}
	return fmt.Sprintf("The %s answers the router with an ARP reply: %s is at %s; the router can now put the %s's MAC address on the frames it forwards.", host, a.SenderIP, a.SenderMAC, host)
}

// previewMax is how many payload bytes a preview shows.
const previewMax = 24

// preview quotes the start of a payload in ASCII, escaping what is not
// printable, with "..." when there is more.
func preview(b []byte) string {
	if len(b) > previewMax {
		return strconv.QuoteToASCII(string(b[:previewMax])) + "..."
	}
	return strconv.QuoteToASCII(string(b))
}

// halfOpen says why data still flows from snd, in CLOSE-WAIT, to rcv,
// whose FIN closed only its own direction; rcvIn is where rcv is ("in
// FIN-WAIT-2").
func halfOpen(snd, rcv, rcvIn string) string {
	return fmt.Sprintf("the connection is half open, because that FIN closed only the %s's direction, so the %s, in CLOSE-WAIT, may still send, and the %s, %s, still receives until the %s closes its own direction too.", rcv, snd, rcv, rcvIn, snd)
}
