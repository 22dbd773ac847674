// Command gnet is bench/compare's gnet v2 peer: an upper-casing TCP server
// on github.com/panjf2000/gnet/v2's event loops (multicore: one loop per
// GOMAXPROCS; pinned to one CPU that is one loop). OnTraffic takes all that
// was read, upper-cases it in place and writes it back.
//
// Noted, not fixed: gnet buffers what the socket does not take at once in
// its own outbound buffer, without a bound, and keeps reading; a client that
// sends without reading grows the server without limit.
//
// Worked around: on EOF gnet closes the connection after flushing that
// buffer with non-blocking writes, dropping what the socket does not take,
// so a client that half-closes while replies are still buffered would lose
// them. OnClose makes such a socket blocking, with a 5 s send timeout, so
// gnet's flush delivers every reply (stalling its event loop meanwhile; in
// the benchmark's cells it never happens).
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"os"

	"github.com/panjf2000/gnet/v2"
	"github.com/panjf2000/gnet/v2/pkg/logging"
	"golang.org/x/sys/unix"
)

type server struct {
	gnet.BuiltinEventEngine
	addr string
}

func (s *server) OnBoot(eng gnet.Engine) gnet.Action {
	fmt.Fprintf(os.Stdout, "gnet listening on %s\n", s.addr)
	return gnet.None
}

func (s *server) OnTraffic(c gnet.Conn) gnet.Action {
	buf, err := c.Next(-1)
	if err != nil {
		return gnet.Close
	}
	for i, b := range buf {
		if 'a' <= b && b <= 'z' {
			buf[i] = b - ('a' - 'A')
		}
	}
	if _, err := c.Write(buf); err != nil {
		return gnet.Close
	}
	return gnet.None
}

func (s *server) OnClose(c gnet.Conn, err error) gnet.Action {
	if errors.Is(err, io.EOF) && c.OutboundBuffered() > 0 {
		fd := c.Fd()
		_ = unix.SetNonblock(fd, false)
		_ = unix.SetsockoptTimeval(fd, unix.SOL_SOCKET, unix.SO_SNDTIMEO, &unix.Timeval{Sec: 5})
	}
	return gnet.None
}

func main() {
	addr := flag.String("addr", "127.0.0.1:8080", "host:port to listen on")
	flag.Parse()
	s := &server{addr: *addr}
	err := gnet.Run(s, "tcp://"+*addr,
		gnet.WithMulticore(true),
		gnet.WithReuseAddr(true),
		gnet.WithTCPNoDelay(gnet.TCPNoDelay),
		gnet.WithLogLevel(logging.ErrorLevel))
	if err != nil {
		log.Fatal(err)
	}
}
