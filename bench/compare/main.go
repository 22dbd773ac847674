// Command compare measures `upcase serve` against other upper-casing
// servers on loopback and prints one table: a goroutine-per-connection Go
// server, a gnet v2 server and minimal C servers (epoll for TCP, batched
// recvmmsg/sendmmsg for UDP), the references for what the kernel itself
// costs. Each server is pinned to one CPU, the load generator (`upcase
// bench`) to another. With -mode=clients it compares load generators
// instead: `upcase bench` against minimal C clients, on the C servers. See
// README.md.
//
//	bench/compare/run [-mode=servers|clients] [-duration=5s] [-runs=5] [-peers=...] [-cells=...] [-json=out.json]
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"
)

// config is the driver's settings, one field per flag (realMain lists them).
type config struct {
	mode        string // modeServers or modeClients
	duration    time.Duration
	runs        int
	retries     int
	peers       string
	cells       string
	jsonOut     string
	dir, repo   string
	loadgen     string
	serverCPU   int
	clientCPU   int
	idleWait    time.Duration
	idleBusy    float64
	disturbed   float64
	idleConns   int
	idleSources int
	idleEcho    bool
	upcaseArgs  string
	loadgenArgs string
	keep, list  bool
	runTimeout  time.Duration
}

// The modes: what the peers of a table are.
const (
	modeServers = "servers" // upper-casing servers, one load generator
	modeClients = "clients" // load generators, the C reference servers
)

// listMode prints -list: the peers and cells of mode.
func listMode(w io.Writer, mode string, cells []Cell) {
	if mode == modeClients {
		fmt.Fprintf(w, "peers: load generators (default %s), against %s (TCP) and %s (UDP):\n", defaultGens, refPeer, refUDPPeer)
		for _, n := range allGenNames {
			g, _ := makeGen(n, binaries{}, "upcase", nil)
			fmt.Fprintf(w, "  %-17s %s\n", n, g.Desc)
		}
	} else {
		fmt.Fprintln(w, "peers: servers (default "+defaultPeers+"):")
		for _, n := range allPeerNames {
			p, _ := makePeer(n, binaries{}, nil)
			fmt.Fprintf(w, "  %-17s %s\n", n, p.Desc)
		}
	}
	fmt.Fprintln(w, "cells:")
	for _, c := range cells {
		fmt.Fprintf(w, "  %-17s %s\n", c.Name, c.describe())
	}
}

// main is realMain with the process's arguments and exit status.
func main() {
	os.Exit(realMain(os.Args[1:], os.Stdout, os.Stderr))
}

// realMain parses the flags, prints -list or runs the comparison and prints
// the table to stdout (progress to stderr), and returns the exit status:
// 0, 1 when the comparison could not start or -json not be written, 2 for
// bad flags.
func realMain(args []string, stdout, stderr io.Writer) int {
	var cfg config
	fs := flag.NewFlagSet("compare", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&cfg.mode, "mode", modeServers, "servers: upper-casing servers under one load generator; clients: load generators against the C servers")
	fs.DurationVar(&cfg.duration, "duration", 5*time.Second, "length of each load run")
	fs.IntVar(&cfg.runs, "runs", 5, "runs per cell and peer; the table shows medians and min–max")
	fs.IntVar(&cfg.retries, "retries", 2, "times a run disturbed by other processes is run again")
	fs.StringVar(&cfg.peers, "peers", "", "comma-separated peers; -mode=servers: "+strings.Join(allPeerNames, ", ")+" (default "+defaultPeers+"; upcase-goroutine/-epoll need upcase serve --engine); -mode=clients: "+strings.Join(allGenNames, ", ")+" (default all)")
	fs.StringVar(&cfg.cells, "cells", "all", "comma-separated cell names or globs (pp-*, idle-*); -list shows them")
	fs.StringVar(&cfg.jsonOut, "json", "", "also write every run's raw figures as JSON to this file")
	fs.StringVar(&cfg.dir, "dir", ".", "the bench/compare directory")
	fs.StringVar(&cfg.repo, "repo", "", "the upcase repository root (default: two levels above -dir)")
	fs.StringVar(&cfg.loadgen, "loadgen", "auto", "load generator: upcase (upcase bench), builtin (./loadgen), auto (upcase bench if it exists)")
	fs.IntVar(&cfg.serverCPU, "server-cpu", 0, "CPU the server is pinned to")
	fs.IntVar(&cfg.clientCPU, "client-cpu", 1, "CPU the load generator is pinned to")
	fs.DurationVar(&cfg.idleWait, "idle-wait", 30*time.Second, "before each run, wait at most this long for both CPUs to be idle (0: don't wait)")
	fs.Float64Var(&cfg.idleBusy, "idle-busy", 0.10, "a CPU busier than this share over 500ms is not idle")
	fs.Float64Var(&cfg.disturbed, "disturbed", 0.05, "a run in which other processes used more than this share of the two CPUs is run again")
	fs.IntVar(&cfg.idleConns, "idle-conns", 10000, "connections held open in the idle cell")
	fs.IntVar(&cfg.idleSources, "idle-sources", 8, "idle connections come from this many source addresses 127.0.0.2.. (0: the default source)")
	fs.BoolVar(&cfg.idleEcho, "idle-echo", false, "in the idle cell, exchange one 16-byte message on each connection before it idles (a used keep-alive connection rather than a fresh one)")
	fs.StringVar(&cfg.upcaseArgs, "upcase-args", "", "extra space-separated flags for upcase serve")
	fs.StringVar(&cfg.loadgenArgs, "loadgen-args", "", "extra space-separated flags for the load generator (e.g. --warmup=1s)")
	fs.DurationVar(&cfg.runTimeout, "run-timeout", 2*time.Minute, "a load generator still running this long after -duration is killed")
	fs.BoolVar(&cfg.keep, "keep", false, "keep the temporary directory (binaries, server logs)")
	fs.BoolVar(&cfg.list, "list", false, "list peers and cells and exit")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "compare: unexpected arguments %q\n", fs.Args())
		return 2
	}
	if cfg.runs < 1 || cfg.duration <= 0 || cfg.retries < 0 || cfg.idleConns < 1 {
		fmt.Fprintln(stderr, "compare: -runs and -duration must be positive, -retries not negative")
		return 2
	}
	var allCells []Cell
	switch cfg.mode {
	case modeServers:
		allCells = defaultCells(cfg.idleConns)
		if cfg.peers == "" {
			cfg.peers = defaultPeers
		}
	case modeClients:
		allCells = clientsCells()
		if cfg.peers == "" {
			cfg.peers = defaultGens
		}
	default:
		fmt.Fprintf(stderr, "compare: -mode=%q: want %s or %s\n", cfg.mode, modeServers, modeClients)
		return 2
	}
	if cfg.list {
		listMode(stdout, cfg.mode, allCells)
		return 0
	}
	cells, err := selectCells(allCells, cfg.cells)
	if err != nil {
		fmt.Fprintln(stderr, "compare:", err)
		return 2
	}
	d, err := newDriver(cfg, cells, stderr)
	if err != nil {
		fmt.Fprintln(stderr, "compare:", err)
		return 1
	}
	defer d.cleanup()
	// On SIGINT or SIGTERM, remove the temporary directory and go; the
	// servers and the load generator die with the driver (Pdeathsig).
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	go func() {
		s := <-sig
		fmt.Fprintf(stderr, "compare: %v: stopping\n", s)
		d.cleanup()
		os.Exit(130)
	}()
	rep := d.runAll()
	d.print(stdout, rep)
	if cfg.jsonOut != "" {
		b, err := json.MarshalIndent(rep, "", "  ")
		if err != nil {
			fmt.Fprintln(stderr, "compare: -json:", err)
			return 1
		}
		if err := os.WriteFile(cfg.jsonOut, append(b, '\n'), 0o644); err != nil {
			fmt.Fprintln(stderr, "compare:", err)
			return 1
		}
		fmt.Fprintf(stderr, "raw results written to %s\n", cfg.jsonOut)
	}
	return 0
}
