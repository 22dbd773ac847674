//go:build linux

package server

import (
	"bufio"
	"fmt"
	"log/slog"
	"net"
	"os"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

// epollEvents reads from /proc how the epoll set epfd watches fd.
func epollEvents(t *testing.T, epfd, fd int) (uint32, bool) {
	t.Helper()
	f, err := os.Open(fmt.Sprintf("/proc/self/fdinfo/%d", epfd))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		// tfd:        7 events:       19 data:                7  pos:0 ino:...
		fields := strings.Fields(sc.Text())
		if len(fields) < 4 || fields[0] != "tfd:" || fields[1] != strconv.Itoa(fd) {
			continue
		}
		ev, err := strconv.ParseUint(fields[3], 16, 32)
		if err != nil {
			t.Fatalf("fdinfo line %q: %v", sc.Text(), err)
		}
		return uint32(ev), true
	}
	return 0, false
}

// After an accept error the loop stops watching the listener for the
// back-off, then watches it again as before: with EPOLLEXCLUSIVE when the
// loops share it, or every loop would wake for every connection from then on.
func TestResumeAcceptingKeepsExclusive(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	s := &Server{Logger: slog.New(slog.DiscardHandler)}
	for _, exclusive := range []bool{true, false} {
		l, err := newLoop(s, &loopGroup{ln: ln.(*net.TCPListener)}, exclusive)
		if err != nil {
			t.Fatal(err)
		}
		before, ok := epollEvents(t, l.poll.FD(), l.lnfd)
		if !ok || before&unix.EPOLLIN == 0 || (before&unix.EPOLLEXCLUSIVE != 0) != exclusive {
			t.Fatalf("exclusive %v: the listener is watched with events %#x (%v); want EPOLLIN, EPOLLEXCLUSIVE %v", exclusive, before, ok, exclusive)
		}
		l.acceptFailed(unix.EMFILE)
		if _, ok := epollEvents(t, l.poll.FD(), l.lnfd); ok || l.acceptAt == 0 {
			t.Fatalf("exclusive %v: after an accept error the listener is still watched (resume at %d)", exclusive, l.acceptAt)
		}
		l.resumeAccepting()
		if after, ok := epollEvents(t, l.poll.FD(), l.lnfd); !ok || after != before {
			t.Errorf("exclusive %v: after the back-off the listener is watched with events %#x (%v); want %#x as before", exclusive, after, ok, before)
		}
		l.closeFDs()
	}
	s.tallies().flush()
}
