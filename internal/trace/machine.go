package trace

// endpoint is what the state machine knows of one side.
type endpoint struct {
	state State
	// synSent says the side sent a SYN, numbered isn.
	synSent bool
	isn     uint32
	// finSent says the side sent a FIN, numbered fin.
	finSent bool
	fin     uint32
}

// finAckedBy reports whether ack acknowledges e's FIN.
func (e *endpoint) finAckedBy(ack uint32) bool {
	return e.finSent && seqAfterOrAt(ack, e.fin+1)
}

// machine is the RFC 9293 state machine for both sides of one connection.
// Segments are given in the order they were seen; each one moves its sender
// (on sending) and its receiver (on receiving) at once, as on loopback.
type machine struct {
	client, server endpoint
}

// sides gives the sender and the receiver of a segment going dir.
func (m *machine) sides(dir Direction) (snd, rcv *endpoint) {
	if dir == ServerToClient {
		return &m.server, &m.client
	}
	return &m.client, &m.server
}

// states gives both sides' states.
func (m *machine) states() States {
	return States{Client: m.client.state, Server: m.server.state}
}

// step moves both sides for one segment with the given header going dir,
// carrying n payload bytes.
func (m *machine) step(dir Direction, h TCP, n int) {
	snd, rcv := m.sides(dir)
	if h.Flags.Has(FlagRST) {
		reset(snd, rcv)
		return
	}
	if h.Flags.Has(FlagSYN) {
		syn(snd, rcv, h)
	}
	if h.Flags.Has(FlagACK) {
		ack(rcv, h.Ack)
	}
	if h.Flags.Has(FlagFIN) {
		fin(snd, rcv, h, n)
	}
}

// reset handles a RST: it aborts the connection on both sides. A listener
// that sends or gets one stays a listener (RFC 9293 3.10.7.2: a RST in
// LISTEN is ignored); a SYN-SENT side gets "connection refused".
func reset(snd, rcv *endpoint) {
	if snd.state != Listen {
		snd.state = Closed
	}
	if rcv.state != Listen {
		rcv.state = Closed
	}
}

// syn handles the SYN of an active open (no ACK) or of the answer (SYN,
// ACK).
func syn(snd, rcv *endpoint, h TCP) {
	snd.synSent, snd.isn = true, h.Seq
	if !h.Flags.Has(FlagACK) {
		// Active open: the sender asks, a listener (or a side that asked at
		// the same time: simultaneous open) answers.
		if snd.state == Closed {
			snd.state = SynSent
		}
		if rcv.state == Listen || rcv.state == SynSent {
			rcv.state = SynReceived
		}
		return
	}
	if snd.state == Listen || snd.state == SynSent {
		snd.state = SynReceived
	}
	// The asker, once its SYN is acknowledged, is ESTABLISHED at once and
	// sends the handshake's last ACK.
	if rcv.state == SynSent && seqAfterOrAt(h.Ack, rcv.isn+1) {
		rcv.state = Established
	}
}

// ack lets rcv take an acknowledgement: of its SYN (the handshake is done)
// or of its FIN (its direction is closed).
func ack(rcv *endpoint, a uint32) {
	switch rcv.state {
	case SynReceived:
		if rcv.synSent && seqAfterOrAt(a, rcv.isn+1) {
			rcv.state = Established
		}
	case FinWait1:
		if rcv.finAckedBy(a) {
			rcv.state = FinWait2
		}
	case Closing:
		if rcv.finAckedBy(a) {
			rcv.state = TimeWait
		}
	case LastAck:
		if rcv.finAckedBy(a) {
			rcv.state = Closed
		}
	}
}

// fin handles a FIN: the sender closes its direction, the receiver learns
// there is no more to read.
func fin(snd, rcv *endpoint, h TCP, n int) {
	snd.finSent, snd.fin = true, h.Seq+uint32(n)
	if h.Flags.Has(FlagSYN) {
		snd.fin++
	}
	switch snd.state {
	case Established, SynReceived:
		snd.state = FinWait1
	case CloseWait:
		snd.state = LastAck
		// A FIN that does not acknowledge the other side's FIN was sent
		// before that FIN arrived: both closed at once.
		if rcv.finSent && !(h.Flags.Has(FlagACK) && rcv.finAckedBy(h.Ack)) {
			snd.state = Closing
		}
	}
	switch rcv.state {
	case Established, SynReceived:
		rcv.state = CloseWait
	case FinWait1:
		rcv.state = Closing
	case FinWait2:
		rcv.state = TimeWait
	}
}

// seqAfterOrAt reports whether sequence number a is at or after b, in
// sequence space, which wraps around (RFC 9293 3.4).
func seqAfterOrAt(a, b uint32) bool {
	return int32(a-b) >= 0
}
