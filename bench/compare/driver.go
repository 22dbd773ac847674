package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// driver runs the comparison: the settings, the cells, the peers and their
// built binaries, the load generator chosen and the progress count. This
// file sets it up (builds, peers, load generator, tool versions) and removes
// its temporary directory.
type driver struct {
	cfg      config
	cells    []Cell
	peers    []Peer // -mode=servers: the servers compared
	gens     []Gen  // the load generators: compared (-mode=clients) or used
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

// newDriver checks the directories and CPUs, raises RLIMIT_NOFILE, builds
// what the peers and the load generator need into a temporary directory and
// chooses the load generator (-loadgen).
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
	for i := range names {
		names[i] = strings.TrimSpace(names[i])
	}
	need := d.needs(names)
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
		if cfg.mode == modeClients {
			break
		}
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
	if len(d.peers) == 0 && cfg.mode == modeServers {
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
	genNames := []string{"upcase-bench", refGen}
	if cfg.mode == modeClients {
		genNames = names
	}
	for _, n := range genNames {
		if n == refGen && !need[refGen] {
			continue
		}
		g, err := makeGen(n, d.bin, d.loadgen, strings.Fields(cfg.loadgenArgs))
		if err != nil {
			d.cleanup()
			return nil, err
		}
		d.gens = append(d.gens, g)
	}
	d.tools["go"] = firstLine(exec.Command("go", "env", "GOVERSION"), goEnv())
	if need[refPeer] || need[refUDPPeer] || need[refGen] {
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
	for _, c := range cells {
		d.steps += len(d.entriesFor(c)) * cfg.runs
		if c.Idle {
			d.steps += len(d.idlePeers()) * cfg.runs
		}
	}
	return d, nil
}

// needs is what must be built for the peers named: the servers and load
// generators of the mode, and the load generator -loadgen may choose.
func (d *driver) needs(names []string) map[string]bool {
	need := map[string]bool{}
	if d.cfg.mode == modeClients {
		need[refPeer], need[refUDPPeer] = true, true
		for _, n := range names {
			if n == refGen {
				need[refGen] = true
			}
		}
	} else {
		for _, n := range names {
			switch {
			case strings.HasPrefix(n, "upcase"):
				need["upcase"] = true
			default:
				need[n] = true
			}
			if n == "upcase-udp" || n == refUDPPeer {
				need[refGen] = true // the UDP load when -loadgen chooses loadgen/
			}
		}
	}
	if d.cfg.loadgen != "builtin" {
		need["upcase"] = true
	}
	if d.cfg.loadgen == "builtin" || d.cfg.loadgen == "auto" {
		need["loadgen"] = true
	}
	return need
}

// firstLine is the first line of cmd's output, run with env if not nil, or
// "?" when it fails: a tool's version for the header.
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

// cleanup removes the temporary directory, unless -keep.
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

// logPath is where the server of the row named peer writes its log for a
// run of a cell (run 0: the server shared by a load cell's runs).
func (d *driver) logPath(peer string, c Cell, run int) string {
	return filepath.Join(d.tmp, fmt.Sprintf("server-%s-%s-%d.log", peer, c.Name, run))
}
