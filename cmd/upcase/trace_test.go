package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/upcase/upcase/internal/pcap"
	"github.com/upcase/upcase/internal/trace"
	"github.com/upcase/upcase/internal/trace/tracejson"
)

// needTraceRoot skips a trace test that needs root (capturing on the host's
// lo, or setpriv), except in CI, which runs as root and must run it.
func needTraceRoot(t *testing.T) {
	t.Helper()
	if os.Geteuid() != 0 && os.Getenv("CI") != "true" {
		t.Skip("needs root; CI runs it as root")
	}
}

// traceJSON is the document `upcase trace --json` prints (see package
// tracejson, whose keys TestTraceJSONGolden holds to).
type traceJSON = tracejson.Document

// field gives the value of the first field of a step's frame with the
// given Wireshark name, "" if it has none.
func field(s tracejson.Step, name string) string {
	var find func([]tracejson.Field) (string, bool)
	find = func(fs []tracejson.Field) (string, bool) {
		for _, f := range fs {
			if f.Name == name {
				return f.Value, true
			}
			if v, ok := find(f.Fields); ok {
				return v, true
			}
		}
		return "", false
	}
	for _, l := range s.Frame.Layers {
		if v, ok := find(l.Fields); ok {
			return v
		}
	}
	return ""
}

// runTrace runs `upcase trace --json` with args, after the wrapper command
// (none, or setpriv and its arguments), and decodes its JSON.
func runTrace(t *testing.T, wrapper []string, args ...string) traceJSON {
	t.Helper()
	var tj traceJSON
	runTraceJSON(t, wrapper, &tj, args...)
	return tj
}

// runTraceJSON runs `upcase trace --json` with args, after the wrapper
// command, and decodes its JSON into v.
func runTraceJSON(t *testing.T, wrapper []string, v any, args ...string) {
	t.Helper()
	argv := append(slices.Clone(wrapper), append([]string{"upcase", "trace", "--json"}, args...)...)
	cmd := exec.Command(argv[0], argv[1:]...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		t.Fatalf("%v: %v\n%s", argv, err, errb.String())
	}
	if err := json.Unmarshal(out.Bytes(), v); err != nil {
		t.Fatalf("%v printed %d bytes that are not its JSON: %v", argv, out.Len(), err)
	}
}

func flagsOf(tj traceJSON) []string {
	var got []string
	for _, s := range tj.Steps {
		got = append(got, strings.Join(s.Flags, ", "))
	}
	return got
}

// sameSegments reports whether a demo's segments are want's, allowing the
// one ACK the kernel adds under load: when the client reads the server's
// last answer later than its delayed-ACK timeout (about 40 ms) after it
// came, it acknowledges it on its own before its FIN instead of with it.
// The demo cannot rule that out (seen once in 32 runs, 16 at a time, built
// with -race); it is the kernel's choice, not a wrong ladder.
func sameSegments(got, want []string) bool {
	if slices.Equal(got, want) {
		return true
	}
	for i := 1; i+1 < len(got); i++ {
		if delayedACK(got[i-1], got[i], got[i+1]) && slices.Equal(slices.Delete(slices.Clone(got), i, i+1), want) {
			return true
		}
	}
	return false
}

// delayedACK reports whether cur, between prev and next, is the lone ACK
// sameSegments allows: after an answer, before the FIN.
func delayedACK(prev, cur, next string) bool {
	return prev == "PSH, ACK" && cur == "ACK" && next == "FIN, ACK"
}

// normalFlags are the segments of --scenario=normal: the handshake, two
// exchanges, and the four-way teardown.
var normalFlags = []string{"SYN", "SYN, ACK", "ACK", "PSH, ACK", "ACK", "PSH, ACK", "ACK", "PSH, ACK", "PSH, ACK", "FIN, ACK", "ACK", "FIN, ACK", "ACK"}

// halfCloseFlags are the segments of --scenario=halfclose: the client's
// line and its FIN, the server's ACK of the FIN on its own, then the
// server's answer after that FIN, its ACK, and the server's FIN.
var halfCloseFlags = []string{"SYN", "SYN, ACK", "ACK", "PSH, ACK", "ACK", "FIN, ACK", "ACK", "PSH, ACK", "ACK", "FIN, ACK", "ACK"}

// TestTraceDemo: the demo, as the user who runs it (root in CI), shows the
// handshake, the data and the four-step teardown, with the states in order;
// in halfclose, the server's data after the client's FIN too.
func TestTraceDemo(t *testing.T) {
	for _, tt := range []struct {
		scenario string
		flags    []string
		client   string // the client's states, each once
	}{
		{"normal", normalFlags,
			"SYN-SENT ESTABLISHED FIN-WAIT-1 FIN-WAIT-2 TIME-WAIT"},
		{"halfclose", halfCloseFlags, "SYN-SENT ESTABLISHED FIN-WAIT-1 FIN-WAIT-2 TIME-WAIT"},
	} {
		t.Run(tt.scenario, func(t *testing.T) {
			tj := runTrace(t, nil, "--scenario="+tt.scenario)
			if got := flagsOf(tj); !sameSegments(got, tt.flags) {
				t.Errorf("segments %q; want %q", got, tt.flags)
			}
			var client []string
			for _, s := range tj.Steps {
				if n := len(client); n == 0 || client[n-1] != s.States.Client {
					client = append(client, s.States.Client)
				}
			}
			if got := strings.Join(client, " "); got != tt.client {
				t.Errorf("client states %q; want %q", got, tt.client)
			}
			if tj.Final == nil || *tj.Final != (tracejson.States{Client: "TIME-WAIT", Server: "CLOSED"}) {
				t.Errorf("final states %+v; want TIME-WAIT and CLOSED", tj.Final)
			}
			if tt.scenario == "halfclose" {
				checkHalfOpen(t, tj)
			}
		})
	}
}

// checkHalfOpen checks the step of halfclose where the server answers after
// the client's FIN: its data, the two sides' states, and an explanation that
// says why data still flows.
func checkHalfOpen(t *testing.T, tj traceJSON) {
	t.Helper()
	// The server's answer: its first data after the client's FIN.
	fin := slices.IndexFunc(tj.Steps, func(s tracejson.Step) bool { return s.From == "client" && slices.Contains(s.Flags, "FIN") })
	at := -1
	if fin >= 0 {
		at = slices.IndexFunc(tj.Steps[fin:], func(s tracejson.Step) bool { return s.From == "server" && s.Len > 0 })
	}
	if at < 0 {
		t.Fatalf("halfclose: no data from the server after the client's FIN in %q", flagsOf(tj))
	}
	s := tj.Steps[fin+at]
	if data := field(s, "data.data"); data != "48:45:4c:4c:4f:0a" || *s.States != (tracejson.States{Client: "FIN-WAIT-2", Server: "CLOSE-WAIT"}) {
		t.Errorf("the server's answer after the client's FIN: %s, states %+v; want \"HELLO\\n\" in FIN-WAIT-2 and CLOSE-WAIT", data, s.States)
	}
	for _, w := range []string{"after the client's FIN", "half open", "CLOSE-WAIT", "FIN-WAIT-2"} {
		if !strings.Contains(s.Explanation, w) {
			t.Errorf("the answer after the FIN is explained as %q; want it to say %q", s.Explanation, w)
		}
	}
}

// TestTraceUnprivileged: an ordinary user (uid 65534, no capabilities) gets
// the demo too, from a user namespace of its own.
func TestTraceUnprivileged(t *testing.T) {
	needTraceRoot(t)
	wrapper := unprivileged(t)
	tj := runTrace(t, wrapper, "--scenario=reset")
	want := []string{"SYN", "SYN, ACK", "ACK", "PSH, ACK", "ACK", "PSH, ACK", "ACK", "RST, ACK"}
	if got := flagsOf(tj); strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("segments %q; want %q", got, want)
	}

	// The half-close too, segment for segment as root sees it.
	hj := runTrace(t, wrapper, "--scenario=halfclose")
	if got := flagsOf(hj); !sameSegments(got, halfCloseFlags) {
		t.Errorf("halfclose as an ordinary user: segments %q; want %q", got, halfCloseFlags)
	}
	checkHalfOpen(t, hj)

	// The link-layer scenarios too: several namespaces inside its own.
	if lj := runLinkTrace(t, wrapper, "lan"); len(lj.Steps) == 0 || lj.Steps[0].Kind != "arp" {
		t.Errorf("lan as an ordinary user: %d steps; want the ARP request first", len(lj.Steps))
	}
	if lj := runLinkTrace(t, wrapper, "gateway"); len(lj.Links) != 2 || len(lj.Steps) == 0 || field(lj.Steps[0], "arp.dst.proto_ipv4") != "192.168.1.1" {
		t.Errorf("gateway as an ordinary user: %d links; want two, and the ARP request for the gateway first", len(lj.Links))
	}

	// upcase ip needs no privilege at all.
	if out, err := exec.Command(wrapper[0], append(wrapper[1:], "upcase", "ip", "172.16.10.1/24")...).CombinedOutput(); err != nil || !strings.Contains(string(out), "172.16.10.255") {
		t.Errorf("upcase ip as an ordinary user: %v, %q; want the broadcast address 172.16.10.255", err, out)
	}
	ipOut, err := exec.Command(wrapper[0], append(wrapper[1:], "upcase", "ip", "192.168.1.2/24", "192.168.2.2", "--gateway=192.168.1.1")...).CombinedOutput()
	if err != nil || !strings.Contains(string(ipOut), "different subnets") {
		t.Errorf("upcase ip as an ordinary user: %v, %q; want the different-subnet answer", err, ipOut)
	}
	if out, err := exec.Command(wrapper[0], append(wrapper[1:], "upcase", "ip", "--local")...).CombinedOutput(); err != nil || !strings.Contains(string(out), "127.0.0.1/8") {
		t.Errorf("upcase ip --local as an ordinary user: %v, %q; want lo's address", err, out)
	}

	// Live mode captures the host's own lo: that needs the privilege, and
	// says so in one line.
	live := exec.Command(wrapper[0], append(wrapper[1:], "upcase", "trace", "--port=1")...)
	out, err := live.CombinedOutput()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 1 || !strings.Contains(string(out), "needs CAP_NET_RAW") || strings.Count(string(out), "\n") != 1 {
		t.Errorf("live mode as an ordinary user: %v, %q; want exit 1 and one line naming CAP_NET_RAW", err, out)
	}
}

// unprivileged is the command that runs what follows it as uid 65534,
// with no capabilities, and a copy of this binary on PATH as upcase (the
// test's own files are private to root).
func unprivileged(t *testing.T) []string {
	t.Helper()
	if _, err := exec.LookPath("setpriv"); err != nil {
		t.Fatal("setpriv (util-linux) is needed: .ci/run installs it")
	}
	// A copy of the command that uid 65534 can run: the test's own files
	// are private to root.
	dir, err := os.MkdirTemp("", "upcase-trace-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	os.Chmod(dir, 0o755)
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	copyFile(t, exe, filepath.Join(dir, "upcase"))
	return []string{"setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "env", "PATH=" + dir + ":/usr/bin:/bin", "HOME=" + dir}
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	src, err := os.Open(from)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	dst, err := os.OpenFile(to, os.O_CREATE|os.O_WRONLY, 0o755)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(dst, src); err != nil {
		t.Fatal(err)
	}
	if err := dst.Close(); err != nil {
		t.Fatal(err)
	}
}

// TestTracePcap: --pcap writes a file that our reader and tshark read back,
// with the frames the ladder shows.
func TestTracePcap(t *testing.T) {
	file := filepath.Join(t.TempDir(), "demo.pcap")
	tj := runTrace(t, nil, "--scenario=refused", "--pcap="+file)
	frames, _, err := pcap.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var flags []string
	for _, fr := range frames {
		ev, err := trace.DecodeFrame(fr)
		if err != nil {
			t.Fatal(err)
		}
		flags = append(flags, ev.TCP.Flags.String())
	}
	if got, want := strings.Join(flags, "|"), strings.Join(flagsOf(tj), "|"); got != want || got != "SYN|RST, ACK" {
		t.Errorf("pcap holds %q; the ladder showed %q; want SYN then RST, ACK", got, want)
	}

	tshark := requireTool(t, "tshark")
	out, err := exec.Command(tshark, "-r", file, "-T", "fields", "-e", "tcp.flags.str").Output() // stderr warns about root
	if err != nil {
		t.Fatalf("tshark: %v", err)
	}
	lines := strings.Fields(strings.ReplaceAll(string(out), "·", ""))
	if len(lines) != 2 || !strings.Contains(lines[0], "S") || !strings.Contains(lines[1], "R") {
		t.Errorf("tshark read %q; want a SYN then a RST", out)
	}
}

// TestTraceLive: --port draws the real connections of a local port, here
// the client's conversation with upcase serve, and --count ends it.
func TestTraceLive(t *testing.T) {
	needTraceRoot(t)
	_, addr := startServe(t)
	port := addr[strings.LastIndex(addr, ":")+1:]
	tr := startUpcase(t, "trace", "--port="+port, "--count=1", "--json")
	tr.output.waitFor(t, tr, regexp.MustCompile(`capturing TCP and UDP on port `+port))
	out, stderr, code := runClient(t, []byte("hello"), "--addr="+addr)
	if code != 0 || string(out) != "HELLO" {
		t.Fatalf("client: exit %d, %q, %s", code, out, stderr)
	}
	if code := tr.wait(t); code != 0 {
		t.Fatalf("trace exit %d; want 0 after one connection", code)
	}
	text := tr.output.String()
	for _, want := range []string{`"flags":["SYN"]`, `"flags":["SYN","ACK"]`, `"flags":["FIN","ACK"]`, `"client":"TIME-WAIT"`} {
		if !strings.Contains(text, want) {
			t.Errorf("live trace lacks %s:\n%s", want, text)
		}
	}
}

// linkJSON is the document of a link-layer scenario.
type linkJSON = tracejson.Document

func runLinkTrace(t *testing.T, wrapper []string, scenario string) linkJSON {
	t.Helper()
	var lj linkJSON
	runTraceJSON(t, wrapper, &lj, "--scenario="+scenario)
	return lj
}

// TestTraceLAN: on one subnet the client first asks, by broadcast, for the
// server's own MAC address, and only then sends its SYN to that address.
func TestTraceLAN(t *testing.T) {
	lj := runLinkTrace(t, nil, "lan")
	if len(lj.Steps) < 3 {
		t.Fatalf("%d steps; want ARP request, ARP reply, SYN, ...", len(lj.Steps))
	}
	req, rep, syn := lj.Steps[0], lj.Steps[1], lj.Steps[2]
	if req.Kind != "arp" || field(req, "arp.opcode") != "request (1)" || field(req, "eth.dst") != "ff:ff:ff:ff:ff:ff" || field(req, "arp.dst.proto_ipv4") != "172.16.10.11" {
		t.Errorf("first frame %+v; want a broadcast ARP request for 172.16.10.11", req.Frame.Layers)
	}
	if rep.Kind != "arp" || field(rep, "arp.opcode") != "reply (2)" {
		t.Errorf("second frame %+v; want the ARP reply", rep.Frame.Layers)
	}
	if strings.Join(syn.Flags, ", ") != "SYN" || field(syn, "eth.dst") != field(rep, "eth.src") {
		t.Errorf("third frame %v to %s; want the SYN, sent to the MAC address the reply gave (%s)", syn.Flags, field(syn, "eth.dst"), field(rep, "eth.src"))
	}
}

// TestTraceGateway: across subnets the client asks for the gateway's MAC;
// the same IP packet crosses each link with other MAC addresses and a TTL
// one lower behind the router.
func TestTraceGateway(t *testing.T) {
	lj := runLinkTrace(t, nil, "gateway")
	if first := lj.Steps[0]; first.Kind != "arp" || field(first, "arp.dst.proto_ipv4") != "192.168.1.1" {
		t.Errorf("first frame %s to %s; want the client's ARP request for the gateway 192.168.1.1", first.Kind, field(first, "arp.dst.proto_ipv4"))
	}
	if len(lj.Links) != 2 {
		t.Fatalf("%d links; want the two sides of the router", len(lj.Links))
	}
	type seen struct {
		src, dst, mac string
		ttl           int
	}
	var syns []seen
	for i, l := range lj.Links {
		steps := l.Steps
		if i == 0 {
			steps = lj.Steps // the client's link's steps are the document's
		}
		for _, s := range steps {
			if strings.Join(s.Flags, ", ") == "SYN" {
				ttl, _ := strconv.Atoi(field(s, "ip.ttl"))
				syns = append(syns, seen{field(s, "ip.src"), field(s, "ip.dst"), field(s, "eth.src") + ">" + field(s, "eth.dst"), ttl})
				break
			}
		}
	}
	if len(syns) != 2 {
		t.Fatalf("SYN seen on %d links; want 2", len(syns))
	}
	a, b := syns[0], syns[1]
	if a.src != b.src || a.dst != b.dst || a.mac == b.mac || b.ttl != a.ttl-1 {
		t.Errorf("the SYN on each link: %+v and %+v; want the same IPs, other MACs, TTL one lower behind the router", a, b)
	}
}
