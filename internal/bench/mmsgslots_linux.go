package bench

import "golang.org/x/sys/unix"

// mmsgSlots are the buffers and headers of recvmmsg(2) and sendmmsg(2) for
// one UDP socket at a time: receive slots, each the message size and one
// byte more, so that a longer reply is seen to be longer, and send headers
// that point into the payload when a batch is queued. They are made once,
// so that nothing is allocated per datagram.
type mmsgSlots struct {
	slot   int            // bytes of a receive slot
	mem    []byte         // the receive slots
	in     []unix.Mmsghdr // one per slot
	inIov  []unix.Iovec
	out    []unix.Mmsghdr // one per datagram a sendmmsg may send
	outIov []unix.Iovec
}

// newMmsgSlots makes the slots and headers for messages of size bytes, up
// to depth in flight: as many send headers as one sendmmsg sends
// (udpBatchMax at most), and as many receive slots, within udpSlotsMem.
func newMmsgSlots(size, depth int) mmsgSlots {
	m := mmsgSlots{slot: size + 1}
	nout := min(depth, udpBatchMax)
	nin := max(1, min(nout, udpSlotsMem/m.slot))
	m.mem = make([]byte, nin*m.slot)
	m.in, m.inIov = make([]unix.Mmsghdr, nin), make([]unix.Iovec, nin)
	for i := range m.in {
		m.inIov[i].Base = &m.mem[i*m.slot]
		m.inIov[i].SetLen(m.slot)
		m.in[i].Hdr.Iov = &m.inIov[i]
		m.in[i].Hdr.SetIovlen(1)
	}
	m.out, m.outIov = make([]unix.Mmsghdr, nout), make([]unix.Iovec, nout)
	for i := range m.out {
		m.out[i].Hdr.Iov = &m.outIov[i]
		m.out[i].Hdr.SetIovlen(1)
	}
	return m
}

// reply is datagram k of those the last recvmmsg read.
func (m *mmsgSlots) reply(k int) []byte {
	return m.mem[k*m.slot : k*m.slot+int(m.in[k].Len)]
}
