package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// loadgenArgs is the load generator's command line for cell c against addr.
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

// loadRun runs the load generator once, pinned, against s with cell c's
// load, after waiting for the CPUs to be idle, and measures it. This file is
// one load run: the generator's command line, its figures and CPU time.
func (d *driver) loadRun(s *Server, c Cell) RunResult {
	var r RunResult
	r.NotIdleBefore = !d.waitIdle()

	before, berr := snapBefore(s.PID())
	if berr != nil {
		r.Error = berr.Error()
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
	after, aerr := snapAfter(s.PID())
	r.Seconds = wall.Seconds()
	if aerr != nil {
		r.Error = aerr.Error()
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
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		r.LoadgenCPUSeconds = tvSeconds(ru.Utime) + tvSeconds(ru.Stime)
	}
	own := map[int]bool{os.Getpid(): true, s.PID(): true}
	if cmd.Process != nil {
		own[cmd.Process.Pid] = true
	}
	d.accountCPU(&r, before, after, wall, own)
	if s.exited() {
		r.Error = fmt.Sprintf("server exited during the run: %v", s.err)
	}
	return r
}

// tvSeconds is tv in seconds.
func tvSeconds(tv syscall.Timeval) float64 {
	return float64(tv.Sec) + float64(tv.Usec)/1e6
}
