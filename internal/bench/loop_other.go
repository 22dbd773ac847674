//go:build !linux

package bench

import "sync"

const epollSupported = false

// loops is the epoll engine, which other systems do not have: Config.engine
// never chooses it there.
type loops struct{}

func newLoops(*run) (*loops, error)             { return nil, ErrEngineUnsupported }
func (*loops) start([]*worker, *sync.WaitGroup) {}
func (*loops) wake()                            {}
func (*loops) place(int) *worker                { return nil }
func (*loops) take(*worker) error               { return ErrEngineUnsupported }

// lconn is the epoll engine's connection, which other systems do not have.
type lconn struct{}

func (*loops) close() {}
