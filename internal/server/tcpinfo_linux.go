//go:build linux

package server

import "golang.org/x/sys/unix"

// tcpAcked is how many bytes the peer of TCP socket fd has acknowledged
// (TCP_INFO's tcpi_bytes_acked): what its reader has made room for, which
// moves on whenever it reads, even while the server's own writes are
// blocked behind a full socket buffer.
func tcpAcked(fd int) (uint64, bool) {
	info, err := unix.GetsockoptTCPInfo(fd, unix.IPPROTO_TCP, unix.TCP_INFO)
	if err != nil {
		return 0, false
	}
	return info.Bytes_acked, true
}
