package netpoll

import (
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
