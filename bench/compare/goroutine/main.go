// Command goroutine is bench/compare's goroutine-per-connection peer: the
// plainest Go upper-casing TCP server. net.Listen, one goroutine per
// accepted connection, and in each a 16 KiB read / upper-case / write loop.
// When the client half-closes, everything read has already been written back
// (Write blocks until it is), so the server just closes its side.
package main

import (
	"flag"
	"fmt"
	"log"
	"net"
	"os"
	"time"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:8080", "host:port to listen on")
	flag.Parse()
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Fprintf(os.Stdout, "goroutine listening on %s\n", ln.Addr())
	for {
		c, err := ln.Accept()
		if err != nil {
			// EMFILE and the like: back off a little and go on.
			log.Print(err)
			time.Sleep(10 * time.Millisecond)
			continue
		}
		go handle(c)
	}
}

func handle(c net.Conn) {
	defer c.Close()
	buf := make([]byte, 16<<10)
	for {
		n, err := c.Read(buf)
		if n > 0 {
			upper(buf[:n])
			if _, werr := c.Write(buf[:n]); werr != nil {
				return
			}
		}
		if err != nil {
			// io.EOF: the client half-closed and every reply is out
			// (Write returned), so close. Any other error: close too.
			return
		}
	}
}

func upper(p []byte) {
	for i, b := range p {
		if 'a' <= b && b <= 'z' {
			p[i] = b - ('a' - 'A')
		}
	}
}
