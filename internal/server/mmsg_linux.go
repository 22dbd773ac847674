//go:build linux

package server

import (
	"net"
	"net/netip"
	"os"
	"strconv"
	"syscall"
	"unsafe"

	"github.com/upcase/upcase/internal/netpoll"
	"golang.org/x/sys/unix"
)

// batchSize is how many datagrams one recvmmsg(2) may read, and so how many
// replies one sendmmsg(2) may send. Measured with 50 senders of 64-byte
// datagrams (packet_batch_linux.go), 16 costs the server the same CPU per
// datagram as 64, within the noise, for a quarter of the memory: what is
// left to save per datagram is at most 1/16 of one system call.
const batchSize = 16

// slotLen is the room for one datagram: the largest UDP payload (65527
// bytes, over IPv6). A longer one cannot come; one cut short anyway is told
// by MSG_TRUNC in its flags, not by filling the slot, so slotLen needs no
// spare byte. slotStride is slotLen rounded up to whole pages.
const (
	slotLen    = maxDatagram - 1
	slotStride = 64 << 10
)

// batchConn reads and writes a UDP socket's datagrams in batches, with
// recvmmsg(2) and sendmmsg(2) on its file descriptor, without allocating:
// every header, address and buffer is made once.
//
// Memory: each of the batchSize datagrams has a slot of its own big enough
// for the largest one, since the kernel chooses where each goes before it
// knows their sizes (a smaller slot would lose the rest of a larger datagram,
// which must be answered whole, and two or more cannot share one spill
// buffer). That is 1 MiB of address space, but it is mapped (mmap) rather
// than allocated, so a page takes memory only once a datagram has reached
// it: small datagrams touch one page a slot, at most 64 KiB, and only as many
// slots as the deepest batch read. The whole 1 MiB is held only after a
// batch of 16 datagrams of 60 KiB and more, a quarter of what the socket's
// own receive buffer (udpReadBuffer) may hold in the kernel.
//
// A batchConn is used by one goroutine at a time.
type batchConn struct {
	rc  syscall.RawConn
	mem []byte // batchSize slots of slotStride bytes, from mmap

	// What recvmmsg fills: headers, source addresses, and what read makes
	// of them.
	in    [batchSize]unix.Mmsghdr
	inIov [batchSize]unix.Iovec
	names [batchSize]unix.RawSockaddrInet6 // room for an IPv4 address too
	from  [batchSize]netip.AddrPort
	zones map[uint32]string // IPv6 scope IDs seen, by interface name; made when first needed

	// What sendmmsg sends: replies to some of the datagrams read, in order.
	out    [batchSize]unix.Mmsghdr
	outIov [batchSize]unix.Iovec
	outOf  [batchSize]int // out[k] answers datagram outOf[k]
	nout   int

	// The arguments and results of the call under way, for recvF and sendF,
	// made once so that RawConn.Read and Write are given no new closure.
	vec          []unix.Mmsghdr
	n            int
	errno        syscall.Errno
	recvF, sendF func(fd uintptr) bool
}

// mmsgCalls are the two system calls batchConn makes. Tests replace them
// to see and steer what the kernel does: a message cut short, a send that
// fails half-way.
var mmsgCalls = struct {
	recv, send func(fd uintptr, hs []unix.Mmsghdr) (int, syscall.Errno)
}{netpoll.RecvMmsg, netpoll.SendMmsg}

// newBatchConn is a batchConn for pc, if pc is a UDP socket whose file
// descriptor can be reached.
func newBatchConn(pc net.PacketConn) (*batchConn, bool) {
	sc, ok := pc.(syscall.Conn)
	if _, udp := pc.LocalAddr().(*net.UDPAddr); !ok || !udp {
		return nil, false
	}
	rc, err := sc.SyscallConn()
	if err != nil {
		return nil, false
	}
	mem, err := unix.Mmap(-1, 0, batchSize*slotStride, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_PRIVATE|unix.MAP_ANONYMOUS)
	if err != nil {
		return nil, false
	}
	b := &batchConn{rc: rc, mem: mem}
	for i := range batchSize {
		b.inIov[i].Base = &mem[i*slotStride]
		b.inIov[i].SetLen(slotLen)
		b.in[i].Hdr.Iov = &b.inIov[i]
		b.in[i].Hdr.SetIovlen(1)
		b.in[i].Hdr.Name = (*byte)(unsafe.Pointer(&b.names[i]))
		b.out[i].Hdr.Iov = &b.outIov[i]
		b.out[i].Hdr.SetIovlen(1)
	}
	b.recvF = func(fd uintptr) bool { return b.do(fd, mmsgCalls.recv) }
	b.sendF = func(fd uintptr) bool { return b.do(fd, mmsgCalls.send) }
	return b, true
}

// close gives the slots back. The batchConn must not be used again.
func (b *batchConn) close() {
	unix.Munmap(b.mem)
	b.mem = nil
}

// read waits for datagrams and reads as many as are queued, up to
// batchSize, and returns how many. It forgets the replies of the batch
// before.
func (b *batchConn) read() (int, error) {
	for i := range b.in {
		b.in[i].Hdr.Namelen = unix.SizeofSockaddrInet6
		b.in[i].Hdr.Flags = 0
		b.in[i].Len = 0
	}
	b.nout = 0
	b.vec, b.n, b.errno = b.in[:], 0, 0
	if err := b.rc.Read(b.recvF); err != nil {
		return 0, err
	}
	if b.errno != 0 {
		return 0, os.NewSyscallError("recvmmsg", b.errno)
	}
	for i := range b.n {
		b.from[i] = b.source(i)
	}
	return b.n, nil
}

// data is datagram i of the batch read.
func (b *batchConn) data(i int) []byte {
	return b.mem[i*slotStride : i*slotStride+int(b.in[i].Len)]
}

// truncated reports whether datagram i was cut short.
func (b *batchConn) truncated(i int) bool { return b.in[i].Hdr.Flags&unix.MSG_TRUNC != 0 }

// source is where datagram i came from (an IPv4-mapped address as IPv4),
// or the zero AddrPort if the kernel did not say.
func (b *batchConn) source(i int) netip.AddrPort {
	sa := &b.names[i]
	if b.in[i].Hdr.Namelen < 4 {
		return netip.AddrPort{}
	}
	port := (*[2]byte)(unsafe.Pointer(&sa.Port)) // network byte order
	p := uint16(port[0])<<8 | uint16(port[1])
	switch sa.Family {
	case unix.AF_INET:
		sa4 := (*unix.RawSockaddrInet4)(unsafe.Pointer(sa))
		return netip.AddrPortFrom(netip.AddrFrom4(sa4.Addr), p)
	case unix.AF_INET6:
		a := netip.AddrFrom16(sa.Addr)
		if sa.Scope_id != 0 {
			a = a.WithZone(b.zone(sa.Scope_id))
		}
		return netip.AddrPortFrom(a.Unmap(), p)
	}
	return netip.AddrPort{}
}

// zone is the name of the interface with index id, as net.UDPAddr's Zone
// would be: its number if there is no such interface.
func (b *batchConn) zone(id uint32) string {
	if z, ok := b.zones[id]; ok {
		return z
	}
	if b.zones == nil {
		b.zones = make(map[uint32]string)
	}
	z := strconv.FormatUint(uint64(id), 10)
	if ifi, err := net.InterfaceByIndex(int(id)); err == nil {
		z = ifi.Name
	}
	b.zones[id] = z
	return z
}

// answer queues reply as the answer to datagram i, to its source. reply is
// datagram i's own bytes, or no longer than them and then copied over them.
func (b *batchConn) answer(i int, reply []byte) {
	slot := b.mem[i*slotStride : i*slotStride+len(reply)]
	if len(reply) > 0 && &reply[0] != &slot[0] {
		copy(slot, reply)
	}
	k := b.nout
	b.nout++
	b.outOf[k] = i
	b.outIov[k].Base = &b.mem[i*slotStride]
	b.outIov[k].SetLen(len(reply))
	b.out[k].Hdr.Name = b.in[i].Hdr.Name
	b.out[k].Hdr.Namelen = b.in[i].Hdr.Namelen
	b.out[k].Len = 0
}

// write sends the queued replies from the k-th on, as many as it can. It
// returns how many went; if that is none, the error of the k-th, which the
// caller skips.
func (b *batchConn) write(k int) (int, error) {
	b.vec, b.n, b.errno = b.out[k:b.nout], 0, 0
	if err := b.rc.Write(b.sendF); err != nil {
		return 0, err
	}
	if b.errno != 0 {
		return 0, os.NewSyscallError("sendmmsg", b.errno)
	}
	return b.n, nil
}

// do makes call on fd with b.vec, for RawConn.Read and Write: false means
// "not ready (EAGAIN): wait".
func (b *batchConn) do(fd uintptr, call func(fd uintptr, hs []unix.Mmsghdr) (int, syscall.Errno)) bool {
	for {
		n, errno := call(fd, b.vec)
		switch errno {
		case unix.EINTR:
			continue
		case unix.EAGAIN:
			return false
		case 0:
			b.n = n
		default:
			b.errno = errno
		}
		return true
	}
}
