package demo

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"strings"
	"time"

	"github.com/upcase/upcase/internal/pcap"
	"github.com/upcase/upcase/internal/server"
	"github.com/upcase/upcase/internal/trace"
	"github.com/upcase/upcase/internal/trace/capture"
)

// LiveTimeout bounds one conversation of Live.Play: its connection, the
// line and its reply, and the teardown.
const LiveTimeout = 5 * time.Second

// Live is the browser page's live mode: the real upper-casing server
// (package server, as upcase serve runs it) listening on lo, and a capture
// of its port, kept running while conversations come one at a time. Each
// call of Play is one conversation: a client connects, sends a line, reads
// the reply and closes, and every segment is handed over as it is captured.
// Start it in a network namespace of its own (package netns), as Run.
//
// Play must not be called from two goroutines at once, nor after Close;
// Close is called once, when no Play is under way.
type Live struct {
	srv    *server.Server
	addr   netip.AddrPort
	sock   *capture.Socket
	frames chan pcap.Frame // the capture's frames, read by one goroutine
	served chan error      // the server's Serve result
	read   chan struct{}   // closed when the capture's reader has ended
}

// StartLive starts the server on 127.0.0.1 and the capture of its port.
// It needs CAP_NET_RAW, which the owner of a network namespace has.
func StartLive() (*Live, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("demo: live: listen: %w", err)
	}
	addr := ln.Addr().(*net.TCPAddr).AddrPort()
	sock, err := capture.Open(capture.Config{Port: addr.Port()})
	if err != nil {
		ln.Close()
		return nil, fmt.Errorf("demo: live: %w", err)
	}
	l := &Live{
		srv:    &server.Server{Logger: slog.New(slog.DiscardHandler)},
		addr:   addr,
		sock:   sock,
		frames: make(chan pcap.Frame, 256),
		served: make(chan error, 1),
		read:   make(chan struct{}),
	}
	go func() { l.served <- l.srv.Serve(ln) }()
	go l.readFrames()
	return l, nil
}

// readFrames hands the capture's frames to Play until the capture is
// closed. Frames wait in the channel (and beyond it in the capture's ring)
// between conversations.
func (l *Live) readFrames() {
	defer close(l.read)
	for {
		f, err := l.sock.Next(context.Background())
		if err != nil {
			return // closed: Close ends the reader this way
		}
		l.frames <- f
	}
}

// Play has a client connect to the server, send line and a newline, read
// the reply up to its newline, and close. It calls step for each segment of
// that connection as the capture sees it, from the SYN to the last ACK, and
// returns the reply (without its newline) once both sides have closed. It
// gives up after LiveTimeout, or when ctx ends, returning the reply if one
// came and an error.
func (l *Live) Play(ctx context.Context, line string, step func(*trace.Conversation, trace.Step)) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, LiveTimeout)
	defer cancel()
	type result struct {
		reply string
		err   error
	}
	talked := make(chan result, 1)
	go func() {
		reply, err := l.talk(ctx, line)
		talked <- result{reply, err}
	}()
	// A tracker of its own for each conversation: frames of an earlier
	// one that arrive late start conversations caught in the middle, which
	// are not this one. This one begins with its client's SYN.
	tr := &trace.Tracker{ServerPort: l.addr.Port()}
	var (
		conv *trace.Conversation
		res  *result
	)
	for res == nil || (res.err == nil && (conv == nil || !conv.Done())) {
		select {
		case f := <-l.frames:
			ev, err := trace.DecodeFrame(f)
			if err != nil {
				continue
			}
			c, s, err := tr.Add(ev)
			if err != nil {
				continue
			}
			if conv == nil && s.Index == 0 && c.Initial().Client == trace.Closed {
				conv = c
			}
			if c == conv {
				step(c, s)
			}
		case r := <-talked:
			res = &r
		case <-ctx.Done():
			if res == nil {
				r := <-talked // it gives up at ctx's end too
				res = &r
			}
			if res.err == nil {
				res.err = fmt.Errorf("demo: live: the conversation did not end within %v: %w", LiveTimeout, ctx.Err())
			}
		}
	}
	return res.reply, res.err
}

// talk is the client's side of a conversation.
func (l *Live) talk(ctx context.Context, line string) (string, error) {
	var d net.Dialer
	nc, err := d.DialContext(ctx, "tcp", l.addr.String())
	if err != nil {
		return "", fmt.Errorf("demo: live: connect: %w", err)
	}
	defer nc.Close() // after reading the whole reply: a FIN, not an RST
	stop := context.AfterFunc(ctx, func() { nc.SetDeadline(time.Now()) })
	defer stop()
	if _, err := nc.Write([]byte(line + "\n")); err != nil {
		return "", fmt.Errorf("demo: live: send: %w", err)
	}
	reply, err := bufio.NewReader(nc).ReadString('\n')
	if err != nil {
		return "", fmt.Errorf("demo: live: read the reply: %w", err)
	}
	return strings.TrimSuffix(reply, "\n"), nil
}

// Close stops the server and the capture, and waits for them. Call it
// once.
func (l *Live) Close() error {
	err := l.srv.Close()
	if serr := <-l.served; !errors.Is(serr, server.ErrServerClosed) {
		err = errors.Join(err, serr)
	}
	cerr := l.sock.Close()
	// The reader may be waiting to hand over a frame: take what it has.
	for {
		select {
		case <-l.frames:
			continue
		case <-l.read:
		}
		break
	}
	return errors.Join(err, cerr)
}
