package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"

	"github.com/creack/pty"
)

// runBench runs `upcase bench` to its end and returns stdout, stderr and the
// exit code.
func runBench(t *testing.T, args ...string) (stdout []byte, stderr string, code int) {
	t.Helper()
	cmd := exec.Command("upcase", append([]string{"bench"}, args...)...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	var ee *exec.ExitError
	if err != nil && !errors.As(err, &ee) {
		t.Fatal(err)
	}
	return out.Bytes(), errb.String(), cmd.ProcessState.ExitCode()
}

// benchJSON decodes the one JSON object bench printed.
func benchJSON(t *testing.T, out []byte) map[string]any {
	t.Helper()
	var m map[string]any
	dec := json.NewDecoder(bytes.NewReader(out))
	if err := dec.Decode(&m); err != nil {
		t.Fatalf("stdout is not a JSON object: %v\n%s", err, out)
	}
	if dec.More() {
		t.Fatalf("stdout holds more than one JSON value:\n%s", out)
	}
	return m
}

// contractKeys are the JSON keys CONTRACT.md promises.
var contractKeys = []string{"msgs_per_sec", "mb_per_sec", "p50_us", "p99_us", "p999_us", "max_us", "errors", "mismatches"}

// TestBenchAgainstServe: bench against the real server process, closed and
// open loop, pipelined, TCP and UDP: exit 0, one JSON object with the
// contract's keys, replies counted, nothing wrong. (main_test.go runs it
// against both server engines.)
func TestBenchAgainstServe(t *testing.T) {
	_, addr := startServe(t)
	_, udpAddr := startServe(t, "--udp", "--udp-rate=0")
	for _, args := range [][]string{
		{addr},
		{"--addr=" + addr, "--pipeline=8", "--size=1000"},
		{addr, "--rate=2000", "--warmup=100ms"},
		{udpAddr, "--udp", "--pipeline=4"},
	} {
		t.Run(strings.Join(args[1:], " "), func(t *testing.T) {
			out, stderr, code := runBench(t, append(args, "--json", "--conns=4", "--duration=500ms")...)
			if code != 0 {
				t.Fatalf("exit %d; want 0; stderr:\n%s", code, stderr)
			}
			if stderr != "" {
				t.Errorf("stderr is not a terminal, yet bench wrote to it: %q", stderr)
			}
			m := benchJSON(t, out)
			for _, k := range contractKeys {
				if _, ok := m[k].(float64); !ok {
					t.Errorf("JSON %q = %v; want a number", k, m[k])
				}
			}
			if m["messages"].(float64) == 0 || m["msgs_per_sec"].(float64) <= 0 || m["mismatches"].(float64) != 0 || m["errors"].(float64) != 0 {
				t.Errorf("messages %v, msgs/s %v, mismatches %v, errors %v; want replies and nothing wrong",
					m["messages"], m["msgs_per_sec"], m["mismatches"], m["errors"])
			}
		})
	}
}

// serveTCP calls handle, in a goroutine of its own, for every connection
// accepted on 127.0.0.1 at a free port, closes the connection when handle
// returns, and returns the address. When the test ends it stops accepting
// and waits for the handlers.
func serveTCP(t *testing.T, handle func(net.Conn)) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	wg.Go(func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			wg.Go(func() {
				defer c.Close()
				handle(c)
			})
		}
	})
	t.Cleanup(func() {
		ln.Close()
		wg.Wait()
	})
	return ln.Addr().String()
}

// echoServer is an RFC 862 echo server in this process: it does not
// upper-case. got, if not nil, is closed at the first byte received.
func echoServer(t *testing.T, got chan<- struct{}) string {
	t.Helper()
	var once sync.Once
	return serveTCP(t, func(c net.Conn) {
		buf := make([]byte, 4096)
		for {
			n, err := c.Read(buf)
			if n > 0 && got != nil {
				once.Do(func() { close(got) })
			}
			if _, werr := c.Write(buf[:n]); werr != nil || err != nil {
				return
			}
		}
	})
}

// refusingServer accepts every TCP connection and closes it at once, as a
// server (or a load balancer) does beyond its connection limit.
func refusingServer(t *testing.T) string {
	t.Helper()
	return serveTCP(t, func(net.Conn) {})
}

// TestBenchCatchesEchoServer: an echo server is not an upcase server. Bench
// prints the result all the same, then exits 1 with one line that says
// what was wrong; with --expect=echo it passes.
func TestBenchCatchesEchoServer(t *testing.T) {
	addr := echoServer(t, nil)
	out, stderr, code := runBench(t, addr, "--conns=2", "--duration=300ms")
	if code != 1 {
		t.Fatalf("exit %d; want 1; stderr:\n%s", code, stderr)
	}
	if !regexp.MustCompile(`checked .*: [1-9]\d* mismatches`).Match(out) {
		t.Errorf("stdout does not report the mismatches:\n%s", out)
	}
	if strings.Count(stderr, "\n") != 1 || !strings.Contains(stderr, "not as expected") || !strings.Contains(stderr, "--expect=echo") {
		t.Errorf("stderr %q; want one line about the mismatches with a hint", stderr)
	}

	out, _, code = runBench(t, addr, "--conns=2", "--duration=300ms", "--json")
	if m := benchJSON(t, out); code != 1 || m["mismatches"].(float64) == 0 {
		t.Errorf("--json: exit %d, mismatches %v; want 1 and some", code, m["mismatches"])
	}

	_, stderr, code = runBench(t, addr, "--conns=2", "--duration=300ms", "--expect=echo")
	if code != 0 {
		t.Errorf("--expect=echo against an echo server: exit %d (%s); want 0", code, stderr)
	}
}

// TestBenchRefusingServer: against a server that closes every connection
// before answering, bench counts them apart in --json
// ("closed_before_reply"), names the likely cause and where to look in its
// report (upcase serve's limit flags), and exits 1 with one line that says
// it too.
func TestBenchRefusingServer(t *testing.T) {
	addr := refusingServer(t)
	out, _, code := runBench(t, addr, "--conns=20", "--duration=300ms", "--json")
	m := benchJSON(t, out)
	closed, ok := m["closed_before_reply"].(float64)
	if code != 1 || !ok || closed == 0 || closed != m["errors"] {
		t.Errorf("--json: exit %d, closed_before_reply %v, errors %v; want 1, and every error a connection closed before its reply",
			code, m["closed_before_reply"], m["errors"])
	}
	out, stderr, code := runBench(t, addr, "--conns=20", "--duration=300ms")
	if code != 1 || !regexp.MustCompile(`(?m)^  cause .*--max-conns-per-ip`).Match(out) {
		t.Errorf("exit %d; want 1, and a cause line naming the flag that sets the limit; stdout:\n%s", code, out)
	}
	if strings.Count(stderr, "\n") != 1 || !strings.Contains(stderr, "closed by the server before answering") {
		t.Errorf("stderr %q; want one line that says the server closed connections before answering", stderr)
	}
}

// TestBenchInterrupted: SIGINT or SIGTERM stops a run planned for an hour
// at once. The result so far is printed, marked interrupted, over the time
// until the signal (not the hour planned), with the rates over that time;
// the connections bench closed because it was stopped are not failures:
// against a server that refuses most of them (--max-conns), every failure
// listed is one the server closed. The exit status is 130, as for other
// commands, with one line on stderr (CONTRACT.md: non-zero, one line).
func TestBenchInterrupted(t *testing.T) {
	for _, tc := range []struct {
		name     string
		sig      syscall.Signal
		refusing bool // a server at its connection limit
		asJSON   bool
	}{
		{"SIGINT", syscall.SIGINT, false, true},
		{"SIGTERM", syscall.SIGTERM, false, true},
		{"SIGTERM text", syscall.SIGTERM, false, false},
		{"SIGTERM refusing", syscall.SIGTERM, true, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			args := []string{"bench", "--duration=1h"}
			var running func() // returns once bench is sending
			if tc.refusing {
				srv, addr := startServe(t, "--max-conns=4")
				args = append(args, addr, "--conns=20")
				// The server refuses 16 of the 20 connections bench opens
				// first; a 17th refusal is of a connection bench opened
				// again, once it had found one of those closed: it is
				// running, and has counted a failure.
				running = func() {
					refused := 0
					srv.waitRecord(t, func(r record) bool {
						if r.str("reason") == "max_conns" {
							n, _ := strconv.Atoi(r.str("count"))
							refused += n
						}
						return refused > 16
					})
				}
			} else {
				got := make(chan struct{})
				args = append(args, echoServer(t, got), "--expect=echo")
				running = func() { <-got }
			}
			if tc.asJSON {
				args = append(args, "--json")
			}
			cmd := exec.Command("upcase", args...)
			var out, errb bytes.Buffer
			cmd.Stdout, cmd.Stderr = &out, &errb
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			done := make(chan struct{})
			t.Cleanup(func() { // if the test fails before the signal
				cmd.Process.Kill()
				<-done
			})
			go func() {
				defer close(done)
				cmd.Wait()
			}()
			running()
			cmd.Process.Signal(tc.sig)
			<-done
			if code := cmd.ProcessState.ExitCode(); code != 130 {
				t.Fatalf("exit %d; want 130; stderr:\n%s", code, errb.String())
			}
			if errb.String() != "upcase bench: interrupted\n" {
				t.Errorf("stderr %q; want the one interrupted line", errb.String())
			}
			if !tc.asJSON {
				if !regexp.MustCompile(`(?m)^  interrupted  stopped after \d+\.\d\d s of the planned 3600\.00 s$`).Match(out.Bytes()) {
					t.Errorf("stdout does not say when the run stopped, against the hour planned:\n%s", out.String())
				}
				return
			}
			m := benchJSON(t, out.Bytes())
			num := func(k string) float64 {
				v, ok := m[k].(float64)
				if !ok {
					t.Fatalf("JSON %q = %v; want a number", k, m[k])
				}
				return v
			}
			if m["interrupted"] != true {
				t.Errorf("interrupted = %v; want true", m["interrupted"])
			}
			if planned, sending, d := num("planned_s"), num("sending_s"), num("duration_s"); planned != 3600 || sending >= planned || d >= planned || d < sending {
				t.Errorf("planned_s %v, sending_s %v, duration_s %v; want 3600, sending stopped before, the duration from then on", planned, sending, d)
			}
			if d := num("duration_s"); d > 0 && num("msgs_per_sec") != num("messages")/d {
				t.Errorf("msgs_per_sec %v; want messages %v over duration_s %v", num("msgs_per_sec"), num("messages"), d)
			}
			if failed := num("failed_conns_total"); num("conn_failures") != 0 || failed != num("closed_before_reply") || failed != num("errors") {
				t.Errorf("failed_conns_total %v, conn_failures %v, closed_before_reply %v, errors %v; want every failure a connection the server closed",
					failed, num("conn_failures"), num("closed_before_reply"), num("errors"))
			}
			if tc.refusing && num("closed_before_reply") == 0 {
				t.Errorf("closed_before_reply 0 against a server at its limit of 4 with 20 connections")
			}
		})
	}
}

// TestBenchPlot: --plot draws the run (the image itself is the plot
// package's to test).
func TestBenchPlot(t *testing.T) {
	_, addr := startServe(t)
	for _, name := range []string{"run.svg", "run.png"} {
		path := filepath.Join(t.TempDir(), name)
		if _, stderr, code := runBench(t, addr, "--duration=300ms", "--plot="+path); code != 0 {
			t.Fatalf("exit %d: %s", code, stderr)
		}
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if magic := map[string]string{"run.svg": "<svg", "run.png": "\x89PNG"}[name]; !bytes.Contains(b[:min(len(b), 512)], []byte(magic)) {
			t.Errorf("%s does not look like one: %q", name, b[:min(len(b), 32)])
		}
	}
}

// TestBenchProgressOnTerminal: with stderr on a terminal, a progress line is
// redrawn there and cleared at the end; stdout gets only the result.
func TestBenchProgressOnTerminal(t *testing.T) {
	_, addr := startServe(t)
	ptmx, tty, err := pty.Open()
	if err != nil {
		t.Fatal(err)
	}
	defer ptmx.Close()
	cmd := exec.Command("upcase", "bench", addr, "--duration=800ms")
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, tty
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	tty.Close() // the child has its copy
	var term bytes.Buffer
	io.Copy(&term, ptmx) // until the child exits: then reads fail with EIO
	if err := cmd.Wait(); err != nil {
		t.Fatalf("bench: %v; terminal: %q", err, term.String())
	}
	s := term.String()
	if !strings.Contains(s, "\r\x1b[K") || !strings.Contains(s, "msgs/s") || !strings.HasSuffix(s, "\r\x1b[K") {
		t.Errorf("terminal got %q; want progress lines redrawn with \\r and cleared at the end", s)
	}
	if strings.ContainsAny(out.String(), "\r\x1b") || !strings.Contains(out.String(), "msgs/s") {
		t.Errorf("stdout %q; want the result and no terminal control", out.String())
	}
}
