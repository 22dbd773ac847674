package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// proc is a process started by a test, with its output (stdout and stderr
// together) kept, so the test can wait for what it logs (waitRecord) instead
// of sleeping.
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
			t.Logf("output of %s %v:\n%s", name, args, tail(p.output.String()))
		}
	})
	return p
}

// startServe starts `upcase serve` on a free loopback port and returns it with
// the address its listening record names.
func startServe(t *testing.T, args ...string) (*proc, string) {
	t.Helper()
	p := startUpcase(t, append([]string{"serve", "--addr=127.0.0.1:0"}, args...)...)
	return p, p.waitRecord(t, listening).str("addr")
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

	parsing sync.Mutex // held by the one goroutine parsing new lines
	parsed  int        // bytes of buf parsed into records (under mu)
	recs    []record   // the log records among the lines parsed (under mu)
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

// waitLimit is how long a test waits for a process to do something before it
// fails. It is never what a test waits for.
const waitLimit = 2 * time.Minute

// A record is one log record a process wrote: a line of --log-format=json, or
// of slog's key=value text (whose values are all strings). Tests find records
// by their attributes (addr, peer, reason ...), never by their message, so
// that rewording a message breaks no test.
type record map[string]any

// has reports whether the record has the attribute key.
func (r record) has(key string) bool {
	_, ok := r[key]
	return ok
}

// str is the record's value for key as text, "" if it has none: a number as
// an integer where it is one ("5", not "5e+00").
func (r record) str(key string) string {
	switch v := r[key].(type) {
	case nil:
		return ""
	case string:
		return v
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64)
	default:
		return fmt.Sprint(v)
	}
}

// host is the IP address of the record's address attribute key ("" if it has
// none).
func (r record) host(key string) string {
	h, _, _ := net.SplitHostPort(r.str(key))
	return h
}

// listening is the record a server writes for each socket it listens on: an
// address and how it serves it (an engine for TCP, the network for UDP).
func listening(r record) bool {
	return r.has("addr") && (r.has("engine") || r.has("network"))
}

// metricsEndpoint is the record of the --metrics endpoint: its address and
// the paths it serves.
func metricsEndpoint(r record) bool { return r.has("addr") && r.has("paths") }

// closeOf matches the record of how the connection from peer ended: the one
// of its records with a reason.
func closeOf(peer string) func(record) bool {
	return func(r record) bool { return r.str("peer") == peer && r.has("reason") }
}

// parseRecord reads one line of log output as a record, or returns nil if it
// is not one (another program's output, a panic).
func parseRecord(line string) record {
	var r record
	if strings.HasPrefix(line, "{") {
		if json.Unmarshal([]byte(line), &r) != nil {
			return nil
		}
	} else {
		r = parseText(strings.TrimSuffix(line, "\n"))
	}
	if !r.has("level") || !r.has("msg") {
		return nil
	}
	return r
}

// parseText reads slog's text form: key=value pairs separated by spaces,
// values with spaces or quotes in Go's quoted form.
func parseText(line string) record {
	r := record{}
	for line != "" {
		key, rest, ok := strings.Cut(line, "=")
		if !ok || key == "" || strings.ContainsAny(key, " \"") {
			return nil
		}
		var value string
		if strings.HasPrefix(rest, `"`) {
			q, err := strconv.QuotedPrefix(rest)
			if err != nil {
				return nil
			}
			value, _ = strconv.Unquote(q)
			rest = rest[len(q):]
			if rest != "" && rest[0] != ' ' {
				return nil
			}
		} else {
			value, rest, _ = strings.Cut(rest, " ")
		}
		r[key] = value
		line = strings.TrimPrefix(rest, " ")
	}
	return r
}

// parse adds the records among the complete lines written since the last
// call to l.recs. Parsing is done outside mu, so as not to hold up the
// process's writes.
func (l *lines) parse() {
	l.parsing.Lock()
	defer l.parsing.Unlock()
	l.mu.Lock()
	b := l.buf.Bytes()[l.parsed:]
	var chunk string
	if i := bytes.LastIndexByte(b, '\n'); i >= 0 {
		chunk = string(b[:i+1])
	}
	l.mu.Unlock()
	var recs []record
	for line := range strings.Lines(chunk) {
		if r := parseRecord(line); r != nil {
			recs = append(recs, r)
		}
	}
	l.mu.Lock()
	l.parsed += len(chunk)
	l.recs = append(l.recs, recs...)
	l.mu.Unlock()
}

// records is every record the process has written so far, in order.
func (p *proc) records() []record {
	p.output.parse()
	p.output.mu.Lock()
	defer p.output.mu.Unlock()
	return p.output.recs
}

// waitRecord waits until the process has written a record that match holds
// of, and returns the first such. It fails the test if the process exits
// without one or none comes within waitLimit.
func (p *proc) waitRecord(t *testing.T, match func(record) bool) record {
	t.Helper()
	return p.waitRecords(t, 1, match)[0]
}

// waitRecords waits until the process has written n records that match holds
// of, and returns the first n. Each line is parsed once and each record
// matched once, so it stays cheap when the process narrates megabytes. (The
// process's output is logged when the test fails.)
func (p *proc) waitRecords(t *testing.T, n int, match func(record) bool) []record {
	t.Helper()
	deadline := time.NewTimer(waitLimit)
	defer deadline.Stop()
	var got []record
	next, exited := 0, false
	for {
		p.output.mu.Lock()
		changed := p.output.changed
		p.output.mu.Unlock()
		all := p.records()
		for _, r := range all[next:] {
			if match(r) {
				if got = append(got, r); len(got) == n {
					return got
				}
			}
		}
		next = len(all)
		if exited {
			t.Fatalf("the process exited (%v) after %d of the %d records awaited", p.err, len(got), n)
		}
		select {
		case <-changed:
		case <-p.done: // all its output is in: look once more
			exited = true
		case <-deadline.C:
			t.Fatalf("the process wrote %d of the %d records awaited within %v", len(got), n, waitLimit)
		}
	}
}

// waitUntil waits until ok, a probe of the process's behaviour (a dial, an
// HTTP request), holds, probing every pollEvery. It fails the test, saying
// what it waited for, if the process exits first (and ok does not hold
// then) or ok does not hold within waitLimit.
func (p *proc) waitUntil(t *testing.T, what string, ok func() bool) {
	t.Helper()
	deadline := time.NewTimer(waitLimit)
	defer deadline.Stop()
	poll := time.NewTicker(pollEvery)
	defer poll.Stop()
	for {
		if ok() {
			return
		}
		select {
		case <-poll.C:
		case <-p.done:
			if ok() {
				return
			}
			t.Fatalf("the process exited (%v) before %s", p.err, what)
		case <-deadline.C:
			t.Fatalf("no %s within %v", what, waitLimit)
		}
	}
}

// pollEvery paces waitUntil's probes. Nothing depends on it but how soon a
// probe sees a change.
const pollEvery = 10 * time.Millisecond

// refuses reports whether a connection to addr is refused: nothing listens
// there any more. One that is accepted is closed at once; one reset as it
// connects met a listener that was closing, and the next probe will tell.
func refuses(t *testing.T, addr string) bool {
	t.Helper()
	c, err := net.DialTimeout("tcp", addr, 10*time.Second)
	switch {
	case err == nil:
		c.Close()
		return false
	case errors.Is(err, syscall.ECONNREFUSED):
		return true
	case errors.Is(err, syscall.ECONNRESET):
		return false
	}
	t.Fatalf("connecting to %s: %v; want it accepted, reset or refused", addr, err)
	return false
}

// tail is the end of a process's output, at most 16 KiB of it: -v floods can
// be megabytes.
func tail(out string) string {
	if len(out) > 16<<10 {
		return "…" + out[len(out)-16<<10:]
	}
	return out
}

// newPrompt is what the line editor (readline) writes before each new prompt,
// once it has put the terminal in raw mode: a space and a backspace, which
// leave the right edge of the screen. It writes them after a line ends too,
// but then no prompt follows at once; and a prompt redrawn under a reply
// does not start with them.
const newPrompt = " \b"
