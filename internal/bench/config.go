package bench

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"time"

	"github.com/upcase/upcase/internal/client"
)

// Defaults for the zero values of Config's fields.
const (
	DefaultAddr     = "127.0.0.1:8080" // the lesson's address
	DefaultConns    = 10
	DefaultSize     = 16
	DefaultDuration = 10 * time.Second
	DefaultPipeline = 1
	DefaultTimeout  = time.Second
)

// MaxDatagram is the largest message Run sends over UDP: the most an IPv4
// UDP datagram can carry.
const MaxDatagram = client.MaxDatagram

// MaxSize is the largest message Run sends over TCP: 1 GiB. A message is
// sent whole before its reply is awaited, so one much larger could not be
// answered within any sensible run, and its size is then almost surely a
// mistake.
const MaxSize = 1 << 30

// dial is the default Config.Dial: the client's, whose errors name the
// address (and the source, if given) and the reason in one line.
func dial(ctx context.Context, network string, local netip.Addr, addr string) (net.Conn, error) {
	return client.DialFrom(ctx, network, local, addr)
}

// Config says what load Run generates. The zero value is a valid
// configuration: 10 connections to 127.0.0.1:8080 sending 16-byte messages
// one at a time for 10 seconds and expecting them upper-cased. A negative
// value of a count or duration is an error.
type Config struct {
	// Addr is the server's host:port. Empty means DefaultAddr.
	Addr string
	// UDP sends each message as one datagram instead of over TCP.
	UDP bool
	// Conns is how many connections (UDP: sockets) send at once. Zero means
	// DefaultConns.
	Conns int
	// Size is the length of a message in bytes. Zero means DefaultSize. Over
	// UDP it is at most MaxDatagram.
	Size int
	// Duration is how long load is measured, after Warmup. Zero means
	// DefaultDuration.
	Duration time.Duration
	// Warmup is how long load is sent before measuring starts; replies
	// received during it are checked but not counted. Zero means none.
	Warmup time.Duration
	// Pipeline is how many messages each connection keeps in flight. Zero
	// means DefaultPipeline, 1.
	Pipeline int
	// Rate, when positive, is the total number of messages per second to
	// send, spread evenly over the connections (open loop); latency is then
	// measured from each message's intended send time. Zero means as fast as
	// replies allow (closed loop).
	Rate float64
	// Expect is what a reply must be. The zero value is ExpectUpper.
	Expect Expect
	// Timeout is how long a reply may take: over UDP a datagram whose reply
	// has not come within it is counted lost; over TCP, replies still missing
	// this long after the end of the run are counted as an error. Zero means
	// DefaultTimeout.
	Timeout time.Duration
	// Source, if not empty, holds the local addresses connections are opened
	// from (each on a port the system picks), taken in turn for every
	// connection opened, redials included, so that a load balancer or a
	// server that limits connections per address sees several clients. When
	// Addr's host is an IP address, every source must be of its family. Any
	// address of 127.0.0.0/8 works on Linux without configuration.
	Source []netip.Addr
	// MsgsPerConn, when positive, ends each TCP connection after that many
	// messages, politely (half-close, then read until the server closes, so
	// no reply is lost), and opens a new one: new connections keep arriving
	// through the run, as a load balancer sees them. Zero keeps each
	// connection for the whole run. Not for UDP.
	MsgsPerConn int
	// Interval is the width of one step of Result.Throughput. Zero means a
	// fiftieth of Duration, but at least 10ms.
	Interval time.Duration
	// Dial opens a connection from local (the zero Addr: any local address)
	// to addr; network is "tcp" or "udp". Nil means a net.Dialer with a
	// 10-second timeout. Errors it returns are reported as they are, so they
	// should name the address.
	Dial func(ctx context.Context, network string, local netip.Addr, addr string) (net.Conn, error)
	// Engine is how bytes move over the connections (UDP: sockets): one
	// event loop per CPU (EngineEpoll, Linux) or a goroutine per
	// connection (EngineGoroutine). The zero value, EngineAuto, takes epoll where it
	// can. Run reports the engine it used in Result.Engine.
	Engine Engine
	// Progress, if not nil, is called about four times a second while load
	// is running, from a goroutine of Run's; never after Run returns.
	Progress func(Progress)
}

// Progress is a snapshot of a run, for a live display.
type Progress struct {
	Elapsed    time.Duration // since measuring started; negative during warmup
	Messages   int64         // replies received and checked so far
	MsgsPerSec float64       // over the last Progress interval
	Errors     int64         // errors, mismatches and connection failures so far
}

// maxChunk is the most bytes written or read in one call, and the limit on
// Size for a connection to run write-then-read in one goroutine.
const maxChunk = 64 << 10

// withDefaults returns c with zero values replaced by defaults, or an error
// naming the first field that is out of range.
func (c Config) withDefaults() (Config, error) {
	if c.Addr == "" {
		c.Addr = DefaultAddr
	}
	for _, f := range []struct {
		name string
		v    *int
		def  int
	}{{"Conns", &c.Conns, DefaultConns}, {"Size", &c.Size, DefaultSize}, {"Pipeline", &c.Pipeline, DefaultPipeline}} {
		if *f.v < 0 {
			return c, fmt.Errorf("bench: %s is %d; want at least 1", f.name, *f.v)
		}
		if *f.v == 0 {
			*f.v = f.def
		}
	}
	for _, f := range []struct {
		name string
		v    *time.Duration
		def  time.Duration
	}{{"Duration", &c.Duration, DefaultDuration}, {"Warmup", &c.Warmup, 0}, {"Timeout", &c.Timeout, DefaultTimeout}, {"Interval", &c.Interval, 0}} {
		if *f.v < 0 {
			return c, fmt.Errorf("bench: %s is %v; want zero or more", f.name, *f.v)
		}
		if *f.v == 0 {
			*f.v = f.def
		}
	}
	if c.Interval == 0 {
		c.Interval = max(c.Duration/50, 10*time.Millisecond)
	}
	switch {
	case c.Rate < 0 || c.Rate != c.Rate: // NaN
		return c, fmt.Errorf("bench: Rate is %v; want zero or more", c.Rate)
	case c.Rate > 1e9:
		return c, errors.New("bench: Rate is more than one message per nanosecond")
	case c.Size > MaxSize:
		return c, fmt.Errorf("bench: Size is %d; a message is at most %d bytes (1 GiB)", c.Size, MaxSize)
	case c.UDP && c.Size > MaxDatagram:
		return c, fmt.Errorf("bench: Size is %d; a UDP datagram carries at most %d bytes", c.Size, MaxDatagram)
	case c.Expect < 0 || c.Expect > ExpectNone:
		return c, fmt.Errorf("bench: unknown Expect %d", c.Expect)
	case c.MsgsPerConn < 0:
		return c, fmt.Errorf("bench: MsgsPerConn is %d; want zero or more", c.MsgsPerConn)
	case c.MsgsPerConn > 0 && c.UDP:
		return c, errors.New("bench: MsgsPerConn is for TCP; UDP has no connection to end")
	}
	for _, src := range c.Source {
		if err := CheckSource(src, c.Addr); err != nil {
			return c, fmt.Errorf("bench: Source: %w", err)
		}
	}
	var err error
	if c.Engine, err = c.RunsOn(); err != nil {
		return c, err
	}
	if c.Dial == nil {
		c.Dial = dial
	}
	return c, nil
}

// network is the net package's name for c's transport.
func (c Config) network() string {
	if c.UDP {
		return "udp"
	}
	return "tcp"
}
