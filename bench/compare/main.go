// Command compare measures `upcase serve` against other upper-casing TCP
// servers on loopback and prints one table: a goroutine-per-connection Go
// server, a gnet v2 server and a minimal C epoll server, the reference for
// what the kernel itself costs. Each server is pinned to one CPU, the load
// generator (`upcase bench`) to another. See README.md.
//
//	bench/compare/run [-duration=5s] [-runs=3] [-peers=...] [-cells=...] [-json=out.json]
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"net"
	"os"
	"os/exec"
	"os/signal"
	"path"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// Cell is one load shape.
type Cell struct {
	Name     string `json:"name"`
	Idle     bool   `json:"idle,omitempty"` // hold Conns idle connections, measure RSS
	Conns    int    `json:"conns"`
	Size     int    `json:"size,omitempty"`
	Pipeline int    `json:"pipeline,omitempty"`
}

func sizeName(n int) string {
	if n >= 1024 && n%1024 == 0 {
		return strconv.Itoa(n/1024) + "KiB"
	}
	return strconv.Itoa(n) + "B"
}

func defaultCells(idleConns int) []Cell {
	var cells []Cell
	for _, n := range []int{1, 50, 1000} {
		for _, size := range []int{16, 1024} {
			cells = append(cells, Cell{Name: fmt.Sprintf("pp-%dc-%s", n, sizeName(size)), Conns: n, Size: size, Pipeline: 1})
		}
	}
	cells = append(cells, Cell{Name: "pipe-50c-16x-64B", Conns: 50, Size: 64, Pipeline: 16})
	cells = append(cells, Cell{Name: fmt.Sprintf("idle-%dc", idleConns), Idle: true, Conns: idleConns})
	return cells
}

// selectCells keeps the cells matching any of the comma-separated patterns
// (path.Match globs, or "all").
func selectCells(all []Cell, patterns string) ([]Cell, error) {
	if patterns == "" || patterns == "all" {
		return all, nil
	}
	var out []Cell
	taken := map[string]bool{}
	for _, p := range strings.Split(patterns, ",") {
		p = strings.TrimSpace(p)
		matched := false
		for _, c := range all {
			ok, err := path.Match(p, c.Name)
			if err != nil {
				return nil, fmt.Errorf("-cells %q: %w", p, err)
			}
			if ok {
				matched = true
				if !taken[c.Name] {
					taken[c.Name] = true
					out = append(out, c)
				}
			}
		}
		if !matched {
			return nil, fmt.Errorf("-cells: %q matches no cell (run with -list)", p)
		}
	}
	return out, nil
}

type config struct {
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

func main() {
	os.Exit(realMain(os.Args[1:], os.Stdout, os.Stderr))
}

func realMain(args []string, stdout, stderr io.Writer) int {
	var cfg config
	fs := flag.NewFlagSet("compare", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.DurationVar(&cfg.duration, "duration", 5*time.Second, "length of each load run")
	fs.IntVar(&cfg.runs, "runs", 3, "runs per cell and peer; the table shows medians")
	fs.IntVar(&cfg.retries, "retries", 2, "times a run disturbed by other processes is run again")
	fs.StringVar(&cfg.peers, "peers", defaultPeers, "comma-separated peers: "+strings.Join(allPeerNames, ", ")+" (upcase-goroutine/-epoll need upcase serve --engine)")
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
	allCells := defaultCells(cfg.idleConns)
	if cfg.list {
		fmt.Fprintln(stdout, "peers (default "+defaultPeers+"):")
		for _, n := range allPeerNames {
			p, _ := makePeer(n, binaries{}, nil)
			fmt.Fprintf(stdout, "  %-17s %s\n", n, p.Desc)
		}
		fmt.Fprintln(stdout, "cells:")
		for _, c := range allCells {
			if c.Idle {
				fmt.Fprintf(stdout, "  %-17s %d idle connections: server RSS per connection\n", c.Name, c.Conns)
			} else {
				fmt.Fprintf(stdout, "  %-17s %d connections, %d B messages, %d in flight each\n", c.Name, c.Conns, c.Size, c.Pipeline)
			}
		}
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
		b, _ := json.MarshalIndent(rep, "", "  ")
		if err := os.WriteFile(cfg.jsonOut, append(b, '\n'), 0o644); err != nil {
			fmt.Fprintln(stderr, "compare:", err)
			return 1
		}
		fmt.Fprintf(stderr, "raw results written to %s\n", cfg.jsonOut)
	}
	return 0
}

// RunResult is one measured run.
type RunResult struct {
	Attempts int     `json:"attempts"` // 1 + reruns because of disturbance
	Seconds  float64 `json:"seconds"`  // wall time of the load generator (or the idle run)
	Error    string  `json:"error,omitempty"`

	// Load cells.
	Bench             map[string]any `json:"bench,omitempty"` // the load generator's JSON as printed
	Messages          float64        `json:"messages,omitempty"`
	MessagesEstimated bool           `json:"messages_estimated,omitempty"` // no "messages" key: msgs_per_sec × duration
	CPUMessages       float64        `json:"cpu_messages,omitempty"`       // what server CPU is divided by: "sent" if given, else messages
	MsgsPerSec        float64        `json:"msgs_per_sec,omitempty"`
	P99us             float64        `json:"p99_us,omitempty"`
	Errors            int64          `json:"errors,omitempty"`
	Mismatches        int64          `json:"mismatches,omitempty"`
	ServerTicks       uint64         `json:"server_cpu_ticks,omitempty"`
	ServerCPUusPerMsg float64        `json:"server_cpu_us_per_msg,omitempty"`
	ServerBusy        float64        `json:"server_cpu_share,omitempty"`
	ServerCPUIRQTicks uint64         `json:"server_cpu_irq_softirq_ticks,omitempty"` // ticks sampled in irq/softirq on the server's CPU
	LoadgenCPUSeconds float64        `json:"loadgen_cpu_seconds,omitempty"`
	CPUsBusyTicks     float64        `json:"cpus_busy_ticks,omitempty"` // the two CPUs' time not idle, idle-transition overhead included
	OtherTicks        float64        `json:"other_ticks"`               // other processes' CPU time plus steal
	OtherShare        float64        `json:"other_share"`               // other_ticks as a share of the two CPUs
	Disturbed         bool           `json:"disturbed,omitempty"`
	NotIdleBefore     bool           `json:"not_idle_before,omitempty"` // -idle-wait ran out

	// Idle cell.
	Opened        int     `json:"opened,omitempty"`
	Accepted      int     `json:"accepted,omitempty"`
	RSSBeforeKiB  uint64  `json:"rss_before_kib,omitempty"`
	RSSAfterKiB   uint64  `json:"rss_after_kib,omitempty"`
	RSSKiBPerConn float64 `json:"rss_kib_per_conn,omitempty"`
}

// Result is one peer in one cell.
type Result struct {
	Cell  Cell        `json:"cell"`
	Peer  string      `json:"peer"`
	Runs  []RunResult `json:"runs"`
	Notes []string    `json:"notes,omitempty"`
}

// Report is everything measured.
type Report struct {
	Machine   Machine           `json:"machine"`
	Started   time.Time         `json:"started"`
	Finished  time.Time         `json:"finished"`
	Tools     map[string]string `json:"tools"`
	Loadgen   string            `json:"loadgen"`
	Pinning   string            `json:"pinning"`
	Duration  string            `json:"duration"`
	RunsPer   int               `json:"runs_per_cell"`
	Peers     map[string]string `json:"peers"`
	PeerOrder []string          `json:"peer_order"`
	Results   []Result          `json:"results"`
}

type driver struct {
	cfg      config
	cells    []Cell
	peers    []Peer
	bin      binaries
	tmp      string
	log      io.Writer
	clk      uint64
	loadgen  string // "upcase" or "builtin"
	lgDesc   string
	tools    map[string]string
	watchCPU []int
	progress int
	steps    int
}

func newDriver(cfg config, cells []Cell, log io.Writer) (*driver, error) {
	dir, err := filepath.Abs(cfg.dir)
	if err != nil {
		return nil, err
	}
	if _, err := os.Stat(filepath.Join(dir, "cepoll", "server.c")); err != nil {
		return nil, fmt.Errorf("%s is not bench/compare (no cepoll/server.c): run from there or pass -dir", dir)
	}
	cfg.dir = dir
	if cfg.repo == "" {
		cfg.repo = filepath.Join(dir, "..", "..")
	}
	if _, err := os.Stat(filepath.Join(cfg.repo, "cmd", "upcase")); err != nil {
		return nil, fmt.Errorf("%s has no cmd/upcase: pass -repo", cfg.repo)
	}
	if cfg.serverCPU == cfg.clientCPU {
		return nil, fmt.Errorf("-server-cpu and -client-cpu must differ")
	}
	raiseNoFile(log)

	d := &driver{cfg: cfg, cells: cells, log: log, clk: clockTicks(), tools: map[string]string{},
		watchCPU: []int{cfg.serverCPU, cfg.clientCPU}}
	if _, err := exec.LookPath("taskset"); err != nil {
		fmt.Fprintln(log, "taskset not found: pinning with sched_setaffinity instead")
	}
	names := strings.Split(cfg.peers, ",")
	need := map[string]bool{}
	for i := range names {
		names[i] = strings.TrimSpace(names[i])
		switch {
		case strings.HasPrefix(names[i], "upcase"):
			need["upcase"] = true
		default:
			need[names[i]] = true
		}
	}
	if cfg.loadgen != "builtin" {
		need["upcase"] = true
	}
	if cfg.loadgen == "builtin" || cfg.loadgen == "auto" {
		need["loadgen"] = true
	}
	d.tmp, err = os.MkdirTemp("", "upcase-compare-")
	if err != nil {
		return nil, err
	}
	fmt.Fprintf(log, "building into %s ...\n", d.tmp)
	d.bin, err = build(cfg.dir, cfg.repo, d.tmp, need)
	if err != nil {
		d.cleanup()
		return nil, err
	}
	var extra []string
	if cfg.upcaseArgs != "" {
		extra = strings.Fields(cfg.upcaseArgs)
	}
	var serveHelp string
	if need["upcase"] {
		serveHelp, _ = upcaseHelp(d.bin.upcase, "serve")
	}
	for _, n := range names {
		p, err := makePeer(n, d.bin, extra)
		if err != nil {
			d.cleanup()
			return nil, err
		}
		if (n == "upcase-goroutine" || n == "upcase-epoll") && !strings.Contains(serveHelp, "--engine") {
			fmt.Fprintf(log, "skipping peer %s: this upcase serve has no --engine flag\n", n)
			continue
		}
		d.peers = append(d.peers, p)
	}
	if len(d.peers) == 0 {
		d.cleanup()
		return nil, errors.New("no peers to run")
	}

	switch cfg.loadgen {
	case "upcase", "auto":
		if help, ok := upcaseHelp(d.bin.upcase, "bench"); ok && strings.Contains(help, "json") {
			d.loadgen, d.lgDesc = "upcase", "upcase bench (this repo)"
		} else if cfg.loadgen == "upcase" {
			d.cleanup()
			return nil, errors.New("-loadgen=upcase: this upcase has no working `bench --json` command")
		} else {
			d.loadgen, d.lgDesc = "builtin", "builtin loadgen/ (this upcase has no bench command)"
		}
	case "builtin":
		d.loadgen, d.lgDesc = "builtin", "builtin loadgen/ (-loadgen=builtin)"
	default:
		d.cleanup()
		return nil, fmt.Errorf("-loadgen=%q: want auto, upcase or builtin", cfg.loadgen)
	}
	d.tools["go"] = firstLine(exec.Command("go", "env", "GOVERSION"), goEnv())
	if need[refPeer] {
		d.tools["gcc"] = firstLine(exec.Command("gcc", "--version"), nil)
	}
	if b, err := os.ReadFile(filepath.Join(cfg.dir, "go.mod")); err == nil {
		for line := range strings.Lines(string(b)) {
			if f := strings.Fields(line); len(f) >= 2 && f[0] == "github.com/panjf2000/gnet/v2" {
				d.tools["gnet"] = f[1]
			}
		}
	}
	if need["upcase"] {
		d.tools["upcase"] = strings.TrimSpace(firstLine(exec.Command(d.bin.upcase, "version"), nil))
	}
	d.steps = len(cells) * len(d.peers) * cfg.runs
	return d, nil
}

func firstLine(cmd *exec.Cmd, env []string) string {
	if env != nil {
		cmd.Env = env
	}
	out, err := cmd.Output()
	if err != nil {
		return "?"
	}
	l, _, _ := strings.Cut(string(out), "\n")
	return strings.TrimSpace(l)
}

// raiseNoFile sets RLIMIT_NOFILE's soft limit to its hard limit. Setting it
// explicitly (rather than relying on the Go runtime's own raise) makes the
// children, servers and load generator alike, inherit it.
func raiseNoFile(log io.Writer) {
	var r syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &r); err != nil {
		fmt.Fprintln(log, "getrlimit:", err)
		return
	}
	r.Cur = r.Max
	if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &r); err != nil {
		fmt.Fprintln(log, "setrlimit:", err)
	}
}

func noFileLimit() uint64 {
	var r syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &r); err != nil {
		return 0
	}
	return r.Cur
}

func (d *driver) cleanup() {
	if d.tmp == "" {
		return
	}
	if d.cfg.keep {
		fmt.Fprintf(d.log, "kept %s\n", d.tmp)
		return
	}
	os.RemoveAll(d.tmp)
}

func (d *driver) runAll() *Report {
	rep := &Report{
		Machine:  describeMachine(),
		Started:  time.Now(),
		Tools:    d.tools,
		Loadgen:  d.lgDesc,
		Duration: d.cfg.duration.String(),
		RunsPer:  d.cfg.runs,
		Peers:    map[string]string{},
		Pinning:  fmt.Sprintf("server on CPU %d, load generator on CPU %d", d.cfg.serverCPU, d.cfg.clientCPU),
	}
	if _, err := exec.LookPath("taskset"); err == nil {
		rep.Pinning += " (taskset)"
	} else {
		rep.Pinning += " (sched_setaffinity)"
	}
	for _, p := range d.peers {
		rep.Peers[p.Name] = p.Desc
		rep.PeerOrder = append(rep.PeerOrder, p.Name)
	}
	for _, c := range d.cells {
		if c.Idle {
			rep.Results = append(rep.Results, d.idleCell(c)...)
		} else {
			rep.Results = append(rep.Results, d.loadCell(c)...)
		}
	}
	rep.Finished = time.Now()
	return rep
}

func (d *driver) logPath(p Peer, c Cell, run int) string {
	return filepath.Join(d.tmp, fmt.Sprintf("server-%s-%s-%d.log", p.Name, c.Name, run))
}

// loadCell starts every peer's server, then runs the cell on each in turn,
// run after run, so that slow changes in the machine's load spread over all
// peers alike.
func (d *driver) loadCell(c Cell) []Result {
	res := make([]Result, len(d.peers))
	servers := make([]*Server, len(d.peers))
	for i, p := range d.peers {
		res[i] = Result{Cell: c, Peer: p.Name}
		s, err := startServer(p, d.cfg.serverCPU, d.logPath(p, c, 0))
		if err != nil {
			res[i].Notes = append(res[i].Notes, "server failed: "+err.Error())
			fmt.Fprintf(d.log, "%s %s: %v\n", c.Name, p.Name, err)
			continue
		}
		servers[i] = s
		if msg := checkPinned(s.PID(), d.cfg.serverCPU); msg != "" {
			res[i].Notes = append(res[i].Notes, msg)
			fmt.Fprintf(d.log, "%s %s: %s\n", c.Name, p.Name, msg)
		}
	}
	defer func() {
		for _, s := range servers {
			if s != nil {
				s.Stop()
			}
		}
	}()
	for run := 1; run <= d.cfg.runs; run++ {
		for i, p := range d.peers {
			s := servers[i]
			d.progress++
			if s == nil {
				continue
			}
			if s.exited() {
				res[i].Runs = append(res[i].Runs, RunResult{Error: fmt.Sprintf("server exited: %v", s.err)})
				continue
			}
			// A disturbed run is run again; the least disturbed is kept.
			var best RunResult
			attempts := 0
			for attempts < 1+d.cfg.retries {
				attempts++
				r := d.loadRun(s, c)
				d.report(c, p, run, r)
				if attempts == 1 || r.Error == "" && (best.Error != "" || r.OtherShare < best.OtherShare) {
					best = r
				}
				if r.Error != "" || !r.Disturbed {
					break
				}
			}
			best.Attempts = attempts
			res[i].Runs = append(res[i].Runs, best)
		}
	}
	for i, s := range servers {
		if s != nil && s.exited() {
			res[i].Notes = append(res[i].Notes, fmt.Sprintf("server exited: %v: %s", s.err, tail(d.logPath(d.peers[i], c, 0))))
		}
	}
	return res
}

func (d *driver) report(c Cell, p Peer, run int, r RunResult) {
	prefix := fmt.Sprintf("[%d/%d] %s %s run %d", d.progress, d.steps, c.Name, p.Name, run)
	if r.Error != "" {
		fmt.Fprintf(d.log, "%s: %s\n", prefix, r.Error)
		return
	}
	if c.Idle {
		fmt.Fprintf(d.log, "%s: %d/%d connections, RSS %d → %d KiB, %.2f KiB/conn\n",
			prefix, r.Accepted, r.Opened, r.RSSBeforeKiB, r.RSSAfterKiB, r.RSSKiBPerConn)
		return
	}
	flag := ""
	if r.Disturbed {
		flag = " DISTURBED"
	}
	if r.NotIdleBefore {
		flag += " (machine not idle before)"
	}
	fmt.Fprintf(d.log, "%s: %s msgs/s, p99 %s µs, server %s µs/msg (%.0f%% of its CPU), others %.1f%%%s\n",
		prefix, count(r.MsgsPerSec), num(r.P99us), num(r.ServerCPUusPerMsg), 100*r.ServerBusy, 100*r.OtherShare, flag)
}

// waitIdle waits, for at most -idle-wait, until each watched CPU is busy less
// than -idle-busy over 500 ms. It reports whether it got there.
func (d *driver) waitIdle() bool {
	if d.cfg.idleWait <= 0 {
		return true
	}
	deadline := time.Now().Add(d.cfg.idleWait)
	for {
		a, err := sampleCPUs()
		if err != nil {
			return true
		}
		time.Sleep(500 * time.Millisecond)
		b, err := sampleCPUs()
		if err != nil {
			return true
		}
		idle := true
		for _, cpu := range d.watchCPU {
			if busyShare(a, b, cpu, d.clk) >= d.cfg.idleBusy {
				idle = false
			}
		}
		if idle {
			return true
		}
		if time.Now().After(deadline) {
			return false
		}
	}
}

// cpuSample is /proc/stat's CPU lines and when they were read.
type cpuSample struct {
	at   time.Time
	cpus map[int]CPUTicks
}

func sampleCPUs() (cpuSample, error) {
	c, err := readSystemStat()
	return cpuSample{at: time.Now(), cpus: c}, err
}

// busyTicks is how long cpu was not idle between samples a and b, in ticks.
// It is the elapsed time less idle and iowait time: with a tickless idle
// kernel those two are measured exactly, while the busy columns are sampled
// at each tick, which misses much of a CPU that is busy in short bursts.
func busyTicks(a, b cpuSample, cpu int, clk uint64) float64 {
	d := b.cpus[cpu].Sub(a.cpus[cpu])
	elapsed := b.at.Sub(a.at).Seconds() * float64(clk)
	return max(0, elapsed-float64(d.Idle+d.IOWait))
}

func busyShare(a, b cpuSample, cpu int, clk uint64) float64 {
	elapsed := b.at.Sub(a.at).Seconds() * float64(clk)
	if elapsed <= 0 {
		return 0
	}
	return busyTicks(a, b, cpu, clk) / elapsed
}

func tvSeconds(tv syscall.Timeval) float64 {
	return float64(tv.Sec) + float64(tv.Usec)/1e6
}

func (d *driver) loadgenArgs(addr string, c Cell) []string {
	a := []string{"--json", "--addr=" + addr, "--conns=" + strconv.Itoa(c.Conns),
		"--size=" + strconv.Itoa(c.Size), "--duration=" + d.cfg.duration.String(),
		"--pipeline=" + strconv.Itoa(c.Pipeline)}
	a = append(a, strings.Fields(d.cfg.loadgenArgs)...)
	if d.loadgen == "upcase" {
		return append([]string{d.bin.upcase, "bench"}, a...)
	}
	return append([]string{d.bin.loadgen}, a...)
}

// benchJSON is the part of the load generator's JSON the table needs.
type benchJSON struct {
	Messages     *float64 `json:"messages"`      // answered while measuring
	Sent         *float64 `json:"sent"`          // sent in all, warm-up included
	ConnFailures float64  `json:"conn_failures"` // connections that could not be opened
	MsgsPerSec   *float64 `json:"msgs_per_sec"`
	P99us        *float64 `json:"p99_us"`
	Errors       float64  `json:"errors"`
	Mismatches   float64  `json:"mismatches"`
}

// parseBenchOutput finds the JSON object in the load generator's output
// (the last line that is one, so stray lines before it do no harm).
func parseBenchOutput(out []byte) (benchJSON, map[string]any, error) {
	lines := bytes.Split(bytes.TrimSpace(out), []byte("\n"))
	for i := len(lines) - 1; i >= 0; i-- {
		l := bytes.TrimSpace(lines[i])
		if len(l) == 0 || l[0] != '{' {
			continue
		}
		b, raw, ok := decodeBenchJSON(l)
		if !ok {
			continue
		}
		if b.MsgsPerSec == nil {
			return b, raw, errors.New("load generator JSON has no msgs_per_sec")
		}
		return b, raw, nil
	}
	// Maybe indented over several lines.
	if i := bytes.IndexByte(out, '{'); i >= 0 {
		var obj json.RawMessage
		if json.NewDecoder(bytes.NewReader(out[i:])).Decode(&obj) == nil {
			if b, raw, ok := decodeBenchJSON(obj); ok && b.MsgsPerSec != nil {
				return b, raw, nil
			}
		}
	}
	return benchJSON{}, nil, fmt.Errorf("no JSON object with msgs_per_sec in the load generator's output: %q", truncate(string(out), 300))
}

// decodeBenchJSON decodes one JSON object twice: the fields the table needs,
// and the whole of it, kept in the report.
func decodeBenchJSON(obj []byte) (b benchJSON, raw map[string]any, ok bool) {
	ok = json.Unmarshal(obj, &b) == nil && json.Unmarshal(obj, &raw) == nil
	return b, raw, ok
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

func (d *driver) loadRun(s *Server, c Cell) RunResult {
	var r RunResult
	r.NotIdleBefore = !d.waitIdle()

	procs0 := scanProcs()
	st0, err0 := sampleCPUs()
	pt0, err1 := readProcTicks(s.PID())
	if err := errors.Join(err0, err1); err != nil {
		r.Error = err.Error()
		return r
	}
	ctx, cancel := context.WithTimeout(context.Background(), d.cfg.duration+d.cfg.runTimeout)
	defer cancel()
	cmd := pinnedCommand(ctx, d.cfg.clientCPU, d.loadgenArgs(s.Addr, c))
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	t0 := time.Now()
	err := startPinned(cmd, d.cfg.clientCPU)
	if err == nil {
		err = cmd.Wait()
	}
	wall := time.Since(t0)
	pt1, err1 := readProcTicks(s.PID())
	st1, err0 := sampleCPUs()
	procs1 := scanProcs()
	r.Seconds = wall.Seconds()
	if err := errors.Join(err0, err1); err != nil {
		r.Error = err.Error()
		return r
	}
	// A load generator that saw errors may exit non-zero and still print its
	// figures; those count (the errors show in the table).
	b, raw, perr := parseBenchOutput(stdout.Bytes())
	var exitErr *exec.ExitError
	if err != nil && (perr != nil || !errors.As(err, &exitErr) || ctx.Err() != nil) {
		r.Error = fmt.Sprintf("load generator: %v: %s", err, truncate(strings.TrimSpace(stderr.String()), 500))
		return r
	}
	if perr != nil {
		r.Error = perr.Error()
		return r
	}
	r.Bench = raw
	r.MsgsPerSec = *b.MsgsPerSec
	if b.P99us != nil {
		r.P99us = *b.P99us
	} else {
		r.P99us = math.NaN()
	}
	r.Errors, r.Mismatches = int64(b.Errors+b.ConnFailures), int64(b.Mismatches)
	if b.Messages != nil {
		r.Messages = *b.Messages
	} else {
		r.Messages = r.MsgsPerSec * d.cfg.duration.Seconds()
		r.MessagesEstimated = true
	}
	// The server's CPU time covers the whole load generator run, warm-up
	// included, so it is divided by every message sent when that is known.
	r.CPUMessages = r.Messages
	if b.Sent != nil && *b.Sent >= r.Messages {
		r.CPUMessages = *b.Sent
	}
	clk := float64(d.clk)
	r.ServerTicks = pt1.Total() - pt0.Total()
	if r.CPUMessages > 0 {
		r.ServerCPUusPerMsg = float64(r.ServerTicks) / clk * 1e6 / r.CPUMessages
	} else {
		r.ServerCPUusPerMsg = math.NaN()
	}
	r.ServerBusy = float64(r.ServerTicks) / clk / wall.Seconds()
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		r.LoadgenCPUSeconds = tvSeconds(ru.Utime) + tvSeconds(ru.Stime)
	}
	srv := st1.cpus[d.cfg.serverCPU].Sub(st0.cpus[d.cfg.serverCPU])
	r.ServerCPUIRQTicks = srv.IRQ + srv.SoftIRQ

	// Other processes' CPU time, and time the hypervisor gave to other
	// machines (steal), over the run, as a share of the two CPUs.
	own := map[int]bool{os.Getpid(): true, s.PID(): true}
	if cmd.Process != nil {
		own[cmd.Process.Pid] = true
	}
	other := float64(otherTicks(procs0, procs1, own))
	var busy float64
	for _, cpu := range d.watchCPU {
		busy += busyTicks(st0, st1, cpu, d.clk)
		other += float64(st1.cpus[cpu].Steal - st0.cpus[cpu].Steal)
	}
	r.CPUsBusyTicks, r.OtherTicks = busy, other
	if capacity := float64(len(d.watchCPU)) * st1.at.Sub(st0.at).Seconds() * clk; capacity > 0 {
		r.OtherShare = other / capacity
	}
	r.Disturbed = r.OtherShare > d.cfg.disturbed
	if s.exited() {
		r.Error = fmt.Sprintf("server exited during the run: %v", s.err)
	}
	return r
}

// idleCell measures each peer's RSS per idle connection, on a fresh server
// for every run.
func (d *driver) idleCell(c Cell) []Result {
	var res []Result
	for _, p := range d.peers {
		res = append(res, Result{Cell: c, Peer: p.Name})
	}
	if lim := noFileLimit(); lim < uint64(c.Conns)+100 {
		fmt.Fprintf(d.log, "warning: RLIMIT_NOFILE is %d, below the %d idle connections wanted\n", lim, c.Conns)
	}
	for run := 1; run <= d.cfg.runs; run++ {
		for i, p := range d.peers {
			d.progress++
			r := d.idleRun(p, c, run)
			r.Attempts = 1
			d.report(c, p, run, r)
			res[i].Runs = append(res[i].Runs, r)
		}
	}
	return res
}

func (d *driver) idleRun(p Peer, c Cell, run int) RunResult {
	var r RunResult
	t0 := time.Now()
	defer func() { r.Seconds = time.Since(t0).Seconds() }()
	s, err := startServer(p, d.cfg.serverCPU, d.logPath(p, c, run))
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
		r.Error = fmt.Sprintf("server exited: %v: %s", s.err, tail(d.logPath(p, c, run)))
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

// rowFor reduces one result to medians for the table.
func rowFor(r Result) Row {
	row := Row{Cell: r.Cell.Name, Peer: r.Peer, Idle: r.Cell.Idle}
	var mps, p99, cpu, busy, rss []float64
	var errs, mism int64
	failed, reruns, disturbed, notIdle, estimated := 0, 0, 0, 0, false
	for _, run := range r.Runs {
		if run.Error != "" {
			failed++
			continue
		}
		reruns += run.Attempts - 1
		if run.Disturbed {
			disturbed++
		}
		if run.NotIdleBefore {
			notIdle++
		}
		estimated = estimated || run.MessagesEstimated
		errs += run.Errors
		mism += run.Mismatches
		mps = append(mps, run.MsgsPerSec)
		p99 = append(p99, run.P99us)
		cpu = append(cpu, run.ServerCPUusPerMsg)
		busy = append(busy, run.ServerBusy)
		rss = append(rss, run.RSSKiBPerConn)
	}
	row.MsgsPerSec, row.P99us, row.CPUusMsg = median(mps), median(p99), median(cpu)
	row.ServerBusy, row.RSSKiBConn = median(busy), median(rss)
	var probs, notes []string
	if errs > 0 {
		probs = append(probs, plural(int(errs), "error"))
	}
	if mism > 0 {
		probs = append(probs, plural(int(mism), "mismatch"))
	}
	if failed > 0 {
		probs = append(probs, fmt.Sprintf("%d/%d runs failed", failed, len(r.Runs)))
	}
	if len(r.Runs) == 0 {
		probs = append(probs, "not run")
	}
	if reruns > 0 {
		notes = append(notes, plural(reruns, "rerun"))
	}
	if disturbed > 0 {
		notes = append(notes, fmt.Sprintf("%d/%d disturbed", disturbed, len(r.Runs)))
	}
	if notIdle > 0 {
		notes = append(notes, fmt.Sprintf("%d/%d started busy", notIdle, len(r.Runs)))
	}
	if estimated {
		notes = append(notes, "msgs estimated")
	}
	if len(r.Notes) > 0 {
		notes = append(notes, "see JSON notes")
	}
	row.Problems = strings.Join(probs, ", ")
	row.Note = strings.Join(notes, ", ")
	return row
}

func plural(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	if strings.HasSuffix(what, "ch") {
		return fmt.Sprintf("%d %ses", n, what)
	}
	return fmt.Sprintf("%d %ss", n, what)
}

func (d *driver) print(w io.Writer, rep *Report) {
	m := rep.Machine
	fmt.Fprintln(w, "## upcase serve vs. other upper-casing servers, loopback")
	fmt.Fprintln(w)
	fmt.Fprintf(w, "- machine: %s, nproc %d, %s, %s RAM, CLK_TCK %d, IRQ time accounting %s\n", m.CPUModel, m.NProc, m.Kernel, m.MemTotal, m.ClockTck, m.IRQTime)
	var tools []string
	for _, k := range []string{"upcase", "go", "gnet", "gcc"} {
		if v, ok := rep.Tools[k]; ok {
			tools = append(tools, k+": "+v)
		}
	}
	fmt.Fprintf(w, "- %s\n", strings.Join(tools, "; "))
	fmt.Fprintf(w, "- %s; load generator: %s\n", rep.Pinning, rep.Loadgen)
	fmt.Fprintf(w, "- median of %d runs of %s per cell; ×C = peer ÷ %s (msgs/s: higher is better; the rest: lower is better)\n", rep.RunsPer, rep.Duration, refPeer)
	for _, n := range rep.PeerOrder {
		fmt.Fprintf(w, "- %s: %s\n", n, rep.Peers[n])
	}
	fmt.Fprintln(w)
	var rows []Row
	for _, r := range rep.Results {
		rows = append(rows, rowFor(r))
	}
	writeTable(w, rows, refPeer)
	fmt.Fprintln(w)
	fmt.Fprintln(w, "pp-Nc-S: N connections ping-ponging S-byte messages; pipe-: 16 messages in flight per connection; idle-Nc: N connections held open, nothing sent.")
	softirq := "softirq work done in the server's context is included"
	if m.IRQTime != "off" {
		softirq = "softirq work is included only where IRQ time accounting is off"
	}
	fmt.Fprintf(w, "srv CPU µs/msg: the server's utime+stime over the whole load generator run (/proc/PID/stat, clock ticks; connection set-up and warm-up included; %s) ÷ messages sent in that run (the generator's \"sent\", else \"messages\"). srv CPU %%: of its one CPU.\n", softirq)
	fmt.Fprintln(w, "RSS KiB/idle conn: (server VmRSS with the idle connections − VmRSS before) ÷ connections; kernel socket memory is not in RSS.")
	fmt.Fprintln(w, "reruns: runs repeated because other processes used more than", fmt.Sprintf("%.0f%%", 100*d.cfg.disturbed), "of the two CPUs; disturbed: still so after", d.cfg.retries, "reruns (the least disturbed attempt is kept).")
}
