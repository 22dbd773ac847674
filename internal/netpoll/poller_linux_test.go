package netpoll

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"

	"go.uber.org/goleak"
	"golang.org/x/sys/unix"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// pair returns a connected pair of non-blocking stream sockets.
func pair(t *testing.T) (int, int) {
	t.Helper()
	fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM|unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { unix.Close(fds[0]); unix.Close(fds[1]) })
	return fds[0], fds[1]
}

func open(t *testing.T) *Poller {
	t.Helper()
	p, err := Open()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	return p
}

// kernelWatch is what the kernel says the set watches on fd, from
// /proc/self/fdinfo: the events mask, and whether fd is there at all.
func kernelWatch(t *testing.T, p *Poller, fd int) (uint32, bool) {
	t.Helper()
	b, err := os.ReadFile("/proc/self/fdinfo/" + strconv.Itoa(p.FD()))
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		var tfd int
		var ev uint32
		if n, _ := fmt.Sscanf(line, "tfd: %d events: %x", &tfd, &ev); n == 2 && tfd == fd {
			return ev, true
		}
	}
	return 0, false
}

// events waits for what is ready on fd, without blocking.
func events(t *testing.T, p *Poller, fd int) uint32 {
	t.Helper()
	evs, err := p.Wait(0)
	if err != nil {
		t.Fatal(err)
	}
	var got uint32
	for _, e := range evs {
		if int(e.Fd) == fd {
			got |= e.Events
		}
	}
	return got
}

// The verbs set what the kernel watches, each with ADD or MOD as needed,
// and Wait reports what they ask for.
func TestVerbs(t *testing.T) {
	p := open(t)
	a, b := pair(t)
	steps := []struct {
		name  string
		do    func(int) error
		want  uint32 // in the kernel's set; 0: not there
		ready uint32 // reported by Wait, with b having written to a
	}{
		{"read", p.WatchRead, In, In},
		{"read again", p.WatchRead, In, In},
		{"write", p.WatchWrite, Out, Out},
		{"both", p.WatchReadWrite, In | Out, In | Out},
		{"unwatch", p.Unwatch, 0, 0},
		{"unwatch again", p.Unwatch, 0, 0},
		{"read after unwatch", p.WatchRead, In, In},
	}
	if _, err := unix.Write(b, []byte("x")); err != nil {
		t.Fatal(err)
	}
	for _, s := range steps {
		if err := s.do(a); err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
		got, ok := kernelWatch(t, p, a)
		if ok != (s.want != 0) || got&(In|Out) != s.want {
			t.Errorf("%s: the kernel watches %#x (%v); want %#x", s.name, got, ok, s.want)
		}
		if got := events(t, p, a); got&(In|Out) != s.ready {
			t.Errorf("%s: Wait reports %#x; want %#x", s.name, got, s.ready)
		}
	}
}

// A descriptor closed behind the poller's back and reused is watched again
// rather than left unwatched.
func TestReusedDescriptor(t *testing.T) {
	p := open(t)
	a, _ := pair(t)
	if err := p.WatchRead(a); err != nil {
		t.Fatal(err)
	}
	c, _ := pair(t) // a new pair: move one end onto a's number
	if err := unix.Dup3(c, a, unix.O_CLOEXEC); err != nil {
		t.Fatal(err)
	}
	if err := p.WatchWrite(a); err != nil {
		t.Fatalf("watching the reused descriptor: %v", err)
	}
	if got := events(t, p, a); got&Out == 0 {
		t.Errorf("the reused descriptor: Wait reports %#x; want Out", got)
	}
}

// CloseFD forgets the descriptor: the next watch of its number adds it.
func TestCloseFD(t *testing.T) {
	p := open(t)
	fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM|unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Close(fds[1])
	if err := p.WatchRead(fds[0]); err != nil {
		t.Fatal(err)
	}
	if err := p.CloseFD(fds[0]); err != nil {
		t.Fatal(err)
	}
	if _, ok := kernelWatch(t, p, fds[0]); ok {
		t.Fatal("a closed descriptor is still in the set")
	}
	a, _ := pair(t) // most likely fds[0]'s number again
	if err := p.WatchRead(a); err != nil {
		t.Fatal(err)
	}
	if _, ok := kernelWatch(t, p, a); !ok {
		t.Errorf("descriptor %d not watched", a)
	}
}

// Wake from another goroutine ends a Wait that would block for ever, and
// is not reported as an event.
func TestWake(t *testing.T) {
	p := open(t)
	done := make(chan struct{})
	go func() {
		defer close(done)
		p.Wake()
	}()
	evs, err := p.Wait(-1)
	<-done
	if err != nil || len(evs) != 0 || !p.Woken() {
		t.Fatalf("Wait after Wake: %d events, %v, woken %v; want none, nil, true", len(evs), err, p.Woken())
	}
	if evs, _ := p.Wait(0); len(evs) != 0 || p.Woken() {
		t.Errorf("the wake-up was reported twice")
	}
}

// Read and Write move bytes, and say EAGAIN and end of stream as read(2)
// and write(2) do.
func TestReadWrite(t *testing.T) {
	a, b := pair(t)
	buf := make([]byte, 8)
	if _, err := Read(a, buf); err != unix.EAGAIN {
		t.Errorf("Read of an empty socket: %v; want EAGAIN", err)
	}
	if n, err := Write(b, []byte("hello")); n != 5 || err != nil {
		t.Fatalf("Write: %d, %v", n, err)
	}
	if n, err := Read(a, buf); string(buf[:n]) != "hello" || err != nil {
		t.Errorf("Read: %q, %v; want hello", buf[:n], err)
	}
	unix.Shutdown(b, unix.SHUT_WR)
	if n, err := Read(a, buf); n != 0 || err != nil {
		t.Errorf("Read at the end: %d, %v; want 0, nil", n, err)
	}
}
