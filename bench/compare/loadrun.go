package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"time"
)

// loadRun runs load generator g once, pinned, against s with cell c's load,
// after waiting for the CPUs to be idle, and measures it. This file is one
// load run: the generator's figures and both sides' CPU time.
func (d *driver) loadRun(s *Server, c Cell, g Gen) RunResult {
	var r RunResult
	r.NotIdleBefore = !d.waitIdle()

	before, berr := snapBefore(s.PID())
	if berr != nil {
		r.Error = berr.Error()
		return r
	}
	ctx, cancel := context.WithTimeout(context.Background(), d.cfg.duration+d.cfg.runTimeout)
	defer cancel()
	cmd := pinnedCommand(ctx, d.cfg.clientCPU, g.Args(s.Addr, c, d.cfg.duration))
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
	r.Errors, r.Mismatches, r.Lost = int64(b.Errors+b.ConnFailures), int64(b.Mismatches), int64(b.Lost)
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
	// The load generator's CPU time, like the server's, covers the whole
	// run: opening the connections, warm-up and the wait for the last
	// replies included. taskset execs it, so this is the generator itself.
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		r.LoadgenCPUSeconds = tvSeconds(ru.Utime) + tvSeconds(ru.Stime)
		r.LoadgenCPUusPerMsg = math.NaN()
		if r.CPUMessages > 0 {
			r.LoadgenCPUusPerMsg = r.LoadgenCPUSeconds * 1e6 / r.CPUMessages
		}
		r.LoadgenBusy = r.LoadgenCPUSeconds / wall.Seconds()
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
