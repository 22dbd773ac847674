//go:build linux

package trace

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"net"
	"os"
	"sync/atomic"
	"syscall"
	"time"

	"golang.org/x/net/bpf"
	"golang.org/x/sys/unix"
)

// needCapNetRaw says what to do when opening a capture is not permitted.
const needCapNetRaw = "capturing needs CAP_NET_RAW: run as root, or `sudo setcap cap_net_raw+ep $(which upcase)`, or let upcase use a private user+network namespace"

// Capture reads the frames that pass an interface, through an AF_PACKET
// socket with a classic BPF filter in the kernel (see CaptureConfig). It
// needs CAP_NET_RAW.
//
// On a loopback interface every packet passes twice, once sent and once
// received; a Capture keeps only the received copy, so each packet is seen
// once. On other interfaces it keeps both ways.
//
// Next must not be called from two goroutines at once; Close may be called
// at any time, from any goroutine, and makes a pending Next return.
type Capture struct {
	iface        string
	file         *os.File
	conn         syscall.RawConn
	skipOutgoing bool
	closed       atomic.Bool
	buf, oob     []byte
}

// NewCapture opens a capture on cfg's interface. It returns once the socket
// is filtered and bound, so every packet sent after it returns is captured,
// in the order the kernel delivered it: open the capture, then dial.
//
// Without CAP_NET_RAW it returns an error that wraps EPERM (so
// errors.Is(err, os.ErrPermission) holds) and says what to do.
func NewCapture(cfg CaptureConfig) (*Capture, error) {
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
	// no packet slips in before the filter is attached.
	fd, err := unix.Socket(unix.AF_PACKET, unix.SOCK_RAW|unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC, 0)
	if errors.Is(err, unix.EPERM) || errors.Is(err, unix.EACCES) {
		return nil, fmt.Errorf("capture on %s: %s: %w", name, needCapNetRaw, err)
	}
	if err != nil {
		return nil, fmt.Errorf("capture on %s: open packet socket: %w", name, err)
	}
	c := &Capture{iface: name, skipOutgoing: ifi.Flags&net.FlagLoopback != 0}
	if err := c.setup(fd, ifi.Index, filter); err != nil {
		unix.Close(fd)
		return nil, fmt.Errorf("capture on %s: %w", name, err)
	}
	c.file = os.NewFile(uintptr(fd), "packet:"+name)
	if c.conn, err = c.file.SyscallConn(); err != nil {
		c.file.Close()
		return nil, fmt.Errorf("capture on %s: %w", name, err)
	}
	c.buf = make([]byte, filterSnap)
	c.oob = make([]byte, unix.CmsgSpace(16)*2)
	// Linux turns receive timestamps on for a new socket a moment later,
	// from a work queue: until then a frame is stamped only when it is
	// read, late. Wait that moment here, so that every frame captured
	// once NewCapture returns has the time it was sent.
	time.Sleep(timestampsOn)
	return c, nil
}

// timestampsOn is how long Linux takes to turn receive timestamps on for a
// new capture: without the wait, the first frames' times were 30-100 µs late
// in 6 of 16 runs.
const timestampsOn = 20 * time.Millisecond

// setup attaches the filter to fd, asks for timestamps, leaves out the
// sent copies on loopback, and binds fd to the interface.
func (c *Capture) setup(fd, ifindex int, filter []bpf.Instruction) error {
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
	if err := unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_TIMESTAMPNS, 1); err != nil {
		return fmt.Errorf("ask for timestamps: %w", err)
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
func (c *Capture) Next(ctx context.Context) (Frame, error) {
	if err := ctx.Err(); err != nil {
		return Frame{}, fmt.Errorf("capture on %s: %w", c.iface, err)
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
	for {
		f, keep, err := c.read()
		if err != nil {
			switch {
			case c.closed.Load():
				err = os.ErrClosed
			case ctx.Err() != nil:
				err = ctx.Err()
			}
			return Frame{}, fmt.Errorf("capture on %s: %w", c.iface, err)
		}
		if keep {
			return f, nil
		}
	}
}

// read reads one frame, reporting whether to keep it.
func (c *Capture) read() (Frame, bool, error) {
	var (
		n, oobn int
		from    unix.Sockaddr
		rerr    error
	)
	err := c.conn.Read(func(fd uintptr) bool {
		for {
			n, oobn, _, from, rerr = unix.Recvmsg(int(fd), c.buf, c.oob, unix.MSG_TRUNC)
			if rerr != unix.EINTR {
				return rerr != unix.EAGAIN
			}
		}
	})
	if err == nil {
		err = rerr
	}
	if err != nil {
		return Frame{}, false, err
	}
	if ll, ok := from.(*unix.SockaddrLinklayer); ok && c.skipOutgoing && ll.Pkttype == unix.PACKET_OUTGOING {
		return Frame{}, false, nil
	}
	f := Frame{Time: stamp(c.oob[:oobn]), Data: bytes.Clone(c.buf[:min(n, len(c.buf))]), Len: n}
	return f, true, nil
}

// stamp gives the kernel's receive time from a message's control data, or
// now if there is none.
func stamp(oob []byte) time.Time {
	msgs, err := unix.ParseSocketControlMessage(oob)
	if err != nil {
		return time.Now()
	}
	for _, m := range msgs {
		if m.Header.Level != unix.SOL_SOCKET || m.Header.Type != unix.SCM_TIMESTAMPNS {
			continue
		}
		ne := binary.NativeEndian
		switch len(m.Data) {
		case 16: // struct timespec with 64-bit fields
			return time.Unix(int64(ne.Uint64(m.Data[0:8])), int64(ne.Uint64(m.Data[8:16])))
		case 8: // 32-bit fields
			return time.Unix(int64(int32(ne.Uint32(m.Data[0:4]))), int64(int32(ne.Uint32(m.Data[4:8]))))
		}
	}
	return time.Now()
}

// Close closes the capture; a pending Next returns.
func (c *Capture) Close() error {
	c.closed.Store(true)
	if err := c.file.Close(); err != nil {
		return fmt.Errorf("close capture on %s: %w", c.iface, err)
	}
	return nil
}
