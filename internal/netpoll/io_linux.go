package netpoll

import (
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"
)

// Read is read(2) on the non-blocking socket fd. It cannot block, so it
// skips the scheduler's system-call bookkeeping (entersyscall and
// exitsyscall), which costs as much as an event loop's own work per
// message. It returns unix.EAGAIN when there is nothing to read, and 0, nil
// at the end of the stream.
func Read(fd int, p []byte) (int, error) {
	r, _, errno := unix.RawSyscall(unix.SYS_READ, uintptr(fd), uintptr(unsafe.Pointer(unsafe.SliceData(p))), uintptr(len(p)))
	if errno != 0 {
		return 0, errno
	}
	return int(r), nil
}

// Write is write(2) on the non-blocking socket fd, made as Read is. It
// returns unix.EAGAIN when the socket has no room.
func Write(fd int, p []byte) (int, error) {
	r, _, errno := unix.RawSyscall(unix.SYS_WRITE, uintptr(fd), uintptr(unsafe.Pointer(unsafe.SliceData(p))), uintptr(len(p)))
	if errno != 0 {
		return 0, errno
	}
	return int(r), nil
}

// RecvMmsg is recvmmsg(2) on the non-blocking socket fd, without flags or
// timeout: it reads up to len(hs) datagrams into the buffers hs describes,
// and returns how many, or EAGAIN when none waits.
//
// It cannot block, so it is made as Read is. Through syscall.Syscall6, a
// UDP loop, which spends most of its time in this call and SendMmsg, is
// "in a system call" whenever sysmon looks: sysmon then takes its
// processor away and keeps waking every 20 µs. On the 2-core machine that
// cost the server a context switch and a nanosleep every 40 to 100
// datagrams, 0.6 of its 7.9 µs per datagram (50 senders, 1 in flight), and
// bench 28,000 context switches in 3 s against 900.
func RecvMmsg(fd uintptr, hs []unix.Mmsghdr) (int, syscall.Errno) {
	n, _, errno := unix.RawSyscall6(unix.SYS_RECVMMSG, fd, uintptr(unsafe.Pointer(&hs[0])), uintptr(len(hs)), 0, 0, 0)
	return int(n), errno
}

// SendMmsg is sendmmsg(2) on the non-blocking socket fd, without flags,
// made as RecvMmsg is: it sends the datagrams hs describes, in order, and
// returns how many went, or EAGAIN when the send buffer is full.
func SendMmsg(fd uintptr, hs []unix.Mmsghdr) (int, syscall.Errno) {
	n, _, errno := unix.RawSyscall6(unix.SYS_SENDMMSG, fd, uintptr(unsafe.Pointer(&hs[0])), uintptr(len(hs)), 0, 0, 0)
	return int(n), errno
}
