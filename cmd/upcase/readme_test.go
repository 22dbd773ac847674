package main

import (
	"bytes"
	"flag"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/upcase/upcase/internal/bench"
	"github.com/upcase/upcase/internal/readme"
)

var updateREADME = flag.Bool("update-readme", false, "rewrite README.md's samples with what a release build of upcase prints now (go generate ./cmd/upcase)")

// sample is one marked block of the README (<!-- sample NAME -->) and how to
// make it: run returns the block's text as the command prints it now.
type sample struct {
	name  string
	exact bool // compare byte for byte, not by readme.Shape: nothing in it changes between runs
	run   func(t *testing.T, s *sampler) string
	// vary, if set, removes from a block what rightly differs between runs
	// beyond numbers (a clause printed only when a run went a certain
	// way), before the structures are compared.
	vary func(string) string
	// check, if set, asserts what the sample must show whatever the
	// command prints (a ladder starts with the handshake), on the README's
	// block and on what the command printed.
	check func(t *testing.T, text string)
}

// samples are every marked block of the README.
var samples = []sample{
	{name: "client-interactive", run: sampleInteractive},
	{name: "udp-nobody", run: sampleUDPNobody},
	{name: "unicode", run: sampleUnicode},
	{name: "bench", run: sampleBench, vary: func(s string) string { return benchTail.ReplaceAllLiteralString(s, "") }},
	{name: "trace-normal", run: sampleTrace("normal", nil), check: checkLadder, vary: withoutDelayedACK},
	{name: "trace-zh", run: sampleTrace("normal", firstSteps(3), "--lang=zh")},
	{name: "trace-lan", run: sampleTrace("lan", firstSteps(2))},
	{name: "trace-gateway", run: sampleTrace("gateway", fromLine("The first SYN as each link carried it:"))},
	{name: "ip-gateway", exact: true, run: sampleCommand("ip", "192.168.1.2/24", "192.168.2.2", "--gateway=192.168.1.1")},
	{name: "ip-multicast", exact: true, run: sampleCommand("ip", "192.168.1.2/24", "224.0.0.251")},
	{name: "ip-gateway-zh", exact: true, run: sampleCommand("ip", "--lang=zh", "192.168.1.2/24", "192.168.2.2", "--gateway=192.168.1.1")},
}

// TestREADMESamples: every sample of output in the README is what the
// binary prints now, compared by structure (readme.Shape: the words, flags,
// states and arrows in order; not ports, ISNs, times or rates). With
// -update-readme (go generate ./cmd/upcase) it rewrites them instead, from
// a release build, so the figures in them are a real run's.
func TestREADMESamples(t *testing.T) {
	if os.Getenv("UPCASE_ENGINE") != "" {
		t.Skip("the samples do not depend on the server's engine: checked once, in the first run")
	}
	path := filepath.Join("..", "..", "README.md")
	doc, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	blocks, err := readme.Blocks(doc)
	if err != nil {
		t.Fatalf("README.md: %v", err)
	}
	byName := map[string]readme.Block{}
	for _, b := range blocks {
		byName[b.Name] = b
	}
	made := map[string]bool{}
	for _, s := range samples {
		if _, ok := byName[s.name]; !ok {
			t.Errorf("README.md has no block marked <!-- sample %s -->", s.name)
		}
		made[s.name] = true
	}
	for _, b := range blocks {
		if !made[b.Name] {
			t.Errorf("README.md:%d: sample %q: no command in readme_test.go makes it", b.Line, b.Name)
		}
	}
	if t.Failed() {
		return
	}

	sm := newSampler(t)
	now := make([]string, len(samples))
	t.Run("run", func(t *testing.T) {
		for i, s := range samples {
			t.Run(s.name, func(t *testing.T) {
				if !*updateREADME {
					t.Parallel() // a rewrite runs them one at a time, so that the figures are undisturbed
				}
				now[i] = s.run(t, sm)
			})
		}
	})
	if t.Failed() {
		return
	}
	for i, s := range samples {
		old := byName[s.name]
		if s.check != nil {
			t.Run("check/README/"+s.name, func(t *testing.T) { s.check(t, old.Text) })
			t.Run("check/now/"+s.name, func(t *testing.T) { s.check(t, now[i]) })
		}
		if *updateREADME {
			if doc, err = readme.Replace(doc, s.name, now[i]); err != nil {
				t.Fatal(err)
			}
			continue
		}
		if s.exact {
			if old.Text != now[i] {
				t.Errorf("README.md:%d: sample %s is not what the command prints now (go generate ./cmd/upcase rewrites it; read the result):\n--- README\n%s--- now\n%s", old.Line, s.name, old.Text, now[i])
			}
		} else if same, where := readme.SameShape(varied(s, old.Text), varied(s, now[i])); !same {
			t.Errorf("README.md:%d: sample %s has not the structure of what the command prints now (go generate ./cmd/upcase rewrites it; read the result): %s\n--- now\n%s", old.Line, s.name, where, now[i])
		}
	}
	if *updateREADME {
		if err := os.WriteFile(path, doc, 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("rewrote %d samples in %s: read them before you commit", len(samples), path)
	}
}

// varied is text without what rightly varies between runs of sample s.
func varied(s sample, text string) string {
	if s.vary == nil {
		return text
	}
	return s.vary(text)
}

// benchTail is the clause bench adds to its duration when the replies in
// flight as sending stopped took long enough to show (at two decimals):
// it depends on how busy the machine was at that moment.
var benchTail = regexp.MustCompile(`: load sent for [0-9.]+ s, then replies still in flight came in over [0-9.]+ s`)

// sampler runs the samples' commands: the test binary (which acts as
// upcase) when checking, a release build when rewriting.
type sampler struct {
	bin    string   // the upcase to run
	asUser []string // runs a command as an ordinary user (setpriv as root), or nothing
	update bool
}

func newSampler(t *testing.T) *sampler {
	t.Helper()
	// The ordinary user runs the binary from here: t.TempDir's parent is
	// private to root.
	dir, err := os.MkdirTemp("", "upcase-readme-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	os.Chmod(dir, 0o755)
	bin := filepath.Join(dir, "upcase")
	if *updateREADME {
		out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
		if err != nil {
			t.Fatalf("go build: %v\n%s", err, out)
		}
	} else {
		exe, err := os.Executable()
		if err != nil {
			t.Fatal(err)
		}
		copyFile(t, exe, bin)
	}
	s := &sampler{bin: bin, update: *updateREADME}
	if os.Geteuid() == 0 {
		// The README shows what a learner sees, as an ordinary user.
		if _, err := exec.LookPath("setpriv"); err != nil {
			skipUnlessCI(t, err)
		}
		s.asUser = []string{"setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "env", "HOME=" + dir}
	}
	return s
}

// env is the environment of a sample's command: none of the UPCASE_
// variables (each would set a flag), and English.
func sampleEnviron() []string {
	var env []string
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "UPCASE_") || strings.HasPrefix(kv, "LC_") || strings.HasPrefix(kv, "LANG=") || strings.HasPrefix(kv, "LANGUAGE=") {
			continue
		}
		env = append(env, kv)
	}
	return append(env, "LANG=C.UTF-8")
}

// output runs upcase with args and stdin and returns what it printed, stdout
// and stderr in the order written, and its exit status.
func (s *sampler) output(t *testing.T, stdin string, wrapper []string, args ...string) (string, int) {
	t.Helper()
	argv := append(append(append([]string{}, wrapper...), s.bin), args...)
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Env = sampleEnviron()
	cmd.Stdin = strings.NewReader(stdin)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("%v: %v", argv, err)
	}
	return out.String(), code
}

// serve starts this sampler's upcase serve on a free port with args.
func (s *sampler) serve(t *testing.T, args ...string) string {
	t.Helper()
	p := startCommand(t, s.bin, append([]string{"serve", "--addr=127.0.0.1:0"}, args...)...)
	return p.waitRecord(t, listening).str("addr")
}

// sampleCommand is a sample of `upcase ARGS` that needs nothing else,
// shown with its command line.
func sampleCommand(args ...string) func(*testing.T, *sampler) string {
	return func(t *testing.T, s *sampler) string {
		out, code := s.output(t, "", nil, args...)
		if code != 0 {
			t.Fatalf("upcase %v: exit %d\n%s", args, code, out)
		}
		return "$ upcase " + strings.Join(args, " ") + "\n" + out
	}
}

// sampleUDPNobody: the README's UDP client where nothing listens, on
// 127.0.0.1:9999 as shown (run on a free port, named 9999 in the sample).
func sampleUDPNobody(t *testing.T, s *sampler) string {
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := pc.LocalAddr().String()
	pc.Close() // nobody listens there now
	out, code := s.output(t, "one\ntwo\n", nil, "client", "--udp", "--timeout=1s", "--addr="+addr)
	if code != 1 {
		t.Errorf("exit %d; want 1, as the README says", code)
	}
	return "$ printf 'one\\ntwo\\n' | upcase client --udp --timeout=1s --addr=127.0.0.1:9999\n" +
		strings.ReplaceAll(out, addr, "127.0.0.1:9999")
}

// sampleUnicode: a line through upcase serve --unicode.
func sampleUnicode(t *testing.T, s *sampler) string {
	addr := s.serve(t, "--unicode")
	out, code := s.output(t, "straße ﬁ héllo привет\n", nil, "client", "--addr="+addr)
	if code != 0 {
		t.Fatalf("client: exit %d\n%s", code, out)
	}
	return "$ upcase serve --unicode &\n$ printf 'straße ﬁ héllo привет\\n' | upcase client\n" + out
}

// sampleBench: the README's bench run, against upcase serve: 10 s with its
// plot in docs/bench.png when rewriting, 1 s when checking its structure.
func sampleBench(t *testing.T, s *sampler) string {
	var addr string
	if ln, err := net.Listen("tcp", "127.0.0.1:8080"); s.update && err == nil {
		ln.Close() // free: serve where the README's commands do, so the plot's title says so too
		addr = s.serve(t, "--addr=127.0.0.1:8080")
	} else {
		if err == nil {
			ln.Close()
		}
		addr = s.serve(t)
	}
	duration, plot := "1s", filepath.Join(t.TempDir(), "bench.png")
	if s.update {
		duration, plot = "10s", filepath.Join("..", "..", "docs", "bench.png")
	}
	out, code := s.output(t, "", nil, "bench", "--addr="+addr, "--conns=10", "--duration="+duration, "--plot="+plot)
	if code != 0 {
		t.Fatalf("bench: exit %d\n%s", code, out)
	}
	return strings.ReplaceAll(out, addr, "127.0.0.1:8080")
}

// sampleTrace: upcase trace --scenario=name with flags as an ordinary user,
// cut to an excerpt when excerpt is not nil.
func sampleTrace(scenario string, excerpt func([]string) []string, flags ...string) func(*testing.T, *sampler) string {
	return func(t *testing.T, s *sampler) string {
		args := []string{"trace"}
		if scenario != "normal" {
			args = append(args, "--scenario="+scenario)
		}
		args = append(args, flags...)
		out, code := s.output(t, "", s.asUser, args...)
		if code != 0 {
			if os.Getenv("CI") != "true" && strings.Contains(out, "namespace") {
				t.Skipf("upcase trace cannot run here: %s", out)
			}
			t.Fatalf("upcase %v: exit %d\n%s", args, code, out)
		}
		if excerpt == nil {
			return out
		}
		lines := excerpt(strings.SplitAfter(out, "\n"))
		if len(lines) == 0 {
			t.Fatalf("upcase %v: the excerpt is empty:\n%s", args, out)
		}
		return strings.Join(lines, "")
	}
}

// stepEnd is the empty line of a ladder that ends each step.
var stepEnd = regexp.MustCompile(`^\s*│\s*│\s*$`)

// firstSteps keeps a ladder's header and its first n steps.
func firstSteps(n int) func([]string) []string {
	return func(lines []string) []string {
		ends := 0
		for i, l := range lines {
			if stepEnd.MatchString(l) {
				if ends++; ends == n {
					return lines[:i]
				}
			}
		}
		return nil
	}
}

// fromLine keeps the lines from the one that is first on.
func fromLine(first string) func([]string) []string {
	return func(lines []string) []string {
		for i, l := range lines {
			if strings.TrimSpace(l) == first {
				return lines[i:]
			}
		}
		return nil
	}
}

// segmentLabel is a ladder's label of a segment: its flags, then seq=.
var segmentLabel = regexp.MustCompile(`│ ((?:[A-Z]+, )*[A-Z]+) seq=\d+(?: ack=\d+)? len=\d+ win=(\d+)`)

// checkLadder: the normal conversation's ladder shows the handshake first,
// then the data, then the four-way teardown; its last ACK completes the
// handshake; and its windows are scaled (the SYN's wscale applied), not
// the raw 16-bit field.
func checkLadder(t *testing.T, text string) {
	t.Helper()
	var flags, unscaled []string
	for _, m := range segmentLabel.FindAllStringSubmatch(text, -1) {
		flags = append(flags, m[1])
		if m[1] != "SYN" && m[1] != "SYN, ACK" && len(m[2]) < 4 {
			unscaled = append(unscaled, m[2])
		}
	}
	if len(unscaled) > 0 {
		t.Errorf("windows %v after the handshake: the SYN's window scale is not applied", unscaled)
	}
	if !sameSegments(flags, normalFlags) {
		t.Errorf("segments in the ladder %q; want %q", flags, normalFlags)
	}
	if !strings.Contains(text, "three-way handshake") || strings.Contains(text, "acknowledges nothing") {
		t.Error("the handshake's last ACK is not explained as completing the three-way handshake")
	}
}

// TestBenchTailVaries: what the bench sample's comparison leaves out is
// exactly the clause bench prints when replies in flight took a while, so
// a run with it and a run without it have one structure.
func TestBenchTailVaries(t *testing.T) {
	text := func(sending, duration time.Duration) string {
		res := &bench.Result{Addr: "127.0.0.1:8080", Network: "tcp", Conns: 10, ConnsOpened: 10, Pipeline: 1, Size: 16,
			Planned: sending, Sending: sending, Duration: duration}
		var b strings.Builder
		if err := res.WriteText(&b); err != nil {
			t.Fatal(err)
		}
		return b.String()
	}
	plain, tail := text(time.Second, time.Second), text(time.Second, 1130*time.Millisecond)
	if !benchTail.MatchString(tail) || benchTail.MatchString(plain) {
		t.Fatalf("benchTail matches neither or both:\n%s\n%s", plain, tail)
	}
	if same, where := readme.SameShape(benchTail.ReplaceAllLiteralString(plain, ""), benchTail.ReplaceAllLiteralString(tail, "")); !same {
		t.Error(where)
	}
}

// withoutDelayedACK leaves out of a ladder the step sameSegments allows:
// a lone ACK between an answer (PSH, ACK) and the FIN after it, which the
// kernel sends under load. The README's ladder has none; a fresh one may.
func withoutDelayedACK(ladder string) string {
	lines := strings.SplitAfter(ladder, "\n")
	var steps [][]string // each step's lines, up to its empty row
	start := 0
	for i, l := range lines {
		if stepEnd.MatchString(l) {
			steps = append(steps, lines[start:i+1])
			start = i + 1
		}
	}
	label := func(step []string) string {
		for _, l := range step {
			if m := segmentLabel.FindStringSubmatch(l); m != nil {
				return m[1]
			}
		}
		return ""
	}
	var b strings.Builder
	for i, step := range steps {
		if i > 0 && i+1 < len(steps) && delayedACK(label(steps[i-1]), label(step), label(steps[i+1])) {
			continue
		}
		b.WriteString(strings.Join(step, ""))
	}
	b.WriteString(strings.Join(lines[start:], ""))
	return b.String()
}

// TestWithoutDelayedACK: the ladder with the kernel's extra ACK has the
// README's shape once it is left out, and only that ACK is.
func TestWithoutDelayedACK(t *testing.T) {
	step := func(label, text string) string {
		return "             │ " + label + "              │\n" +
			"  ESTABLISHED │──────────>│ ESTABLISHED\n" +
			"             │ " + text + " │\n" +
			"             │            │\n"
	}
	head := "client 127.0.0.1:1  server 127.0.0.1:2\n"
	readme := head + step("PSH, ACK seq=6 ack=18 len=12 win=65536", "answer") + step("FIN, ACK seq=18 ack=18 len=0 win=65536", "fin") + "\nStates are inferred.\n"
	fresh := head + step("PSH, ACK seq=6 ack=18 len=12 win=65536", "answer") + step("ACK seq=18 ack=18 len=0 win=65536", "ack") + step("FIN, ACK seq=18 ack=18 len=0 win=65536", "fin") + "\nStates are inferred.\n"
	if got := withoutDelayedACK(fresh); got != readme {
		t.Errorf("withoutDelayedACK left:\n%s\nwant:\n%s", got, readme)
	}
	if got := withoutDelayedACK(readme); got != readme {
		t.Errorf("withoutDelayedACK changed a ladder without the extra ACK:\n%s", got)
	}
}
