// Package netpoll is the event loops' one poller: an epoll set, an eventfd
// that other goroutines write to wake the loop, and named verbs (WatchRead,
// WatchWrite, WatchReadWrite, Unwatch) instead of raw EPOLL_CTL_* at the
// call sites, as gnet's internal/netpoll does. The server's epoll engine
// and bench's epoll engine both run on it.
//
// A Poller remembers what it watches on each descriptor, so a verb that
// changes nothing makes no system call, and the caller never chooses
// between EPOLL_CTL_ADD and EPOLL_CTL_MOD. For that record to stay true, a
// watched descriptor is closed with CloseFD, or unwatched first. Its methods are for the one
// goroutine that runs the loop, except Wake.
//
// Read and Write are read(2) and write(2) on a non-blocking socket, and
// RecvMmsg and SendMmsg recvmmsg(2) and sendmmsg(2), for the UDP loops of
// the server and of bench, which read and send datagrams in batches. None
// can block, so all four are made without the scheduler's system-call
// bookkeeping.
package netpoll
