package main

import (
	"errors"
	"math"
	"time"
)

// snapshot is what is read from /proc around a load run: every process's
// CPU time, the CPUs' /proc/stat lines and the server's own ticks.
type snapshot struct {
	procs  map[int]ProcTicks
	cpus   cpuSample
	server ProcTicks
}

// snapBefore reads the snapshot before a run: the other processes first and
// the server last, so that snapAfter, in the reverse order, spans the run.
func snapBefore(pid int) (snapshot, error) {
	var s snapshot
	s.procs = scanProcs()
	var err0, err1 error
	s.cpus, err0 = sampleCPUs()
	s.server, err1 = readProcTicks(pid)
	return s, errors.Join(err0, err1)
}

// snapAfter reads the snapshot after a run, in snapBefore's reverse order.
func snapAfter(pid int) (snapshot, error) {
	var s snapshot
	var err0, err1 error
	s.server, err1 = readProcTicks(pid)
	s.cpus, err0 = sampleCPUs()
	s.procs = scanProcs()
	return s, errors.Join(err0, err1)
}

// accountCPU fills in r's CPU figures from the snapshots taken before and
// after a run of wall time: the server's ticks per message (r.CPUMessages
// must be set) and share of its CPU, its CPU's irq and softirq ticks, and
// the CPU time of processes not in own plus steal, as a share of the two
// CPUs, which decides whether the run was disturbed. This file is the CPU
// accounting, from /proc, and the wait for the CPUs to be idle before a run.
func (d *driver) accountCPU(r *RunResult, before, after snapshot, wall time.Duration, own map[int]bool) {
	pt0, pt1 := before.server, after.server
	st0, st1 := before.cpus, after.cpus
	clk := float64(d.clk)
	r.ServerTicks = pt1.Total() - pt0.Total()
	if r.CPUMessages > 0 {
		r.ServerCPUusPerMsg = float64(r.ServerTicks) / clk * 1e6 / r.CPUMessages
	} else {
		r.ServerCPUusPerMsg = math.NaN()
	}
	r.ServerBusy = float64(r.ServerTicks) / clk / wall.Seconds()
	srv := st1.cpus[d.cfg.serverCPU].Sub(st0.cpus[d.cfg.serverCPU])
	r.ServerCPUIRQTicks = srv.IRQ + srv.SoftIRQ

	// Other processes' CPU time, and time the hypervisor gave to other
	// machines (steal), over the run, as a share of the two CPUs.
	other := float64(otherTicks(before.procs, after.procs, own))
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

// sampleCPUs reads /proc/stat's CPU lines now.
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

// busyShare is busyTicks as a share of the time between a and b.
func busyShare(a, b cpuSample, cpu int, clk uint64) float64 {
	elapsed := b.at.Sub(a.at).Seconds() * float64(clk)
	if elapsed <= 0 {
		return 0
	}
	return busyTicks(a, b, cpu, clk) / elapsed
}
