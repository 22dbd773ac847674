package bench

// A datagram is a message in flight over UDP.
type datagram struct {
	seq      int64 // the socket's message number
	intended int64 // when it was meant to be sent, ns after the epoch
	sent     int64 // when it was queued to be sent
}

// recentLost is how many lost messages a UDP socket remembers, to recognise
// a reply that comes after its message was counted lost.
const recentLost = 64

// A udpFlight is what is checked of one UDP socket, whichever engine moves
// its datagrams (worker.udp, a goroutine per socket; loopudp_linux.go, the
// event loops): up to Pipeline messages in flight, each answered by one
// datagram, matched to its message by content (replies may come out of
// order); a message with no reply within the timeout is lost, and a reply
// to one of the last recentLost lost messages is late. Only when the
// expected replies are not known (ExpectNone) is a reply simply taken as
// the answer to the oldest message.
//
// It counts sent, lost and late messages itself, and adds them to its
// worker's tally when the socket ends (settle), so that a socket refused
// before any reply counts none of them, on either engine. It is used by one
// goroutine at a time.
type udpFlight struct {
	w       *worker
	flight  []datagram // oldest first; cap Pipeline
	lost    [recentLost]int64
	seq     int64 // the next message's number
	replies int64 // replies taken, right or wrong
	// Counted, until settle adds them to the tally.
	sent, nlost, late int64
}

func newUDPFlight(w *worker) *udpFlight {
	f := new(udpFlight)
	f.init(w)
	return f
}

// init makes f worker w's, with nothing in flight.
func (f *udpFlight) init(w *worker) {
	f.w, f.flight = w, make([]datagram, 0, w.r.cfg.Pipeline)
}

// deadline is when the oldest message in flight is lost, or -1 when none
// is in flight.
func (f *udpFlight) deadline() int64 {
	if len(f.flight) == 0 {
		return -1
	}
	return f.flight[0].sent + int64(f.w.r.cfg.Timeout)
}

// expire counts lost the messages whose time is up at now, of the first
// gone of the flight: those that have left the socket (the event loops
// keep the rest, which found its buffer full, to send later; they are
// neither sent nor lost).
func (f *udpFlight) expire(now int64, gone int) {
	timeout := int64(f.w.r.cfg.Timeout)
	n := 0
	for n < gone && f.flight[n].sent+timeout <= now {
		f.lost[f.nlost%recentLost] = f.flight[n].seq
		f.nlost++
		n++
	}
	if n > 0 {
		f.flight = append(f.flight[:0], f.flight[n:]...)
	}
}

// next puts in flight the next message that may be sent at now, and
// returns it: closed loop, while fewer than Pipeline are in flight; open
// loop, also only once the schedule has released it. No message is sent
// from the run's end on.
func (f *udpFlight) next(now int64) ([]byte, bool) {
	w := f.w
	r := w.r
	if len(f.flight) == cap(f.flight) || now >= r.end {
		return nil, false
	}
	intended := now
	if w.open {
		if w.released.Load() <= f.seq {
			return nil, false
		}
		intended = w.at(f.seq)
	}
	f.flight = append(f.flight, datagram{seq: f.seq, intended: intended, sent: now})
	f.seq++
	return f.msg(f.seq - 1), true
}

// msg is message seq's bytes, in the payload.
func (f *udpFlight) msg(seq int64) []byte {
	size := int64(f.w.r.cfg.Size)
	return f.w.r.pay.sendAt(f.w.off+seq*size, int(size))
}

// answer takes reply, received at now: checked, matched to its message
// and timed. It reports whether the reply was counted (the caller adds it
// to the tally's done). The caller expires the messages whose time is up
// first, so that a reply after its message's timeout is late.
func (f *udpFlight) answer(reply []byte, now int64) bool {
	w := f.w
	i := f.match(reply)
	switch {
	case i >= 0:
	case f.wasLost(reply):
		f.late++
		return false
	default:
		w.mismatches.Add(1) // taken as the (wrong) answer to the oldest
		if len(f.flight) == 0 {
			return false // nothing in flight to take it for
		}
		i = 0
	}
	f.replies++
	counted := w.record(f.flight[i].intended, now)
	f.flight = append(f.flight[:i], f.flight[i+1:]...)
	return counted
}

// match returns the index in flight of the message reply answers, or -1.
func (f *udpFlight) match(reply []byte) int {
	r := f.w.r
	size := int64(r.cfg.Size)
	if int64(len(reply)) != size || len(f.flight) == 0 {
		return -1
	}
	if r.pay.want == nil {
		return 0
	}
	for i, d := range f.flight {
		if r.pay.check(f.w.off+d.seq*size, reply) {
			return i
		}
	}
	return -1
}

// wasLost reports whether reply answers one of the last lost messages.
func (f *udpFlight) wasLost(reply []byte) bool {
	r := f.w.r
	size := int64(r.cfg.Size)
	if int64(len(reply)) != size || r.pay.want == nil {
		return false
	}
	for _, seq := range f.lost[:min(f.nlost, recentLost)] {
		if r.pay.check(f.w.off+seq*size, reply) {
			return true
		}
	}
	return false
}

// settle adds what the socket counted to its worker's tally, when it ends,
// unless it was refused before any reply: then it never reached a server,
// and is a connection failure only.
func (f *udpFlight) settle() {
	w := f.w
	if !w.refused {
		w.sent += f.sent
		w.lost += f.nlost
		w.late += f.late
	}
	f.sent, f.nlost, f.late = 0, 0, 0
}
