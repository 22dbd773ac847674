//go:build linux

package server

import (
	"errors"
	"io"
	"net"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// After the lesson's server.py has served its client and closed first,
// without SO_REUSEADDR, only a connection in TIME-WAIT holds its port for
// a minute: the listen error says so, and how to see it.
func TestListenErrorTimeWait(t *testing.T) {
	// A server as server.py is: a socket without SO_REUSEADDR that closes
	// its connection first.
	fd, err := unix.Socket(unix.AF_INET, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	if err := unix.Bind(fd, &unix.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}}); err != nil {
		t.Fatal(err)
	}
	if err := unix.Listen(fd, 1); err != nil {
		t.Fatal(err)
	}
	sa, _ := unix.Getsockname(fd)
	port := sa.(*unix.SockaddrInet4).Port
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	nfd, _, err := unix.Accept(fd)
	if err != nil {
		t.Fatal(err)
	}
	unix.Close(nfd) // the server closes first: its side goes to TIME-WAIT
	unix.Close(fd)
	c.SetReadDeadline(time.Now().Add(10 * time.Second)) // fail, not hang
	if _, err := io.ReadAll(c); err != nil {
		t.Fatal(err)
	}
	c.Close()
	deadline := time.Now().Add(10 * time.Second)
	for !onlyTimeWait(port) { // the kernel takes the last ACK on its own time
		if time.Now().After(deadline) {
			t.Fatalf("port %d never held by TIME-WAIT alone", port)
		}
		time.Sleep(time.Millisecond)
	}
	_, err = Listen(addr)
	if !errors.Is(err, syscall.EADDRINUSE) || !strings.Contains(err.Error(), "TIME-WAIT") || !strings.Contains(err.Error(), "ss -tan state time-wait") {
		t.Errorf("Listen(%s) = %v; want address in use, explained by TIME-WAIT, with the ss command", addr, err)
	}
	t.Log(err)

	// A port held by a listener is not TIME-WAIT's doing.
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	if _, err := Listen(busy.Addr().String()); !errors.Is(err, syscall.EADDRINUSE) || strings.Contains(err.Error(), "TIME-WAIT") {
		t.Errorf("Listen on a port another listener holds: %v; want address in use, without TIME-WAIT", err)
	}
}
