package server

import "time"

// Observer is told what happens to connections, so that metrics can count it
// without the server depending on a metrics library. Its methods are called
// from many goroutines at once, on the path of every message, and must be
// cheap and never block.
type Observer interface {
	// Accepted: a connection was admitted and is being served.
	Accepted()
	// Rejected: a new connection was closed without being served, for
	// reason: at once, or after its PROXY header.
	Rejected(reason RejectReason)
	// Received and Sent: bytes read from and written to a client.
	Received(n int)
	Sent(n int)
	// Closed: a served connection ended, for reason, after d.
	Closed(reason CloseReason, d time.Duration)
	// Dropped: a datagram was not answered, for reason.
	Dropped(reason DropReason)
}

// nopObserver is the Observer of a Server whose Observer is nil.
type nopObserver struct{}

func (nopObserver) Accepted()                         {}
func (nopObserver) Rejected(RejectReason)             {}
func (nopObserver) Received(int)                      {}
func (nopObserver) Sent(int)                          {}
func (nopObserver) Closed(CloseReason, time.Duration) {}
func (nopObserver) Dropped(DropReason)                {}

var _ Observer = nopObserver{}

func (s *Server) observer() Observer {
	if s.Observer != nil {
		return s.Observer
	}
	return nopObserver{}
}
