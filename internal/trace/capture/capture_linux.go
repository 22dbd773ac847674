//go:build linux

package capture

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"net"
	"os"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
	"unsafe"

	"github.com/upcase/upcase/internal/pcap"
	"golang.org/x/net/bpf"
	"golang.org/x/sys/unix"
)

// needCapNetRaw says what to do when opening a capture is not permitted.
const needCapNetRaw = "capturing needs CAP_NET_RAW: run as root, or `sudo setcap cap_net_raw+ep $(which upcase)`, or let upcase use a private user+network namespace"

// Socket reads the frames that pass an interface, through an AF_PACKET
// socket with a classic BPF filter in the kernel (see Config) and a
// receive ring (TPACKET_V2) shared with the kernel. It needs CAP_NET_RAW.
//
// The ring is what gives each frame the time it passed the interface: the
// kernel stamps a frame as it puts it in the ring. A plain packet socket
// gets its receive timestamps from the system-wide switch that SO_TIMESTAMP
// turns on from a work queue, a moment later (tens of milliseconds on a
// busy machine); until then it stamps a frame only when the frame is read,
// late, and a frame stamped late seems to come after the TCP state changes
// it caused (see Conversation.AttachKernel).
//
// On a loopback interface every packet passes twice, once sent and once
// received; a Socket keeps only the received copy, so each packet is seen
// once. On other interfaces it keeps both ways.
//
// Next must not be called from two goroutines at once; Close may be called
// at any time, from any goroutine, and makes a pending Next return.
type Socket struct {
	iface        string
	file         *os.File
	conn         syscall.RawConn
	skipOutgoing bool
	closed       atomic.Bool

	mu   sync.Mutex // held by Next while it reads the ring, and by Close to unmap it
	ring []byte     // the receive ring, ringFrames frames of ringFrameSize; nil once closed
	next int        // the ring's frame to read next
}

// The receive ring: ringFrames frames of ringFrameSize bytes each, one to a
// block. A frame holds the frame header and the largest frame on lo (64 KiB
// of IP packet and an Ethernet header); the ring holds more frames than any
// demo has, so the demo loses none however late its reader runs.
const (
	ringFrameSize = 1 << 17
	ringFrames    = 32
)

// A slot holds its headers and all the filter keeps of a frame (filterSnap):
// this constant would overflow, and the build fail, if it did not.
const _ uint = ringFrameSize - (ringAddr + unix.SizeofSockaddrLinklayer + unix.TPACKET_ALIGNMENT + filterSnap)

// Open opens a capture on cfg's interface. It returns once the socket
// is filtered and bound, so every packet sent after it returns is captured,
// in the order the kernel delivered it: open the capture, then dial.
//
// Without CAP_NET_RAW it returns an error that wraps EPERM (so
// errors.Is(err, os.ErrPermission) holds) and says what to do.
func Open(cfg Config) (*Socket, error) {
	name := cfg.iface()
	ifi, err := net.InterfaceByName(name)
	if err != nil {
		return nil, fmt.Errorf("capture on %s: %w", name, err)
	}
	filter, err := filterProgram(cfg.Port, cfg.ARP)
	if err != nil {
		return nil, fmt.Errorf("capture on %s: %w", name, err)
	}
	// Protocol 0: the socket gets nothing until bind names a protocol, so
	// no packet slips in before the filter and the ring are in place.
	fd, err := unix.Socket(unix.AF_PACKET, unix.SOCK_RAW|unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC, 0)
	if errors.Is(err, unix.EPERM) || errors.Is(err, unix.EACCES) {
		return nil, fmt.Errorf("capture on %s: %s: %w", name, needCapNetRaw, err)
	}
	if err != nil {
		return nil, fmt.Errorf("capture on %s: open packet socket: %w", name, err)
	}
	c := &Socket{iface: name, skipOutgoing: ifi.Flags&net.FlagLoopback != 0}
	if err := c.setup(fd, ifi.Index, filter); err != nil {
		if c.ring != nil {
			_ = unix.Munmap(c.ring)
		}
		unix.Close(fd)
		return nil, fmt.Errorf("capture on %s: %w", name, err)
	}
	c.file = os.NewFile(uintptr(fd), "packet:"+name)
	if c.conn, err = c.file.SyscallConn(); err != nil {
		c.Close()
		return nil, fmt.Errorf("capture on %s: %w", name, err)
	}
	return c, nil
}

// setup attaches the filter to fd, maps its receive ring, leaves out the
// sent copies on loopback, and binds fd to the interface.
func (c *Socket) setup(fd, ifindex int, filter []bpf.Instruction) error {
	raw, err := bpf.Assemble(filter)
	if err != nil {
		return fmt.Errorf("assemble filter: %w", err)
	}
	prog := make([]unix.SockFilter, len(raw))
	for i, r := range raw {
		prog[i] = unix.SockFilter{Code: r.Op, Jt: r.Jt, Jf: r.Jf, K: r.K}
	}
	fprog := unix.SockFprog{Len: uint16(len(prog)), Filter: &prog[0]}
	if err := unix.SetsockoptSockFprog(fd, unix.SOL_SOCKET, unix.SO_ATTACH_FILTER, &fprog); err != nil {
		return fmt.Errorf("attach filter: %w", err)
	}
	if err := unix.SetsockoptInt(fd, unix.SOL_PACKET, unix.PACKET_VERSION, unix.TPACKET_V2); err != nil {
		return fmt.Errorf("ask for a TPACKET_V2 ring: %w", err)
	}
	req := unix.TpacketReq{Block_size: ringFrameSize, Block_nr: ringFrames, Frame_size: ringFrameSize, Frame_nr: ringFrames}
	if err := unix.SetsockoptTpacketReq(fd, unix.SOL_PACKET, unix.PACKET_RX_RING, &req); err != nil {
		return fmt.Errorf("set up the receive ring: %w", err)
	}
	if c.ring, err = unix.Mmap(fd, 0, ringFrameSize*ringFrames, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_SHARED); err != nil {
		return fmt.Errorf("map the receive ring: %w", err)
	}
	if c.skipOutgoing {
		// Linux 4.20 and later; on older kernels Next skips them instead.
		_ = unix.SetsockoptInt(fd, unix.SOL_PACKET, unix.PACKET_IGNORE_OUTGOING, 1)
	}
	sa := &unix.SockaddrLinklayer{Protocol: htons(unix.ETH_P_ALL), Ifindex: ifindex}
	if err := unix.Bind(fd, sa); err != nil {
		return fmt.Errorf("bind packet socket: %w", err)
	}
	return nil
}

// htons gives v in network byte order, as AF_PACKET wants its protocol.
func htons(v uint16) uint16 {
	return binary.NativeEndian.Uint16(binary.BigEndian.AppendUint16(nil, v))
}

// longAgo is a deadline in the past, to make a pending read return.
var longAgo = time.Unix(1, 0)

// Next waits for the next frame and returns it, with the time the kernel
// received it. It returns ctx's error, wrapped, once ctx is done, and an
// error wrapping os.ErrClosed once the capture is closed.
func (c *Socket) Next(ctx context.Context) (pcap.Frame, error) {
	if err := ctx.Err(); err != nil {
		return pcap.Frame{}, fmt.Errorf("capture on %s: %w", c.iface, err)
	}
	fired := make(chan struct{})
	stop := context.AfterFunc(ctx, func() {
		_ = c.file.SetReadDeadline(longAgo)
		close(fired)
	})
	defer func() {
		if !stop() {
			<-fired
			_ = c.file.SetReadDeadline(time.Time{})
		}
	}()
	c.mu.Lock()
	defer c.mu.Unlock()
	for {
		f, keep, err := c.read()
		if err != nil {
			switch {
			case c.closed.Load():
				err = os.ErrClosed
			case ctx.Err() != nil:
				err = ctx.Err()
			}
			return pcap.Frame{}, fmt.Errorf("capture on %s: %w", c.iface, err)
		}
		if keep {
			return f, nil
		}
	}
}

// Offsets in a ring frame: the frame header (struct tpacket2_hdr), then
// the sender's address (struct sockaddr_ll), each aligned to 16 bytes.
const (
	ringAddr    = (unix.SizeofTpacket2Hdr + unix.TPACKET_ALIGNMENT - 1) &^ (unix.TPACKET_ALIGNMENT - 1)
	ringPktType = ringAddr + 10 // sockaddr_ll's sll_pkttype
)

// read waits for the ring's next frame, copies it out and hands the frame
// back to the kernel, reporting whether to keep it. c.mu is held.
func (c *Socket) read() (pcap.Frame, bool, error) {
	if c.ring == nil {
		return pcap.Frame{}, false, os.ErrClosed
	}
	slot := c.ring[c.next*ringFrameSize : (c.next+1)*ringFrameSize]
	hdr := (*unix.Tpacket2Hdr)(unsafe.Pointer(&slot[0]))
	err := c.conn.Read(func(uintptr) bool {
		return atomic.LoadUint32(&hdr.Status)&unix.TP_STATUS_USER != 0
	})
	if err != nil {
		return pcap.Frame{}, false, err
	}
	// The kernel wrote the frame before it set the status read above.
	var f pcap.Frame
	keep := !(c.skipOutgoing && slot[ringPktType] == unix.PACKET_OUTGOING)
	if mac, n := int(hdr.Mac), int(hdr.Snaplen); keep && mac+n <= len(slot) {
		f = pcap.Frame{Time: time.Unix(int64(hdr.Sec), int64(hdr.Nsec)), Data: bytes.Clone(slot[mac : mac+n]), Len: int(hdr.Len)}
	} else {
		keep = false
	}
	atomic.StoreUint32(&hdr.Status, unix.TP_STATUS_KERNEL)
	c.next = (c.next + 1) % ringFrames
	return f, keep, nil
}

// Close closes the capture; a pending Next returns.
func (c *Socket) Close() error {
	c.closed.Store(true)
	err := c.file.Close() // waits for a pending Next's read to return
	c.mu.Lock()
	if c.ring != nil {
		err = errors.Join(err, unix.Munmap(c.ring))
		c.ring = nil
	}
	c.mu.Unlock()
	if err != nil {
		return fmt.Errorf("close capture on %s: %w", c.iface, err)
	}
	return nil
}
