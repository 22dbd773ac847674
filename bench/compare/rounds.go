package main

import (
	"fmt"
	"os/exec"
	"slices"
	"time"
)

// runAll measures every cell on every peer and returns the report. This
// file holds the rounds: in each cell the peers take turns, run 1 of each,
// then run 2, and a disturbed run is run again; progress goes to the log.
func (d *driver) runAll() *Report {
	rep := &Report{
		Mode:     d.cfg.mode,
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
	if d.cfg.mode == modeClients {
		for _, g := range d.gens {
			rep.Peers[g.Name] = g.Desc
			rep.PeerOrder = append(rep.PeerOrder, g.Name)
		}
		for _, n := range []string{refPeer, refUDPPeer} {
			p, _ := makePeer(n, d.bin, nil)
			rep.Servers = append(rep.Servers, n+": "+p.Desc)
		}
	} else {
		for _, c := range d.cells {
			if g, ok := d.serverLoad(c); ok && !slices.Contains(rep.Loads, g.Name+": "+g.Desc) {
				rep.Loads = append(rep.Loads, g.Name+": "+g.Desc)
			}
		}
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

// loadCell starts every entry's server, then runs the cell on each entry in
// turn, run after run, so that slow changes in the machine's load spread
// over all of them alike.
func (d *driver) loadCell(c Cell) []Result {
	entries := d.entriesFor(c)
	res := make([]Result, len(entries))
	servers := make([]*Server, len(entries))
	for i, e := range entries {
		p := e.Server
		res[i] = Result{Cell: c, Peer: e.Name, Ref: e.Ref, Load: e.Gen.Name}
		s, err := startServer(p, d.cfg.serverCPU, d.logPath(e.Name, c, 0))
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
		for i, e := range entries {
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
				r := d.loadRun(s, c, e.Gen)
				d.report(c, e.Name, run, r)
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
			res[i].Notes = append(res[i].Notes, fmt.Sprintf("server exited: %v: %s", s.err, tail(d.logPath(entries[i].Name, c, 0))))
		}
	}
	return res
}

// report writes one run's progress line to the log.
func (d *driver) report(c Cell, peer string, run int, r RunResult) {
	prefix := fmt.Sprintf("[%d/%d] %s %s run %d", d.progress, d.steps, c.Name, peer, run)
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
	fmt.Fprintf(d.log, "%s: %s msgs/s, p99 %s µs, server %s µs/msg (%.0f%% of its CPU), load generator %s µs/msg (%.0f%%), others %.1f%%%s\n",
		prefix, count(r.MsgsPerSec), num(r.P99us), num(r.ServerCPUusPerMsg), 100*r.ServerBusy,
		num(r.LoadgenCPUusPerMsg), 100*r.LoadgenBusy, 100*r.OtherShare, flag)
}
