//go:build linux

package main

import (
	"bufio"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/upcase/upcase/internal/server"
)

// The systemd units in deploy/systemd, and `upcase serve` started the way
// they start it: by socket activation. systemd-socket-activate (Debian
// package systemd) plays systemd's part: it listens, and on the first
// connection it execs the server in its own process (same pid, so
// LISTEN_PID holds) with the sockets as descriptors 3 and up, named by
// --fdname as FileDescriptorName= names them.

const unitDir = "../../deploy/systemd"

// TestSocketActivation runs the service's ExecStart, with the fd names of
// its socket units, under systemd-socket-activate.
func TestSocketActivation(t *testing.T) {
	requireTool(t, "systemd-socket-activate")
	svc := readUnit(t, "upcase.service")
	args := execStartArgs(t, svc)

	t.Run("tcp", func(t *testing.T) {
		// The unit's --lame-duck would make the stop wait; the drain is
		// made long so that it is the client that ends it.
		a := startUnits(t, svc, slices.Concat(args, []string{"--lame-duck=0", "--drain=1m"})...)
		a.notStarted(t)

		c := dialFrom(t, "127.0.0.1", a.addr)
		roundTrip(t, c, []byte("hello"))
		roundTrip(t, c, []byte("a second message on the same connection"))
		a.served(t)
		for _, path := range []string{"/readyz", "/healthz"} {
			if code, body := get(t, "http://"+a.metrics+path); code != 200 {
				t.Errorf("%s on the metrics socket = %d %q; want 200", path, code, body)
			}
		}
		if code, body := get(t, "http://"+a.metrics+"/metrics"); code != 200 || !strings.Contains(body, "upcase_connections_accepted_total 1") {
			t.Errorf("/metrics = %d, without upcase_connections_accepted_total 1:\n%s", code, body)
		}

		// SIGTERM to the activator's pid is SIGTERM to upcase: it drains
		// (the socket systemd handed over refuses new clients, /readyz
		// says 503), the open conversation goes on, and it exits 0 when
		// that ends.
		a.signal(t, syscall.SIGTERM)
		a.waitUntil(t, "refused connection while draining", func() bool { return refuses(t, a.addr) })
		if code, _ := get(t, "http://"+a.metrics+"/readyz"); code != 503 {
			t.Errorf("/readyz = %d while draining; want 503", code)
		}
		roundTrip(t, c, []byte("during the drain"))
		endConversation(t, c)
		if code := a.wait(t); code != 0 {
			t.Fatalf("exit %d after SIGTERM; want 0", code)
		}
	})

	t.Run("lame duck", func(t *testing.T) {
		a := startUnits(t, svc, slices.Concat(args, []string{"--lame-duck=1h", "--drain=1m"})...)
		c := dialFrom(t, "127.0.0.1", a.addr)
		roundTrip(t, c, []byte("hello"))
		a.served(t)

		// Unready at once, but the socket systemd handed over still takes
		// new clients.
		a.signal(t, syscall.SIGTERM)
		a.waitUntil(t, "503 from /readyz in the lame-duck period", func() bool {
			code, _ := get(t, "http://"+a.metrics+"/readyz")
			return code == 503
		})
		if code, _ := get(t, "http://"+a.metrics+"/healthz"); code != 200 {
			t.Errorf("/healthz = %d in the lame-duck period; want 200", code)
		}
		late := dialFrom(t, "127.0.0.1", a.addr)
		roundTrip(t, late, []byte("a new client in the lame-duck period"))
		roundTrip(t, c, []byte("an old one"))

		// A second signal ends it at once, with a failure status: the
		// test does not wait out the hour.
		a.signal(t, syscall.SIGTERM)
		if code := a.wait(t); code == 0 {
			t.Errorf("exit 0 after a second SIGTERM; want a failure status")
		}
	})

	t.Run("udp", func(t *testing.T) {
		// systemd-socket-activate --datagram makes every socket a datagram
		// one, so there is no metrics socket beside it here.
		a := startActivated(t, true, []string{"upcase-udp"}, "serve", "--udp", "--log-format=json")
		a.notStarted(t)
		c, err := net.Dial("udp", a.addr)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		c.SetDeadline(time.Now().Add(30 * time.Second))
		for _, msg := range []string{"hello", "a second datagram"} {
			if _, err := c.Write([]byte(msg)); err != nil {
				t.Fatal(err)
			}
			buf := make([]byte, 1024)
			n, err := c.Read(buf)
			if err != nil || string(buf[:n]) != strings.ToUpper(msg) {
				t.Fatalf("reply to %q: %q, %v; want %q", msg, buf[:n], err, strings.ToUpper(msg))
			}
		}
		a.servesHandedSocket(t)
		if r := a.waitRecord(t, listening); r.str("addr") != a.addr || r.str("network") != "udp" {
			t.Errorf("listening record %v; want %s, udp", r, a.addr)
		}
		a.signal(t, syscall.SIGTERM)
		if code := a.wait(t); code != 0 {
			t.Fatalf("exit %d after SIGTERM; want 0", code)
		}
	})

	t.Run("stopped before any client", func(t *testing.T) {
		a := startUnits(t, svc, args...)
		a.notStarted(t)
		a.signal(t, syscall.SIGTERM)
		a.wait(t)
		if recs := a.records(); len(recs) > 0 {
			t.Errorf("upcase ran though no client came: it logged %v", recs)
		}
	})
}

// TestSystemdUnits: the units parse, as `systemd-analyze verify` reads them
// (with ExecStart pointing at this binary, since it checks that the program
// exists), and they say what upcase relies on.
func TestSystemdUnits(t *testing.T) {
	if os.Getenv("UPCASE_ENGINE") != "" {
		t.Skip("the units do not depend on the engine: checked in the first pass")
	}
	sockets := readUnit(t, "upcase.socket")
	metricsSock := readUnit(t, "upcase-metrics.socket")
	svc := readUnit(t, "upcase.service")

	t.Run("consistent", func(t *testing.T) {
		if got := svc.all("Service", "Sockets"); strings.Join(got, " ") != "upcase.socket upcase-metrics.socket" {
			t.Errorf("upcase.service Sockets=%q; want both socket units (the metrics one is not named after the service, so it is not passed by default)", got)
		}
		for _, dep := range []string{"Requires", "After"} {
			if got := strings.Join(svc.all("Unit", dep), " "); !strings.Contains(got, "upcase.socket") || !strings.Contains(got, "upcase-metrics.socket") {
				t.Errorf("upcase.service %s=%q; want both socket units", dep, got)
			}
		}
		if got := metricsSock.last("Socket", "Service"); got != "upcase.service" {
			t.Errorf("upcase-metrics.socket Service=%q; want upcase.service", got)
		}
		if got := metricsSock.last("Socket", "FileDescriptorName"); got != metricsSocketName {
			t.Errorf("upcase-metrics.socket FileDescriptorName=%q; want %q", got, metricsSocketName)
		}
		if got := sockets.last("Socket", "FileDescriptorName"); got == metricsSocketName {
			t.Errorf("upcase.socket is named %q: upcase would serve metrics on it", got)
		}
		// The project's security default: loopback only.
		for _, u := range []*unitFile{sockets, metricsSock} {
			addrs := u.all("Socket", "ListenStream")
			if len(addrs) != 1 {
				t.Errorf("%s: ListenStream=%q; want one address", u.name, addrs)
				continue
			}
			if host, _, err := net.SplitHostPort(addrs[0]); err != nil || !net.ParseIP(host).IsLoopback() {
				t.Errorf("%s: ListenStream=%s; want a loopback address by default", u.name, addrs[0])
			}
		}
		// systemd sends SIGKILL after TimeoutStopSec: it must outlast the
		// lame-duck period, the drain and the linger.
		fs := serveFlags(t, execStartArgs(t, svc))
		stop, err := time.ParseDuration(svc.last("Service", "TimeoutStopSec") + "s")
		if err != nil {
			t.Fatalf("TimeoutStopSec: %v (want plain seconds)", err)
		}
		if need := fs["lame-duck"] + fs["drain"] + fs["linger"]; stop <= need {
			t.Errorf("TimeoutStopSec=%v is not longer than --lame-duck + --drain + --linger = %v", stop, need)
		}
	})

	t.Run("systemd-analyze verify", func(t *testing.T) {
		analyze := requireTool(t, "systemd-analyze")
		exe, err := os.Executable()
		if err != nil {
			t.Fatal(err)
		}
		units, err := filepath.Glob(filepath.Join(unitDir, "*.s*"))
		if err != nil || len(units) == 0 {
			t.Fatalf("no units in %s: %v", unitDir, err)
		}
		dir := t.TempDir()
		var paths []string
		for _, u := range units {
			b, err := os.ReadFile(u)
			if err != nil {
				t.Fatal(err)
			}
			p := filepath.Join(dir, filepath.Base(u))
			if err := os.WriteFile(p, []byte(strings.ReplaceAll(string(b), "=/usr/local/bin/upcase ", "="+exe+" ")), 0o644); err != nil {
				t.Fatal(err)
			}
			paths = append(paths, p)
		}
		cmd := exec.Command(analyze, append([]string{"verify"}, paths...)...)
		cmd.Env = append(os.Environ(), "SYSTEMD_LOG_COLOR=0")
		out, err := cmd.CombinedOutput()
		if err != nil || len(out) != 0 {
			t.Errorf("systemd-analyze verify %s: %v\n%s", strings.Join(paths, " "), err, out)
		}
	})
}

// activated is systemd-socket-activate, then the upcase it became (the same
// process), with the addresses it listens on.
type activated struct {
	*proc
	addr    string // the upcase socket
	metrics string // the metrics socket, if any
}

// startUnits starts upcase.service's socket units under the activator, each
// on a free loopback port instead of its own, with its FileDescriptorName.
func startUnits(t *testing.T, svc *unitFile, args ...string) *activated {
	t.Helper()
	var names []string
	metricsAt := -1
	for _, s := range svc.all("Service", "Sockets") {
		u := readUnit(t, s)
		name := u.last("Socket", "FileDescriptorName")
		if name == "" {
			name = s // systemd's default: the unit's name
		}
		if name == metricsSocketName {
			metricsAt = len(names)
		}
		names = append(names, name)
	}
	if metricsAt != 1 || len(names) != 2 {
		t.Fatalf("upcase.service's sockets are named %q; want the upcase one, then %q", names, metricsSocketName)
	}
	// The unit logs JSON for the journal, which the test reads too.
	return startActivated(t, false, names, append([]string{"serve"}, args...)...)
}

// startActivated starts `systemd-socket-activate upcase args...` listening
// on one free loopback port per name. The first is the upcase socket, a
// second the metrics one.
func startActivated(t *testing.T, datagram bool, names []string, args ...string) *activated {
	t.Helper()
	// A port found free can be taken by a client's ephemeral port before the
	// activator binds it: then it fails at once, and we try other ports.
	for attempt := 1; ; attempt++ {
		addrs := freeLoopbackAddrs(t, datagram, len(names))
		aargs := []string{}
		if datagram {
			aargs = append(aargs, "--datagram")
		}
		for _, a := range addrs {
			aargs = append(aargs, "--listen="+a)
		}
		// One name would be given to every socket: always one per socket.
		aargs = append(aargs, "--fdname="+strings.Join(names, ":"))
		// The activator passes its children only PATH, HOME, USER, TERM
		// and what --setenv names.
		for _, v := range []string{"UPCASE_ENGINE", "GORACE"} {
			if _, ok := os.LookupEnv(v); ok {
				aargs = append(aargs, "--setenv="+v)
			}
		}
		aargs = append(aargs, "upcase")
		p := startCommand(t, "systemd-socket-activate", append(aargs, args...)...)
		last := regexp.MustCompile(`Listening on ` + regexp.QuoteMeta(addrs[len(addrs)-1]) + ` as \d+\.`)
		if _, exited := p.output.waitOrExit(t, p, last); !exited {
			a := &activated{proc: p, addr: addrs[0]}
			if len(addrs) > 1 {
				a.metrics = addrs[1]
			}
			return a
		}
		if attempt == 10 || !strings.Contains(p.output.String(), "Address already in use") {
			t.Fatalf("systemd-socket-activate %q exited (%v) before listening:\n%s", aargs, p.err, p.output.String())
		}
	}
}

// freeLoopbackAddrs finds n distinct free loopback ports.
func freeLoopbackAddrs(t *testing.T, datagram bool, n int) []string {
	t.Helper()
	var addrs []string
	for range n {
		var c io.Closer
		var addr string
		if datagram {
			pc, err := net.ListenPacket("udp", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			c, addr = pc, pc.LocalAddr().String()
		} else {
			ln, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			c, addr = ln, ln.Addr().String()
		}
		defer c.Close() // held until all are found, so they differ
		addrs = append(addrs, addr)
	}
	return addrs
}

// notStarted checks that the activator is listening and nothing has started
// upcase: the process is still systemd-socket-activate, and upcase has not
// logged a record.
func (a *activated) notStarted(t *testing.T) {
	t.Helper()
	exe, err := os.Readlink("/proc/" + strconv.Itoa(a.cmd.Process.Pid) + "/exe")
	if err != nil {
		t.Fatal(err)
	}
	if filepath.Base(exe) != "systemd-socket-activate" {
		t.Errorf("before any client, the process is %s; want systemd-socket-activate still waiting", exe)
	}
	if recs := a.records(); len(recs) > 0 {
		t.Errorf("upcase started before any client: it logged %v", recs)
	}
}

// served checks, once a client has been answered (so the activator has
// exec'd upcase), that the process is upcase and that it serves the sockets
// it was handed: the upcase one (not --addr), on the engine asked for, and
// metrics on the metrics one.
func (a *activated) served(t *testing.T) {
	t.Helper()
	exe, err := os.Readlink("/proc/" + strconv.Itoa(a.cmd.Process.Pid) + "/exe")
	if err != nil {
		t.Fatal(err)
	}
	if filepath.Base(exe) == "systemd-socket-activate" {
		t.Errorf("the process is still %s after a client was served", exe)
	}
	a.servesHandedSocket(t)
	engine := os.Getenv("UPCASE_ENGINE")
	if engine == "" {
		engine = string(server.EngineEpoll) // what auto picks on Linux
	}
	if r := a.waitRecord(t, listening); r.str("addr") != a.addr || r.str("engine") != engine {
		t.Errorf("listening record %v; want %s on the %s engine", r, a.addr, engine)
	}
	if a.metrics != "" {
		if r := a.waitRecord(t, metricsEndpoint); r.str("addr") != a.metrics {
			t.Errorf("metrics record %v; want %s", r, a.metrics)
		}
	}
	n := 0
	for _, r := range a.records() {
		if listening(r) {
			n++
		}
	}
	if n != 1 {
		t.Errorf("%d listening records; want 1, for the upcase socket", n)
	}
}

// servesHandedSocket checks that upcase said it serves the sockets systemd
// handed over, and only the upcase one: the metrics one is not in the list.
func (a *activated) servesHandedSocket(t *testing.T) {
	t.Helper()
	if r := a.waitRecord(t, func(r record) bool { return r.has("sockets") }); r.str("sockets") != a.addr {
		t.Errorf("upcase serves the handed-over sockets %q; want %s", r.str("sockets"), a.addr)
	}
}

// endConversation half-closes c and checks that nothing more comes: no
// stray bytes after the replies, then a clean EOF.
func endConversation(t *testing.T, c net.Conn) {
	t.Helper()
	c.SetDeadline(time.Now().Add(30 * time.Second))
	c.(*net.TCPConn).CloseWrite()
	if rest, err := io.ReadAll(c); err != nil || len(rest) != 0 {
		t.Errorf("after half-close: %q, %v; want a clean EOF", rest, err)
	}
}

// unitFile is a systemd unit file: its settings by section, in order.
type unitFile struct {
	name     string
	settings map[string]map[string][]string
}

func readUnit(t *testing.T, name string) *unitFile {
	t.Helper()
	f, err := os.Open(filepath.Join(unitDir, name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	u := &unitFile{name: name, settings: map[string]map[string][]string{}}
	section := ""
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		switch {
		case line == "" || line[0] == '#' || line[0] == ';':
		case line[0] == '[':
			section = strings.Trim(line, "[]")
			u.settings[section] = map[string][]string{}
		default:
			k, v, ok := strings.Cut(line, "=")
			if !ok || section == "" || strings.HasSuffix(line, "\\") {
				t.Fatalf("%s: cannot read %q", name, line)
			}
			k = strings.TrimSpace(k)
			u.settings[section][k] = append(u.settings[section][k], strings.TrimSpace(v))
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return u
}

// all is every value of a list setting (space-separated, possibly on
// several lines).
func (u *unitFile) all(section, key string) []string {
	var vs []string
	for _, v := range u.settings[section][key] {
		vs = append(vs, strings.Fields(v)...)
	}
	return vs
}

// last is a setting's value: the last assignment wins.
func (u *unitFile) last(section, key string) string {
	vs := u.settings[section][key]
	if len(vs) == 0 {
		return ""
	}
	return vs[len(vs)-1]
}

// execStartArgs is the arguments of the service's ExecStart, which must run
// /usr/local/bin/upcase serve.
func execStartArgs(t *testing.T, svc *unitFile) []string {
	t.Helper()
	f := strings.Fields(svc.last("Service", "ExecStart"))
	if len(f) < 2 || f[0] != "/usr/local/bin/upcase" || f[1] != "serve" {
		t.Fatalf("ExecStart=%q; want /usr/local/bin/upcase serve ...", f)
	}
	return f[2:]
}

// serveFlags is the durations the service's serve flags set, with
// serve's defaults for the others.
func serveFlags(t *testing.T, args []string) map[string]time.Duration {
	t.Helper()
	d := map[string]time.Duration{"lame-duck": 0, "drain": 10 * time.Second, "linger": server.DefaultLinger}
	for _, a := range args {
		k, v, ok := strings.Cut(strings.TrimLeft(a, "-"), "=")
		if _, known := d[k]; !ok || !known {
			continue
		}
		dur, err := time.ParseDuration(v)
		if err != nil {
			t.Fatalf("ExecStart: %s: %v", a, err)
		}
		d[k] = dur
	}
	return d
}
