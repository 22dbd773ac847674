//go:build linux

package server

import (
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"
)

// recvMmsg is recvmmsg(2) on the non-blocking UDP socket fd, without flags
// or timeout: it reads up to len(hs) datagrams into the buffers hs
// describes and returns how many, or EAGAIN when none waits. sendMmsg is
// sendmmsg(2), which sends the datagrams hs describes, in order, and
// returns how many went (EAGAIN when the send buffer is full).
//
// Neither can block, so both are raw system calls, without the scheduler's
// bookkeeping (entersyscall and exitsyscall), as netpoll.Read and Write
// are. Made through syscall.Syscall6 (netpoll.RecvMmsg and SendMmsg), the
// UDP loop, which spends most of its time in these two calls, is "in a
// system call" whenever sysmon looks: sysmon then takes its P away and
// keeps waking every 20 µs, which on the measuring VM (2 cores, server and
// load generator on one each) cost a context switch and a nanosleep every
// 40 to 100 datagrams and 0.6 µs of the server's 7.9 µs per datagram with
// 50 senders at 1 in flight.
func recvMmsg(fd uintptr, hs []unix.Mmsghdr) (int, syscall.Errno) {
	n, _, errno := unix.RawSyscall6(unix.SYS_RECVMMSG, fd, uintptr(unsafe.Pointer(&hs[0])), uintptr(len(hs)), 0, 0, 0)
	return int(n), errno
}

// sendMmsg is sendmmsg(2), made as recvMmsg is.
func sendMmsg(fd uintptr, hs []unix.Mmsghdr) (int, syscall.Errno) {
	n, _, errno := unix.RawSyscall6(unix.SYS_SENDMMSG, fd, uintptr(unsafe.Pointer(&hs[0])), uintptr(len(hs)), 0, 0, 0)
	return int(n), errno
}
