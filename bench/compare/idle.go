package main

import (
	"bytes"
	"fmt"
	"io"
	"net"
	"sync"
	"time"
)

// idleCell measures each peer's RSS per idle connection, on a fresh server
// for every run. This file is the idle cell: opening, optionally using, and
// holding the connections, and reading the server's memory.
func (d *driver) idleCell(c Cell) []Result {
	var res []Result
	peers := d.idlePeers()
	for _, p := range peers {
		res = append(res, Result{Cell: c, Peer: p.Name, Ref: p.Name == refPeer})
	}
	if lim := noFileLimit(); lim < uint64(c.Conns)+100 {
		fmt.Fprintf(d.log, "warning: RLIMIT_NOFILE is %d, below the %d idle connections wanted\n", lim, c.Conns)
	}
	for run := 1; run <= d.cfg.runs; run++ {
		for i, p := range peers {
			d.progress++
			r := d.idleRun(p, c, run)
			r.Attempts = 1
			d.report(c, p.Name, run, r)
			res[i].Runs = append(res[i].Runs, r)
		}
	}
	return res
}

// idlePeers are the peers the idle cell holds connections to: the TCP ones
// of -mode=servers.
func (d *driver) idlePeers() []Peer {
	var out []Peer
	for _, p := range d.peers {
		if !p.UDP {
			out = append(out, p)
		}
	}
	return out
}

// idleRun starts p's server, opens c.Conns connections to it and measures
// its RSS before and after, once it holds them all.
func (d *driver) idleRun(p Peer, c Cell, run int) RunResult {
	var r RunResult
	t0 := time.Now()
	defer func() { r.Seconds = time.Since(t0).Seconds() }()
	s, err := startServer(p, d.cfg.serverCPU, d.logPath(p.Name, c, run))
	if err != nil {
		r.Error = err.Error()
		return r
	}
	defer s.Stop()
	time.Sleep(300 * time.Millisecond)
	before, err := readVmRSS(s.PID())
	if err != nil {
		r.Error = err.Error()
		return r
	}
	fds0, _ := countFDs(s.PID())
	conns, dialErr := openIdle(s.Addr, c.Conns, d.cfg.idleSources, time.Minute)
	defer func() {
		for _, cn := range conns {
			cn.Close()
		}
	}()
	r.Opened = len(conns)
	if d.cfg.idleEcho && dialErr == nil {
		if bad, err := echoOnce(conns, 30*time.Second); err != nil || bad > 0 {
			r.Mismatches = int64(bad)
			if err != nil {
				r.Errors = 1
				dialErr = err
			}
		}
	}
	// Wait (at most 20 s) until the server holds a descriptor for each.
	deadline := time.Now().Add(20 * time.Second)
	for {
		n, err := countFDs(s.PID())
		if err == nil {
			r.Accepted = n - fds0
		}
		if r.Accepted >= len(conns) || time.Now().After(deadline) || s.exited() {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	time.Sleep(time.Second) // let the server settle what it allocates per connection
	after, err := readVmRSS(s.PID())
	if err != nil {
		r.Error = err.Error()
		return r
	}
	r.RSSBeforeKiB, r.RSSAfterKiB = before, after
	if len(conns) > 0 {
		r.RSSKiBPerConn = (float64(after) - float64(before)) / float64(len(conns))
	}
	switch {
	case s.exited():
		r.Error = fmt.Sprintf("server exited: %v: %s", s.err, tail(d.logPath(p.Name, c, run)))
	case r.Errors > 0:
		r.Error = fmt.Sprintf("exchanging a message on each connection: %v", dialErr)
	case len(conns) < c.Conns:
		r.Error = fmt.Sprintf("opened only %d of %d connections: %v", len(conns), c.Conns, dialErr)
	case r.Accepted < len(conns):
		r.Error = fmt.Sprintf("server holds only %d of %d connections", r.Accepted, len(conns))
	}
	return r
}

// openIdle opens n connections to addr, from sources source addresses
// 127.0.0.2.. (so no one source runs out of ephemeral ports), 8 at a time,
// within limit. It stops at the first failure.
func openIdle(addr string, n, sources int, limit time.Duration) ([]net.Conn, error) {
	deadline := time.Now().Add(limit)
	conns := make([]net.Conn, n)
	errs := make(chan error, 8)
	next := make(chan int)
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for i := range next {
				dl := net.Dialer{Deadline: deadline, Timeout: 10 * time.Second}
				if sources > 0 {
					dl.LocalAddr = &net.TCPAddr{IP: net.IPv4(127, 0, 0, byte(2+i%sources))}
				}
				c, err := dl.Dial("tcp", addr)
				if err != nil {
					select {
					case errs <- err:
					default:
					}
					continue
				}
				conns[i] = c
			}
		})
	}
	var err error
feed:
	for i := range n {
		select {
		case err = <-errs:
			break feed
		case next <- i:
		}
	}
	close(next)
	wg.Wait()
	if err == nil {
		select {
		case err = <-errs:
		default:
		}
	}
	out := conns[:0]
	for _, c := range conns {
		if c != nil {
			out = append(out, c)
		}
	}
	return out, err
}

// echoOnce sends one 16-byte message on each connection and reads the
// reply, 8 connections at a time, within limit; it returns how many replies
// were wrong and the first error.
func echoOnce(conns []net.Conn, limit time.Duration) (bad int, err error) {
	deadline := time.Now().Add(limit)
	msg, want := []byte("upcase-idle-0123"), []byte("UPCASE-IDLE-0123")
	var mu sync.Mutex
	next := make(chan net.Conn)
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			got := make([]byte, len(msg))
			for c := range next {
				_ = c.SetDeadline(deadline)
				_, e := c.Write(msg)
				if e == nil {
					_, e = io.ReadFull(c, got)
				}
				_ = c.SetDeadline(time.Time{})
				mu.Lock()
				if e != nil && err == nil {
					err = e
				} else if e == nil && !bytes.Equal(got, want) {
					bad++
				}
				mu.Unlock()
			}
		})
	}
	for _, c := range conns {
		next <- c
	}
	close(next)
	wg.Wait()
	return bad, err
}
