package main

import (
	"encoding/csv"
	"encoding/json"
	"io"
	"math/rand/v2"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/upcase/upcase/internal/server"
)

// lbMaxPerIP is the instances' --max-conns-per-ip: above what the load
// phases put on one instance from one source (12 connections from 3 sources
// over 2 or 3 instances), below what the limit phase does (30 from one).
const lbMaxPerIP = 8

// lbSources are the clients' addresses; HAProxy itself connects from
// 127.0.0.1.
var lbSources = []string{"127.0.0.2", "127.0.0.3", "127.0.0.4"}

// An lbInstance is one `upcase serve` behind HAProxy.
type lbInstance struct {
	name    string // HAProxy's server name: s1 .. s4
	p       *proc
	addr    string // host:port it serves, behind HAProxy
	metrics string // host:port of /metrics, /readyz
}

// startLBInstance starts upcase serve as HAProxy's backends are run: PROXY
// protocol required from HAProxy only, metrics for its health check, a lame
// duck long enough for the check (inter 200ms x fall 2) to see /readyz fail.
// addr and metrics may be 127.0.0.1:0.
func startLBInstance(t *testing.T, name, addr, metrics string) *lbInstance {
	t.Helper()
	p := startUpcase(t, "serve", "--addr="+addr, "--metrics="+metrics,
		"--proxy-protocol=required", "--proxy-trusted=127.0.0.1/32",
		"--lame-duck=1500ms", "--drain=10s", "--max-conns-per-ip="+strconv.Itoa(lbMaxPerIP), "--limit-loopback", // the clients are 127.0.0.2-4
		"-v", "--log-format=json")
	a := p.waitRecord(t, listening).str("addr")
	m := p.waitRecord(t, metricsEndpoint).str("addr")
	return &lbInstance{name: name, p: p, addr: a, metrics: m}
}

// lbAddr is a loopback address where nobody listens yet.
//
// The port is taken below the ephemeral range (ip_local_port_range): one
// the kernel hands out to outgoing connections could be taken by a client's
// connection (bench's, HAProxy's) before the server meant for it listens
// there, which once made s4's start fail with "address already in use".
func lbAddr(t *testing.T) string {
	t.Helper()
	low := 32768 // the kernel's default
	if b, err := os.ReadFile("/proc/sys/net/ipv4/ip_local_port_range"); err == nil {
		if f := strings.Fields(string(b)); len(f) == 2 {
			if n, err := strconv.Atoi(f[0]); err == nil {
				low = n
			}
		}
	}
	for range 1000 {
		port := 10000 + rand.IntN(max(low-10000, 1))
		ln, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
		if err == nil {
			ln.Close()
			return ln.Addr().String()
		}
	}
	t.Fatalf("no free port from 10000 to %d", low)
	return ""
}

func lbPort(t *testing.T, addr string) string {
	t.Helper()
	_, port, err := net.SplitHostPort(addr)
	if err != nil {
		t.Fatal(err)
	}
	return port
}

// lbStat asks HAProxy's stats socket for `show stat` and returns the
// backend's servers: name → column → value.
func lbStat(t *testing.T, sock string) map[string]map[string]string {
	t.Helper()
	c, err := net.DialTimeout("unix", sock, 5*time.Second)
	if err != nil {
		return nil // not listening yet
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(5 * time.Second))
	if _, err := io.WriteString(c, "show stat\n"); err != nil {
		return nil
	}
	b, err := io.ReadAll(c)
	if err != nil {
		t.Fatalf("stats socket: %v", err)
	}
	text := strings.TrimPrefix(strings.TrimSpace(string(b)), "# ")
	r := csv.NewReader(strings.NewReader(text))
	r.FieldsPerRecord = -1
	rows, err := r.ReadAll()
	if err != nil || len(rows) < 2 {
		t.Fatalf("show stat: %v\n%s", err, b)
	}
	out := map[string]map[string]string{}
	for _, row := range rows[1:] {
		m := map[string]string{}
		for i, k := range rows[0] {
			if i < len(row) {
				m[k] = row[i]
			}
		}
		if m["pxname"] == "upcase" && m["svname"] != "BACKEND" {
			out[m["svname"]] = m
		}
	}
	return out
}

// lbWaitStat polls HAProxy's stats until ok holds of its servers (a probe,
// as a load balancer's own health check is).
func lbWaitStat(t *testing.T, hp *proc, sock, what string, ok func(map[string]map[string]string) bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	var last map[string]map[string]string
	for time.Now().Before(deadline) {
		if last = lbStat(t, sock); last != nil && ok(last) {
			return
		}
		select {
		case <-hp.done:
			t.Fatalf("haproxy exited (%v) while waiting for %s; output:\n%s", hp.err, what, hp.output.String())
		case <-time.After(20 * time.Millisecond):
		}
	}
	t.Fatalf("HAProxy never showed %s; last stats: %v", what, last)
}

// serverIs is a condition for lbWaitStat: HAProxy's status of server name
// begins with status (UP, DOWN, ...).
func serverIs(name, status string) func(map[string]map[string]string) bool {
	return func(st map[string]map[string]string) bool { return strings.HasPrefix(st[name]["status"], status) }
}

// lbMetrics scrapes an instance's /metrics.
func lbMetrics(t *testing.T, in *lbInstance) map[string]*dto.MetricFamily {
	t.Helper()
	code, body := get(t, "http://"+in.metrics+"/metrics")
	if code != 200 {
		t.Fatalf("%s /metrics: %d", in.name, code)
	}
	parser := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := parser.TextToMetricFamilies(strings.NewReader(body))
	if err != nil {
		t.Fatalf("%s /metrics: %v", in.name, err)
	}
	return fams
}

// lbValue sums the metric name's series whose labels include want.
func lbValue(fams map[string]*dto.MetricFamily, name string, want map[string]string) float64 {
	f, ok := fams[name]
	if !ok {
		return 0
	}
	var sum float64
next:
	for _, m := range f.GetMetric() {
		labels := map[string]string{}
		for _, l := range m.GetLabel() {
			labels[l.GetName()] = l.GetValue()
		}
		for k, v := range want {
			if labels[k] != v {
				continue next
			}
		}
		sum += m.GetCounter().GetValue() + m.GetGauge().GetValue()
	}
	return sum
}

// lbSourcesOf is the source labels of upcase_connections_active_by_source.
func lbSourcesOf(fams map[string]*dto.MetricFamily) map[string]float64 {
	out := map[string]float64{}
	for _, m := range fams["upcase_connections_active_by_source"].GetMetric() {
		for _, l := range m.GetLabel() {
			if l.GetName() == "source" {
				out[l.GetValue()] += m.GetGauge().GetValue()
			}
		}
	}
	return out
}

// benchOutput is what the tests read of bench's --json (bench.Result's
// JSON form, with durations in seconds).
type benchOutput struct {
	MsgsPerSec        float64 `json:"msgs_per_sec"`
	Messages          int64   `json:"messages"`
	Errors            int64   `json:"errors"`
	Mismatches        int64   `json:"mismatches"`
	ConnFailures      int64   `json:"conn_failures"`
	ConnsOpened       int64   `json:"conns_opened"`
	FailedConnsTotal  int64   `json:"failed_conns_total"`
	ClosedBeforeReply int64   `json:"closed_before_reply"`
	FailedConns       []struct {
		Local  string  `json:"local"`
		Remote string  `json:"remote"`
		AtS    float64 `json:"at_s"`
		Error  string  `json:"error"`
	} `json:"failed_conns"`
	Interrupted bool `json:"interrupted"`
	exit        int
}

// startBench starts `upcase bench --json` with args. A reply counts as
// missing only after --timeout=30s: these tests ask whether anything is
// lost, not how fast it comes, and a machine loaded by a parallel suite can
// hold a race-built server up for more than bench's default second.
func startBench(t *testing.T, args ...string) *proc {
	t.Helper()
	return startUpcase(t, append([]string{"bench", "--json", "--timeout=30s"}, args...)...)
}

// waitBench waits for a `upcase bench --json` (started by startBench, or
// otherwise) and decodes its one JSON line (its output is stdout and stderr
// together; stderr holds at most the one-line failure).
func waitBench(t *testing.T, p *proc) benchOutput {
	t.Helper()
	select {
	case <-p.done:
	case <-time.After(60 * time.Second):
		t.Fatal("bench did not end")
	}
	var res benchOutput
	for line := range strings.Lines(p.output.String()) {
		if strings.HasPrefix(line, "{") {
			if err := json.Unmarshal([]byte(line), &res); err != nil {
				t.Fatalf("bench printed bad JSON: %v\n%s", err, line)
			}
			res.exit = p.cmd.ProcessState.ExitCode()
			return res
		}
	}
	t.Fatalf("bench printed no JSON (exit %d):\n%s", p.cmd.ProcessState.ExitCode(), p.output.String())
	return res
}

// lbUntilStopped is the --duration of a bench that a test stops itself
// (stopBench) once it has seen what it waits for: far longer than any wait,
// so that the load is still running then, however loaded the machine.
const lbUntilStopped = "--duration=10m"

// stopBench stops a bench started with lbUntilStopped, by SIGINT as Ctrl-C
// would, and returns its result, which covers the run until the stop.
func stopBench(t *testing.T, p *proc) benchOutput {
	t.Helper()
	p.signal(t, syscall.SIGINT)
	res := waitBench(t, p)
	if !res.Interrupted || res.exit != 130 {
		t.Fatalf("bench stopped by SIGINT: exit %d, interrupted %v; want 130, true:\n%s", res.exit, res.Interrupted, p.output.String())
	}
	return res
}

// tcplogRE matches HAProxy's tcplog line: client ip:port [date] frontend
// backend/server ...
var tcplogRE = regexp.MustCompile(`(?m)^(\d+\.\d+\.\d+\.\d+:\d+) \[[^\]]+\] upcase upcase/(\S+) `)

// lbLogged waits until HAProxy has logged, after offset in its output, the
// end of the connection from client (ip:port), and returns the servers it
// logged it served by. HAProxy logs a connection once both its sides are
// closed, which may be after its client saw it fail.
func lbLogged(t *testing.T, hp *proc, offset int, client string) []string {
	t.Helper()
	var servers []string
	hp.waitUntil(t, "HAProxy's log line of "+client, func() bool {
		servers = nil
		for _, m := range tcplogRE.FindAllStringSubmatch(hp.output.String()[offset:], -1) {
			if m[1] == client {
				servers = append(servers, m[2])
			}
		}
		return servers != nil
	})
	return servers
}

// TestHAProxy runs deploy/haproxy/haproxy.cfg in front of three upcase
// instances speaking the PROXY protocol, loads it with bench from three
// source addresses, and checks, while the load runs, what an operator
// relies on: a SIGTERMed instance leaves the rotation without a single
// failed connection; a SIGKILLed one fails only the connections it held,
// and new ones go elsewhere; a new instance on the free slot joins and
// takes load; the instances see, log, count and limit the real clients,
// never HAProxy. It logs the figures measured.
func TestHAProxy(t *testing.T) {
	requireTool(t, "haproxy")
	cfg, err := filepath.Abs(filepath.Join("..", "..", "deploy", "haproxy", "haproxy.cfg"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(cfg); err != nil {
		t.Fatal(err)
	}

	// Three instances on free ports; the fourth slot's ports are chosen now
	// and stay free (DOWN) until phase (c).
	ins := map[string]*lbInstance{}
	for _, name := range []string{"s1", "s2", "s3"} {
		ins[name] = startLBInstance(t, name, "127.0.0.1:0", "127.0.0.1:0")
	}
	s4Addr, s4Metrics := lbAddr(t), lbAddr(t)
	lb := lbAddr(t)
	sock := filepath.Join(t.TempDir(), "haproxy.sock")
	env := []string{"UPCASE_LB_ADDR=" + lb, "UPCASE_LB_STATS_SOCKET=" + sock,
		"UPCASE_S4=" + s4Addr, "UPCASE_S4_METRICS_PORT=" + lbPort(t, s4Metrics)}
	for _, name := range []string{"s1", "s2", "s3"} {
		in := ins[name]
		n := strings.TrimPrefix(name, "s")
		env = append(env, "UPCASE_S"+n+"="+in.addr, "UPCASE_S"+n+"_METRICS_PORT="+lbPort(t, in.metrics))
	}
	// env(1) execs haproxy in the same process, so signals and the
	// cleanup's kill reach it.
	hp := startCommand(t, "env", append(env, "haproxy", "-db", "-f", cfg)...)
	lbWaitStat(t, hp, sock, "s1-s3 UP with a passed check, s4 DOWN", func(st map[string]map[string]string) bool {
		for _, s := range []string{"s1", "s2", "s3"} {
			if st[s]["status"] != "UP" || !strings.HasPrefix(st[s]["check_status"], "L7OK") {
				return false
			}
		}
		return strings.HasPrefix(st["s4"]["status"], "DOWN")
	})
	src := "--source=" + strings.Join(lbSources, ",")

	// Measured: closed loop through HAProxy against directly to one
	// instance, the same settings; the direct one is started as the others
	// but without the PROXY protocol, which they require.
	solo, soloAddr := startServe(t, "--metrics=127.0.0.1:0", "--lame-duck=1500ms", "--drain=10s", "--max-conns-per-ip="+strconv.Itoa(lbMaxPerIP), "--limit-loopback", "-v")
	dres := waitBench(t, startBench(t, src, "--conns=12", "--duration=1s", soloAddr))
	solo.signal(t, syscall.SIGKILL) // its work is done: it only costs CPU now
	tres := waitBench(t, startBench(t, src, "--conns=12", "--duration=1s", lb))
	if dres.exit != 0 || tres.exit != 0 || dres.MsgsPerSec <= 0 || tres.MsgsPerSec <= 0 {
		t.Fatalf("bench direct: exit %d, %v msgs/s; through HAProxy: exit %d, %v msgs/s; want both clean", dres.exit, dres.MsgsPerSec, tres.exit, tres.MsgsPerSec)
	}
	t.Logf("closed loop, 12 conns from 3 sources, 16 B, 1 s (instances run -v, built with -race): direct to one instance %.0f msgs/s; through HAProxy to s1-s3 %.0f msgs/s (%.2fx)",
		dres.MsgsPerSec, tres.MsgsPerSec, tres.MsgsPerSec/dres.MsgsPerSec)

	// The load of the phases: open loop, so that -v's narration stays
	// small, and a new connection every 20 messages, so that HAProxy
	// places new clients throughout. It runs until the phase has seen what
	// it waits for, and is then stopped (stopBench): however slowly a
	// loaded machine gets there, the load is still running.
	load := []string{src, "--conns=12", "--rate=2000", "--msgs-per-conn=20", lbUntilStopped, lb}
	metric := func(in *lbInstance, name string, labels map[string]string) float64 {
		return lbValue(lbMetrics(t, in), name, labels)
	}
	accepted := func(in *lbInstance) float64 { return metric(in, "upcase_connections_accepted_total", nil) }
	// served counts the connections in whose client ended them politely,
	// as bench does once its 20 messages on one have been answered.
	served := func(in *lbInstance) float64 {
		return metric(in, "upcase_connections_closed_total", map[string]string{"reason": string(server.ReasonFIN)})
	}
	// servedFromNow waits until the instances have served a connection they
	// accepted after now: more connections served than they had accepted
	// now. (A probe, as lbWaitStat: every counter only grows.)
	servedFromNow := func(p *proc, what string, in ...*lbInstance) {
		t.Helper()
		sum := func(f func(*lbInstance) float64) float64 {
			var n float64
			for _, i := range in {
				n += f(i)
			}
			return n
		}
		acc := sum(accepted)
		p.waitUntil(t, what, func() bool { return sum(served) > acc })
	}

	// (a) SIGTERM s1 under load: /readyz says 503 at once, HAProxy takes it
	// out, it exits 0, the load goes on on the others, and not one
	// connection fails. While the load runs, the instances' by-source
	// gauge shows the clients, not HAProxy.
	before := accepted(ins["s1"])
	bench := startBench(t, load...)
	seenSources := map[string]bool{}
	bench.waitUntil(t, "connections from every source on the instances, and one accepted by s1", func() bool {
		for _, name := range []string{"s1", "s2", "s3"} {
			for s := range lbSourcesOf(lbMetrics(t, ins[name])) {
				seenSources[s] = true
			}
		}
		for _, s := range lbSources {
			if !seenSources[s] {
				return false
			}
		}
		return accepted(ins["s1"]) > before
	})
	for s := range seenSources {
		if !slices.Contains(lbSources, s) {
			t.Errorf("upcase_connections_active_by_source shows %q; want only %v (127.0.0.1 is HAProxy's address)", s, lbSources)
		}
	}
	term := time.Now()
	ins["s1"].p.signal(t, syscall.SIGTERM)
	ins["s1"].p.waitUntil(t, "503 from s1's /readyz in its lame duck", func() bool {
		code, _ := get(t, "http://"+ins["s1"].metrics+"/readyz")
		return code == 503
	})
	lbWaitStat(t, hp, sock, "s1 DOWN", serverIs("s1", "DOWN"))
	termToDown := time.Since(term)
	if code := ins["s1"].p.wait(t); code != 0 {
		t.Errorf("s1 exited %d after SIGTERM; want 0", code)
	}
	servedFromNow(bench, "s2 or s3 serving a connection accepted after s1 exited", ins["s2"], ins["s3"])
	ares := stopBench(t, bench)
	if ares.Errors != 0 || ares.Mismatches != 0 || ares.FailedConnsTotal != 0 || ares.ConnFailures != 0 || ares.Messages == 0 {
		t.Errorf("(a) SIGTERM: bench %d messages, %d errors, %d mismatches, %d conn failures, failed %v; want replies and nothing failed",
			ares.Messages, ares.Errors, ares.Mismatches, ares.ConnFailures, ares.FailedConns)
	}
	t.Logf("(a) SIGTERM s1: HAProxy marked it DOWN %v after the signal; bench %d connections opened, %d failed, %d errors",
		termToDown.Round(time.Millisecond), ares.ConnsOpened, ares.FailedConnsTotal, ares.Errors)

	// (b) SIGKILL s2 under load: the connections it held may fail, and only
	// those: each failed connection's local address is a client HAProxy
	// logged as served by s2 (after the kill). New connections go on: s3,
	// the one left, serves connections it accepted after s2 was DOWN.
	before = accepted(ins["s2"])
	bench = startBench(t, load...)
	bench.waitUntil(t, "a connection accepted by s2", func() bool { return accepted(ins["s2"]) > before })
	logOffset := len(hp.output.String())
	kill := time.Now()
	ins["s2"].p.signal(t, syscall.SIGKILL)
	lbWaitStat(t, hp, sock, "s2 DOWN", serverIs("s2", "DOWN"))
	killToDown := time.Since(kill)
	servedFromNow(bench, "s3 serving a connection accepted after s2 was DOWN", ins["s3"])
	bres := stopBench(t, bench)
	if bres.Mismatches != 0 || bres.ConnFailures != 0 {
		t.Errorf("(b) SIGKILL: %d mismatches, %d conn failures; want none (HAProxy is up, and a reply is right or missing)", bres.Mismatches, bres.ConnFailures)
	}
	for _, f := range bres.FailedConns {
		if servers := lbLogged(t, hp, logOffset, f.Local); !slices.Contains(servers, "s2") {
			t.Errorf("(b) SIGKILL: connection %s failed (%s), but HAProxy logged it served by %v, not the killed s2", f.Local, f.Error, servers)
		}
	}
	if int64(len(bres.FailedConns)) != bres.FailedConnsTotal {
		t.Errorf("(b) %d failed connections listed of %d", len(bres.FailedConns), bres.FailedConnsTotal)
	}
	t.Logf("(b) SIGKILL s2: HAProxy marked it DOWN %v after the kill; %d connections failed (all served by s2), %d errors; %d messages answered, %d connections opened",
		killToDown.Round(time.Millisecond), bres.FailedConnsTotal, bres.Errors, bres.Messages, bres.ConnsOpened)

	// (c) A fresh instance on the free slot 4 joins: HAProxy marks it UP,
	// it serves connections, and nothing fails.
	ins["s4"] = startLBInstance(t, "s4", s4Addr, s4Metrics)
	lbWaitStat(t, hp, sock, "s4 UP", serverIs("s4", "UP"))
	bench = startBench(t, load...)
	servedFromNow(bench, "s4 serving a connection", ins["s4"])
	cres := stopBench(t, bench)
	if cres.Errors != 0 || cres.Mismatches != 0 || cres.FailedConnsTotal != 0 {
		t.Errorf("(c) s4 joins: bench %d errors, %d mismatches, failed %v; want nothing failed",
			cres.Errors, cres.Mismatches, cres.FailedConns)
	}
	t.Logf("(c) s4 joined: it accepted %.0f of bench's %d connections (s3 and s4 live)", accepted(ins["s4"]), cres.ConnsOpened)

	// (d) --max-conns-per-ip counts the real source: 30 connections from
	// 127.0.0.2 over two instances of limit 8 each are partly refused,
	// while a client from 127.0.0.3 is still served.
	live := []*lbInstance{ins["s3"], ins["s4"]}
	rejected := func() float64 {
		var n float64
		for _, in := range live {
			n += metric(in, "upcase_connections_rejected_total", map[string]string{"reason": string(server.RejectMaxConnsPerIP)})
		}
		return n
	}
	bench = startBench(t, "--source=127.0.0.2", "--conns=30", lbUntilStopped, lb)
	bench.waitUntil(t, "(d) an instance rejecting a connection for max_conns_per_ip", func() bool { return rejected() > 0 })
	if !servedBy(t, "127.0.0.3", lb) {
		t.Errorf("(d) while 127.0.0.2 is over its limit, a client from 127.0.0.3 is not served")
	}
	dres2 := stopBench(t, bench)
	for _, f := range dres2.FailedConns {
		if !strings.HasPrefix(f.Local, "127.0.0.2:") {
			t.Errorf("(d) failed connection from %s; want only 127.0.0.2's", f.Local)
		}
	}
	if dres2.FailedConnsTotal == 0 || dres2.Mismatches != 0 {
		t.Errorf("(d) bench %d failed connections, %d mismatches; want the connections over the limit failed, no mismatch",
			dres2.FailedConnsTotal, dres2.Mismatches)
	}
	t.Logf("(d) 30 connections from 127.0.0.2 to 2 instances of --max-conns-per-ip=%d: %.0f rejected (max_conns_per_ip), %d failed connections seen by bench",
		lbMaxPerIP, rejected(), dres2.FailedConnsTotal)

	// Every instance narrated its clients' real addresses, never HAProxy's,
	// rejections for the per-address limit included: those name the client
	// (127.0.0.2, the only one over the limit) and HAProxy as via.
	for _, name := range []string{"s1", "s2", "s3", "s4"} {
		peers, rejectedPeers := map[string]int{}, map[string]int{}
		var haproxyRecord record
		for _, r := range ins[name].p.records() {
			peer := r.host("peer")
			switch {
			case peer == "":
				continue
			case r.str("reason") == string(server.RejectMaxConnsPerIP):
				rejectedPeers[peer]++
				if peer != "127.0.0.2" || r.host("via") != "127.0.0.1" {
					t.Errorf("%s: a rejection names the wrong client; want peer 127.0.0.2, via 127.0.0.1: %v", name, r)
				}
			default:
				peers[peer]++
			}
			if peer == "127.0.0.1" && haproxyRecord == nil {
				haproxyRecord = r
			}
		}
		if haproxyRecord != nil || len(peers) == 0 {
			t.Errorf("%s narrated peers %v; want the clients' 127.0.0.2-4, never HAProxy's 127.0.0.1; the first with it: %v", name, peers, haproxyRecord)
		}
		for p := range peers {
			if !slices.Contains(lbSources, p) {
				t.Errorf("%s narrated peer %s; want only %v", name, p, lbSources)
			}
		}
		if len(rejectedPeers) > 0 {
			t.Logf("%s: rejections name %v", name, rejectedPeers)
		}
	}
}

// TestHAProxyLocalChecks: HAProxy's own health checks on an instance's data
// port, with check-send-proxy, open with a PROXY v2 LOCAL header and hang
// up. The instance serves them quietly (narration only, never a warning or
// an error), HAProxy finds it UP, and clients through it are served.
func TestHAProxyLocalChecks(t *testing.T) {
	requireTool(t, "haproxy")
	in, addr := startServe(t, "--proxy-protocol=required", "--proxy-trusted=127.0.0.1/32", "-v", "--log-format=json")
	dir := t.TempDir()
	sock, lb := filepath.Join(dir, "haproxy.sock"), lbAddr(t)
	cfg := filepath.Join(dir, "haproxy.cfg")
	err := os.WriteFile(cfg, []byte(`global
    stats socket "`+sock+`" mode 600 level admin
defaults
    mode tcp
    timeout connect 2s
    timeout client 1m
    timeout server 1m
frontend upcase
    bind "`+lb+`"
    default_backend upcase
backend upcase
    server s1 "`+addr+`" send-proxy-v2 check check-send-proxy inter 100ms rise 1
`), 0o600)
	if err != nil {
		t.Fatal(err)
	}
	hp := startCommand(t, "haproxy", "-db", "-f", cfg)
	lbWaitStat(t, hp, sock, "s1 UP by its L4 check", func(st map[string]map[string]string) bool {
		return st["s1"]["status"] == "UP" && strings.HasPrefix(st["s1"]["check_status"], "L4OK")
	})
	// A health check's accept: a PROXY header, but no client behind it.
	in.waitRecords(t, 3, func(r record) bool { return r.has("header") && !r.has("via") })
	if !servedBy(t, "127.0.0.2", lb) {
		t.Error("a client through HAProxy was not served")
	}
	// The client's accept: its own address, HAProxy's as via.
	in.waitRecord(t, func(r record) bool {
		return r.has("header") && r.host("peer") == "127.0.0.2" && r.host("via") == "127.0.0.1"
	})
	for _, r := range in.records() {
		if l := r.str("level"); l == "WARN" || l == "ERROR" {
			t.Errorf("health checks made the instance warn or err: %v", r)
		}
	}
}
