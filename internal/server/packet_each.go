package server

import "time"

// serveEach is ServePacket's portable loop: one ReadFrom and one WriteTo per
// datagram, into one buffer of maxDatagram bytes. A datagram that fills the
// buffer was cut short.
func (p *packetLoop) serveEach() error {
	buf := make([]byte, maxDatagram)
	for {
		n, from, err := p.pc.ReadFrom(buf)
		if err != nil {
			if err := p.readFailed(err); err != nil {
				return err
			}
			continue
		}
		p.obs.Received(n)
		if p.debug() {
			p.log.Debug("datagram received", "peer", peerString(from), "bytes", n)
		}
		var now time.Time
		if p.needsTime() {
			now = time.Now()
		}
		if reason := p.refusal(udpSource(from), n == len(buf), now); reason != "" {
			p.drop(reason, from, n)
			continue
		}
		reply, reason := p.s.datagramReply(buf[:n], &p.out)
		if reason != "" {
			p.drop(reason, from, n)
			continue
		}
		w, err := p.pc.WriteTo(reply, from)
		if err != nil {
			p.log.Debug("datagram not sent", "peer", peerString(from), "err", err)
			continue
		}
		p.obs.Sent(w)
		if p.debug() {
			p.log.Debug("datagram sent", "peer", peerString(from), "bytes", w)
		}
	}
}
