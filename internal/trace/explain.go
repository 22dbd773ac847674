package trace

import (
	"net/netip"
	"strconv"

	"github.com/upcase/upcase/internal/lang"
)

// Explain says in one plain sentence, in l, what a step means, as a
// teacher would say it to someone seeing TCP (or UDP, or ARP) for the
// first time: why the ISN cannot be guessed, why the ack is seq + 1, what
// data and its ACK mean, why the teardown takes four steps or sometimes
// three segments, what TIME-WAIT is for, what a RST does, why data may
// still flow after a FIN (a half-open connection). It reads only the step,
// so it gives the same sentence for the same step. Every sentence is in
// explainMsg, in English and Chinese.
func Explain(s Step, l lang.Lang) string {
	switch s.Event.Kind {
	case KindTCP:
		return explainTCP(s, l)
	case KindUDP:
		return explainUDP(s, l)
	case KindARP:
		return explainARP(s, l)
	}
	return ""
}

// names gives, in l, the sender's and the receiver's names for a step
// going dir.
func names(dir Direction, l lang.Lang) (snd, rcv string) {
	client, server := explainMsg.Client.In(l), explainMsg.Server.In(l)
	if dir == ServerToClient {
		return server, client
	}
	return client, server
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
func explainTCP(s Step, l lang.Lang) string {
	m := &explainMsg
	h, n := s.Event.TCP, len(s.Event.Payload)
	snd, rcv := names(s.Dir, l)
	sb, rb := sideStates(s.Before, s.Dir)
	sa, ra := sideStates(s.After, s.Dir)
	switch {
	case h.Flags.Has(FlagRST):
		return explainRST(s, l, snd, rb)
	case h.Flags.Has(FlagSYN) && !h.Flags.Has(FlagACK):
		return m.SYN.F(l, snd, h.Seq)
	case h.Flags.Has(FlagSYN):
		return m.SYNACK.F(l, snd, rcv, h.Seq)
	case rb == SynReceived && ra == Established:
		also := ""
		if n > 0 {
			also = m.HandshakeData.F(l, n)
		}
		return m.Handshake.F(l, snd, rcv, also)
	case sb != sa || rb != ra:
		return explainClose(l, snd, rcv, sb, sa, rb, ra, s.Event.Payload)
	case n > 0 && sa == CloseWait:
		return m.DataAfterFIN.F(l, snd, n, preview(s.Event.Payload), rcv, halfOpen(l, snd, rcv, m.InState.F(l, stateIn(l, ra))))
	case n > 0:
		return explainData(s, l, snd, rcv, n)
	case s.Acked > 0 && sa == FinWait2:
		return m.AckInFinWait2.F(l, snd, rcv, rcv)
	case s.Acked > 0:
		return m.Ack.F(l, snd)
	}
	return m.AckNothingNew.F(l, snd)
}

// explainRST explains a reset: a refused connection or an aborted one.
func explainRST(s Step, l lang.Lang, snd string, rcvBefore State) string {
	if rcvBefore == SynSent {
		return explainMsg.Refused.F(l, s.Event.Src.Port(), explainMsg.Client.In(l))
	}
	return explainMsg.Abort.F(l, snd)
}

// explainClose explains a segment of the teardown by the states it moved;
// payload is the data it carries.
func explainClose(l lang.Lang, snd, rcv string, sb, sa, rb, ra State, payload []byte) string {
	m := &explainMsg
	n := len(payload)
	last := ""
	if n > 0 {
		last = m.LastBytes.F(l, n)
	}
	switch {
	case sa == FinWait1:
		return m.FIN.F(l, snd, last, rcv)
	case sa == LastAck && rb == FinWait1 && ra == TimeWait:
		return m.FINWithACK.F(l, snd, rcv)
	case sa == LastAck:
		return m.SecondFIN.F(l, snd, last)
	case sa == Closing && sb != Closing:
		return m.Simultaneous.F(l, snd, rcv)
	case rb == FinWait1 && ra == FinWait2 && sa == CloseWait && n > 0:
		return m.AckFINWithData.F(l, snd, rcv, n, preview(payload), halfOpen(l, snd, rcv, m.NowInState.F(l, stateIn(l, ra))))
	case rb == FinWait1 && ra == FinWait2:
		return m.AckFIN.F(l, snd, rcv, snd)
	case rb == LastAck && ra == Closed:
		return m.LastACK.F(l, snd, rcv, rcv, snd)
	case rb == Closing && ra == TimeWait:
		return m.ClosingToTimeWait.F(l, snd, rcv, rcv)
	}
	return m.Moved.F(l, snd, stateIn(l, sa), rcv, stateIn(l, ra))
}

// explainData explains a segment that carries data.
func explainData(s Step, l lang.Lang, snd, rcv string, n int) string {
	also := ""
	if s.Acked > 0 {
		also = explainMsg.DataAcks.F(l, rcv)
	}
	return explainMsg.Data.F(l, snd, n, preview(s.Event.Payload), also, n)
}

// explainUDP explains a datagram.
func explainUDP(s Step, l lang.Lang) string {
	p := s.Event.Payload
	if s.Dir == ServerToClient {
		return explainMsg.UDPAnswer.F(l, explainMsg.Server.In(l), preview(p))
	}
	return explainMsg.UDPRequest.F(l, explainMsg.Client.In(l), len(p), preview(p))
}

// explainARP explains an ARP request or reply.
func explainARP(s Step, l lang.Lang) string {
	a := s.Event.ARP
	snd, _ := names(s.Dir, l)
	if a.Op == ARPReply {
		return explainMsg.ARPReply.F(l, snd, a.SenderIP, a.SenderMAC)
	}
	return explainMsg.ARPRequest.F(l, a.TargetIP, snd, Broadcast, a.TargetIP)
}

// explainGatewayARP explains, in l, an ARP message to or from a router
// (see Conversation.SetGateways); server is the server's IP address.
func explainGatewayARP(s Step, server netip.Addr, l lang.Lang) string {
	m := &explainMsg
	a := s.Event.ARP
	fromRouter := a.SenderIP != server && s.Dir == ServerToClient || a.TargetIP == server
	atServer := a.SenderIP == server || a.TargetIP == server
	host, router := m.Client.In(l), m.Router.In(l)
	if atServer {
		host = m.Server.In(l)
	}
	switch {
	case a.Op == ARPRequest && !fromRouter && !atServer:
		return m.GatewayAsk.F(l, m.Server.In(l), server, host, a.TargetIP)
	case a.Op == ARPRequest && !fromRouter:
		return m.GatewayAskServer.F(l, host, a.TargetIP)
	case a.Op == ARPRequest:
		return m.RouterAsks.F(l, router, a.TargetIP, host)
	case fromRouter:
		return m.RouterReply.F(l, router, a.SenderIP, a.SenderMAC, host)
	}
	return m.ReplyToRouter.F(l, host, router, a.SenderIP, a.SenderMAC)
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

// halfOpen says, in l, why data still flows from snd, in CLOSE-WAIT, to
// rcv, whose FIN closed only its own direction; rcvIn is where rcv is
// ("in FIN-WAIT-2").
func halfOpen(l lang.Lang, snd, rcv, rcvIn string) string {
	return explainMsg.HalfOpen.F(l, rcv, snd, rcv, rcvIn, snd)
}
