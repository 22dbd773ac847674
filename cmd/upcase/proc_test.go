package main

import (
	"bytes"
	"os/exec"
	"regexp"
	"sync"
	"syscall"
	"testing"
	"time"
)

// proc is a process started by a test, with its output (stdout and stderr
// together) kept line by
// line so the test can wait for what it prints instead of sleeping.
type proc struct {
	cmd    *exec.Cmd
	output *lines
	done   chan struct{} // closed when the process has exited
	err    error         // Wait's result, valid once done is closed
}

// startUpcase starts the upcase command (the test binary, put on PATH by
// testscript.Main) with args.
func startUpcase(t *testing.T, args ...string) *proc {
	t.Helper()
	return startCommand(t, "upcase", args...)
}

// startCommand starts any program, for wrappers such as prlimit.
func startCommand(t *testing.T, name string, args ...string) *proc {
	t.Helper()
	p := &proc{cmd: exec.Command(name, args...), output: newLines(), done: make(chan struct{})}
	p.cmd.Stdout, p.cmd.Stderr = p.output, p.output
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		p.err = p.cmd.Wait()
		close(p.done)
	}()
	t.Cleanup(func() {
		p.cmd.Process.Kill()
		<-p.done
		if t.Failed() {
			out := p.output.String()
			if len(out) > 16<<10 { // -v floods can be megabytes
				out = "…" + out[len(out)-16<<10:]
			}
			t.Logf("output of %s %v:\n%s", name, args, out)
		}
	})
	return p
}

// startServe starts `upcase serve` on a free loopback port and returns it with
// the address it printed in its one "listening" line.
func startServe(t *testing.T, args ...string) (*proc, string) {
	t.Helper()
	p := startUpcase(t, append([]string{"serve", "--addr=127.0.0.1:0"}, args...)...)
	m := p.output.waitFor(t, p, regexp.MustCompile(`msg=listening addr=(\S+)`))
	return p, m[1]
}

// signal sends sig to the process.
func (p *proc) signal(t *testing.T, sig syscall.Signal) {
	t.Helper()
	if err := p.cmd.Process.Signal(sig); err != nil {
		t.Fatal(err)
	}
}

// wait waits for the process to exit and returns its exit code.
func (p *proc) wait(t *testing.T) int {
	t.Helper()
	select {
	case <-p.done:
	case <-time.After(30 * time.Second):
		t.Fatalf("upcase did not exit")
	}
	return p.cmd.ProcessState.ExitCode()
}

// lines is an io.Writer that keeps what is written and wakes waiters on each
// write.
type lines struct {
	mu      sync.Mutex
	buf     bytes.Buffer
	changed chan struct{}
}

func newLines() *lines { return &lines{changed: make(chan struct{})} }

func (l *lines) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.buf.Write(p)
	close(l.changed)
	l.changed = make(chan struct{})
	return len(p), nil
}

func (l *lines) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

// waitFor waits until re matches what was written and returns the submatches.
// It fails the test if the process exits first or nothing matches within a
// generous deadline.
func (l *lines) waitFor(t *testing.T, p *proc, re *regexp.Regexp) []string {
	t.Helper()
	m, exited := l.waitOrExit(t, p, re)
	if exited {
		t.Fatalf("the process exited (%v) before printing %q; output:\n%s", p.err, re, l.String())
	}
	return m
}

// waitOrExit waits until re matches what was written, or the process exits
// without it (exited is then true). It fails the test if neither happens
// within a generous deadline.
func (l *lines) waitOrExit(t *testing.T, p *proc, re *regexp.Regexp) (m []string, exited bool) {
	t.Helper()
	deadline := time.NewTimer(30 * time.Second)
	defer deadline.Stop()
	for {
		l.mu.Lock()
		m := re.FindStringSubmatch(l.buf.String())
		changed := l.changed
		l.mu.Unlock()
		if m != nil {
			return m, false
		}
		select {
		case <-changed:
		case <-p.done:
			if m := re.FindStringSubmatch(l.String()); m != nil {
				return m, false
			}
			return nil, true
		case <-deadline.C:
			t.Fatalf("the process never printed %q; output:\n%s", re, l.String())
		}
	}
}
