package netpoll

import (
	"fmt"
	"runtime"
	"unsafe"

	"golang.org/x/sys/unix"
)

// Event bits, as epoll reports them.
const (
	// In: there is something to read, or the peer has closed.
	In = unix.EPOLLIN
	// Out: there is room to write.
	Out = unix.EPOLLOUT
	// Hup: the connection is closed both ways.
	Hup = unix.EPOLLHUP
	// Err: the socket has an error pending; a read or write will return it.
	Err = unix.EPOLLERR
)

// An Event is one descriptor that is ready: Fd, and Events, the bits above.
type Event = unix.EpollEvent

// MaxEvents is the most events one Wait returns.
const MaxEvents = 256

// Poller is an epoll set with its wake-up eventfd.
type Poller struct {
	epfd     int
	wakefd   int
	events   []Event
	watching []uint32 // the events asked for, by descriptor; 0: not watched
	busy     bool     // the last Wait found events: look before blocking
	looks    Tries    // whether looking before blocking pays
	woken    bool
	count    [8]byte // the eventfd's counter, read at a wake-up (a field: on the stack it would escape)
}

// Open returns a new, empty Poller.
func Open() (*Poller, error) {
	p := &Poller{epfd: -1, wakefd: -1, events: make([]Event, MaxEvents)}
	var err error
	if p.epfd, err = unix.EpollCreate1(unix.EPOLL_CLOEXEC); err != nil {
		return nil, fmt.Errorf("epoll_create1: %w", err)
	}
	if p.wakefd, err = unix.Eventfd(0, unix.EFD_NONBLOCK|unix.EFD_CLOEXEC); err != nil {
		p.Close()
		return nil, fmt.Errorf("eventfd: %w", err)
	}
	if err := p.watch(p.wakefd, In); err != nil {
		p.Close()
		return nil, err
	}
	return p, nil
}

// Close closes the epoll set and the eventfd; the descriptors it watched
// stay open.
func (p *Poller) Close() error {
	var err error
	for _, fd := range []*int{&p.wakefd, &p.epfd} {
		if *fd >= 0 {
			if e := unix.Close(*fd); err == nil {
				err = e
			}
			*fd = -1
		}
	}
	return err
}

// WatchRead reports fd when it has something to read, and no longer when
// it has room to write.
func (p *Poller) WatchRead(fd int) error { return p.watch(fd, In) }

// WatchWrite reports fd when it has room to write, and no longer when it
// has something to read: a loop that holds back input until its output is
// out.
func (p *Poller) WatchWrite(fd int) error { return p.watch(fd, Out) }

// WatchReadWrite reports fd when it can be read and when it can be written.
func (p *Poller) WatchReadWrite(fd int) error { return p.watch(fd, In|Out) }

// WatchAccept reports the listening socket fd when connections wait on it.
// exclusive, for a listener that several pollers watch, has the kernel wake
// only one of them per connection (EPOLLEXCLUSIVE); such a watch can only
// be ended with Unwatch, not changed.
func (p *Poller) WatchAccept(fd int, exclusive bool) error {
	ev := uint32(In)
	if exclusive {
		ev |= unix.EPOLLEXCLUSIVE
	}
	return p.watch(fd, ev)
}

// Unwatch stops watching fd. A descriptor that is closed is unwatched by
// the kernel, but only when it is the last descriptor of its socket: a
// duplicated listener must be unwatched first.
func (p *Poller) Unwatch(fd int) error {
	if fd >= len(p.watching) || p.watching[fd] == 0 {
		return nil
	}
	p.watching[fd] = 0
	if err := unix.EpollCtl(p.epfd, unix.EPOLL_CTL_DEL, fd, nil); err != nil {
		return fmt.Errorf("epoll_ctl del %d: %w", fd, err)
	}
	return nil
}

// CloseFD closes fd, which must be its socket's only descriptor, and
// forgets it: the kernel removes it from the set.
func (p *Poller) CloseFD(fd int) error {
	if fd < len(p.watching) {
		p.watching[fd] = 0
	}
	return unix.Close(fd)
}

// watch makes the events asked for on fd ev, with the one call needed, if
// any.
func (p *Poller) watch(fd int, ev uint32) error {
	if fd >= len(p.watching) {
		p.watching = append(p.watching, make([]uint32, fd+1-len(p.watching)+len(p.watching)/2)...)
	}
	was := p.watching[fd]
	if was == ev {
		return nil
	}
	op, name := unix.EPOLL_CTL_MOD, "mod"
	if was == 0 {
		op, name = unix.EPOLL_CTL_ADD, "add"
	}
	e := Event{Events: ev, Fd: int32(fd)}
	err := unix.EpollCtl(p.epfd, op, fd, &e)
	switch {
	case err == unix.ENOENT && op == unix.EPOLL_CTL_MOD:
		// fd was closed without CloseFD or Unwatch, and its number
		// reused. Only a change of events gets here: a watch asking for
		// what was asked before makes no call and cannot notice, so
		// closing a watched descriptor through CloseFD (or Unwatch
		// first) is the caller's part.
		op, name = unix.EPOLL_CTL_ADD, "add"
		err = unix.EpollCtl(p.epfd, op, fd, &e)
	case err == unix.EEXIST && op == unix.EPOLL_CTL_ADD && ev&unix.EPOLLEXCLUSIVE == 0:
		op, name = unix.EPOLL_CTL_MOD, "mod"
		err = unix.EpollCtl(p.epfd, op, fd, &e)
	}
	if err != nil {
		return fmt.Errorf("epoll_ctl %s %d: %w", name, fd, err)
	}
	p.watching[fd] = ev
	return nil
}

// Wake makes the loop's Wait return, from any goroutine. Wakes that come
// before the loop looks are one.
func (p *Poller) Wake() {
	unix.Write(p.wakefd, one[:]) // EAGAIN only if the counter is full: it will wake anyway
}

// one is what Wake adds to the eventfd's counter.
var one = [8]byte{1}

// Woken reports whether the last Wait returned because of Wake.
func (p *Poller) Woken() bool { return p.woken }

// Wait returns the descriptors that are ready, blocking up to msec
// milliseconds (-1: until one is, or Wake); it returns no events when the
// time is up. The slice is the Poller's own, valid until the next Wait.
//
// After a Wait that found events, the next one first looks without
// blocking, and yields the processor before it blocks: events often come
// in runs, and blocking at once costs more, since the scheduler hands the
// loop's processor to another thread during a long system call, two extra
// context switches per message. When they do not come in runs (one
// connection in ping-pong: the next event is a round trip away), the look
// is a system call per event that finds nothing, so Wait learns whether
// looking pays (Tries): after 4 looks in a row that found nothing it
// blocks at once for the next 60 busy Waits, then looks again.
func (p *Poller) Wait(msec int) ([]Event, error) {
	p.woken = false
	if p.busy && p.looks.Try() {
		n, err := p.poll()
		p.looks.Tried(n > 0)
		if n > 0 || err != nil {
			return p.ready(n, err)
		}
		runtime.Gosched()
	}
	n, err := unix.EpollWait(p.epfd, p.events, msec)
	return p.ready(n, err)
}

// poll collects the events that are ready without blocking, and without
// telling the scheduler about a system call that cannot block.
func (p *Poller) poll() (int, error) {
	r, _, errno := unix.RawSyscall6(unix.SYS_EPOLL_PWAIT, uintptr(p.epfd),
		uintptr(unsafe.Pointer(&p.events[0])), uintptr(len(p.events)), 0, 0, 0)
	if errno != 0 {
		return 0, errno
	}
	return int(r), nil
}

// ready takes the wake-up out of the n events found, and returns the rest.
func (p *Poller) ready(n int, err error) ([]Event, error) {
	if err != nil {
		p.busy = false
		if err == unix.EINTR {
			return nil, nil
		}
		return nil, fmt.Errorf("epoll_wait: %w", err)
	}
	p.busy = n > 0
	ev := p.events[:n]
	for i := range ev {
		if int(ev[i].Fd) == p.wakefd {
			unix.Read(p.wakefd, p.count[:])
			p.woken = true
			ev[i] = ev[len(ev)-1]
			ev = ev[:len(ev)-1]
			break
		}
	}
	return ev, nil
}

// FD is the epoll set's descriptor, for diagnostics: /proc/self/fdinfo/FD
// lists what the kernel watches.
func (p *Poller) FD() int { return p.epfd }
