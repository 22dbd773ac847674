package main

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Gen is one load generator: in -mode=clients the thing compared, in
// -mode=servers the one load put on every server. This file names the load
// generators and writes their command lines; all speak loadgen/'s contract
// (--json --addr --conns --size --duration --pipeline, one JSON object).
type Gen struct {
	Name     string // as given to -peers in -mode=clients
	Desc     string // one line for the header
	TCP, UDP bool   // the cells it can load
	// Args is the command line that loads addr with cell c for dur.
	Args func(addr string, c Cell, dur time.Duration) []string
}

// refGen is the reference load generator of -mode=clients: the C programs,
// cepoll/client.c for TCP cells and cepoll/udp_client.c for UDP cells.
const refGen = "c-client"

// allGenNames in table order.
var allGenNames = []string{"upcase-bench", refGen}

var defaultGens = strings.Join(allGenNames, ",")

// contract is loadgen/'s command line for cell c against addr.
func contract(addr string, c Cell, dur time.Duration) []string {
	return []string{"--json", "--addr=" + addr, "--conns=" + strconv.Itoa(c.Conns),
		"--size=" + strconv.Itoa(c.Size), "--duration=" + dur.String(),
		"--pipeline=" + strconv.Itoa(c.Pipeline)}
}

// makeGen returns the load generator called name. upcase-bench is `upcase
// bench` when loadgen is "upcase" (TCP, and UDP with --udp), else the
// builtin loadgen/ (TCP only); extra goes to either, not to the C programs.
func makeGen(name string, bin binaries, loadgen string, extra []string) (Gen, error) {
	switch name {
	case "upcase-bench":
		if loadgen == "builtin" {
			return Gen{Name: name, Desc: "builtin loadgen/ (Go, goroutine per connection; no UDP)", TCP: true,
				Args: func(addr string, c Cell, dur time.Duration) []string {
					return append(append([]string{bin.loadgen}, contract(addr, c, dur)...), extra...)
				}}, nil
		}
		return Gen{Name: name, Desc: "upcase bench (this repo; --udp in UDP cells)", TCP: true, UDP: true,
			Args: func(addr string, c Cell, dur time.Duration) []string {
				a := []string{bin.upcase, "bench"}
				if c.UDP {
					a = append(a, "--udp")
				}
				return append(append(a, contract(addr, c, dur)...), extra...)
			}}, nil
	case refGen:
		return Gen{Name: name, Desc: "C, one level-triggered epoll loop, gcc -O2 (cepoll/client.c; UDP: cepoll/udp_client.c, recvmmsg/sendmmsg): the reference", TCP: true, UDP: true,
			Args: func(addr string, c Cell, dur time.Duration) []string {
				if c.UDP {
					return append([]string{bin.cudpclient}, contract(addr, c, dur)...)
				}
				return append([]string{bin.cclient}, contract(addr, c, dur)...)
			}}, nil
	}
	return Gen{}, fmt.Errorf("unknown load generator %q (known: %s)", name, strings.Join(allGenNames, ", "))
}

// loads reports whether g can load cell c.
func (g Gen) loads(c Cell) bool {
	if c.UDP {
		return g.UDP
	}
	return g.TCP && !c.Idle
}
