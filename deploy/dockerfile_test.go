package deploy

import (
	"debug/buildinfo"
	"debug/elf"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/moby/buildkit/frontend/dockerfile/parser"
)

// dockerfilePath is the image's Dockerfile, at the repository root.
const dockerfilePath = "../Dockerfile"

// instruction is one Dockerfile instruction: its keyword (lower case), its
// flags (--mount=..., --from=...) and its arguments as BuildKit parses them
// (a JSON-form CMD gives one argument per element; a shell-form RUN gives
// the whole command line as one).
type instruction struct {
	cmd   string
	flags []string
	args  []string
	json  bool // exec (JSON) form
	line  int
}

// stage is the instructions from one FROM to the next.
type stage struct {
	from  instruction
	name  string // AS name, or ""
	instr []instruction
}

// dockerfile is what the tests need of the Dockerfile.
type dockerfile struct {
	stages                []stage
	args                  map[string]string // ARG defaults, global and per stage (flattened)
	uid                   int64             // the final stage's USER
	addrPort, metricsPort int32             // from the final stage's CMD
	exposed               map[int32]bool
	buildCmd              instruction // the RUN that runs go build
	buildStage            *stage
}

// env is the stage's ENV settings, in order, as name and value. BuildKit
// gives each as three arguments: name, value, and the separator ("=" or "").
func (s *stage) env() [][2]string {
	var kvs [][2]string
	for _, in := range s.instr {
		if in.cmd != "env" {
			continue
		}
		for i := 0; i+1 < len(in.args); i += 3 {
			kvs = append(kvs, [2]string{in.args[i], in.args[i+1]})
		}
	}
	return kvs
}

func parseDockerfile(t *testing.T, path string) *dockerfile {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	res, err := parser.Parse(f)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	for _, w := range res.Warnings {
		t.Errorf("%s: BuildKit warns: %s", path, w.Short)
	}
	d := &dockerfile{args: map[string]string{}, exposed: map[int32]bool{}}
	for _, n := range res.AST.Children {
		in := instruction{cmd: strings.ToLower(n.Value), flags: n.Flags, line: n.StartLine}
		in.json = n.Attributes["json"]
		for a := n.Next; a != nil; a = a.Next {
			in.args = append(in.args, a.Value)
		}
		if in.cmd == "from" {
			s := stage{from: in}
			if len(in.args) == 3 && strings.EqualFold(in.args[1], "as") {
				s.name = in.args[2]
			}
			d.stages = append(d.stages, s)
			continue
		}
		if in.cmd == "arg" {
			for _, a := range in.args {
				k, v, _ := strings.Cut(a, "=")
				d.args[k] = v
			}
		}
		if len(d.stages) == 0 {
			if in.cmd != "arg" {
				t.Fatalf("%s:%d: %s before the first FROM", path, in.line, in.cmd)
			}
			continue
		}
		s := &d.stages[len(d.stages)-1]
		s.instr = append(s.instr, in)
	}
	return d
}

// loadDockerfile parses the Dockerfile and checks what the image must be:
// built in one stage and shipped from another that holds the binary only,
// as a numeric non-root user, CGO_ENABLED=0, listening on 0.0.0.0.
func loadDockerfile(t *testing.T) *dockerfile {
	t.Helper()
	d := parseDockerfile(t, dockerfilePath)
	if len(d.stages) < 2 {
		t.Fatalf("%d stages; want a build stage and a final one", len(d.stages))
	}
	for i := range d.stages {
		s := &d.stages[i]
		for _, in := range s.instr {
			if in.cmd == "run" && strings.Contains(strings.Join(in.args, " "), "go build") {
				d.buildCmd, d.buildStage = in, s
			}
		}
	}
	if d.buildStage == nil {
		t.Fatal("no RUN ... go build")
	}
	final := &d.stages[len(d.stages)-1]
	if final == d.buildStage {
		t.Fatal("the final stage builds: the image would ship the toolchain")
	}
	if img := final.from.args[0]; strings.Contains(img, "golang") {
		t.Errorf("final stage FROM %s: ship the binary only", img)
	}

	// CGO_ENABLED=0, in the RUN line or as ENV in the build stage.
	cgoOff := strings.Contains(d.buildCmd.args[0], "CGO_ENABLED=0")
	for _, kv := range d.buildStage.env() {
		cgoOff = cgoOff || kv == [2]string{"CGO_ENABLED", "0"}
	}
	if !cgoOff {
		t.Error("the go build does not set CGO_ENABLED=0: the binary would need a libc the final image lacks")
	}

	var user, entry, cmd *instruction
	var copied bool
	for i := range final.instr {
		in := &final.instr[i]
		switch in.cmd {
		case "user":
			user = in
		case "entrypoint":
			entry = in
		case "cmd":
			cmd = in
		case "copy":
			for _, f := range in.flags {
				copied = copied || f == "--from="+d.buildStage.name
			}
		case "expose":
			for _, a := range in.args {
				p, err := strconv.ParseInt(strings.TrimSuffix(a, "/tcp"), 10, 32)
				if err != nil {
					t.Errorf("EXPOSE %s: %v", a, err)
				}
				d.exposed[int32(p)] = true
			}
		}
	}
	if !copied {
		t.Errorf("the final stage does not COPY --from=%s", d.buildStage.name)
	}
	if user == nil {
		t.Fatal("the final stage sets no USER: the container would run as root")
	}
	uidStr, _, _ := strings.Cut(user.args[0], ":")
	uid, err := strconv.ParseInt(uidStr, 10, 64)
	if err != nil {
		t.Fatalf("USER %s: want a numeric uid, which Kubernetes' runAsNonRoot can verify without the image's /etc/passwd", user.args[0])
	}
	if uid == 0 {
		t.Fatal("USER 0 is root")
	}
	d.uid = uid

	if entry == nil || !entry.json || strings.Join(entry.args, " ") != "/upcase serve" {
		t.Errorf(`ENTRYPOINT: want the exec form ["/upcase", "serve"] (a shell form would need a shell, and would not pass SIGTERM on)`)
	}
	if cmd == nil || !cmd.json {
		t.Fatal("the final stage has no exec-form CMD with serve's flags")
	}
	args := parseArgs(t, cmd.args)
	if args["addr"] != "0.0.0.0:8080" {
		t.Errorf("CMD --addr=%q, want 0.0.0.0:8080: a loopback listener is unreachable from outside the container", args["addr"])
	}
	d.addrPort = args.listenPort(t, "addr")
	d.metricsPort = args.listenPort(t, "metrics")
	return d
}

func TestDockerfile(t *testing.T) {
	d := loadDockerfile(t)
	for _, p := range []int32{d.addrPort, d.metricsPort} {
		if !d.exposed[p] {
			t.Errorf("the final stage does not EXPOSE %d", p)
		}
	}
	t.Logf("%d stages; build: %s", len(d.stages), d.buildCmd.args[0])
}

// TestDockerfileBuildIsStatic runs the Dockerfile's own go build command
// (from its RUN line, with ARG defaults expanded and -o pointed at a
// temporary directory) on this machine and checks that the binary is static,
// as distroless/static and scratch demand: no ELF interpreter, no dynamic
// section, and cgo off in its build settings.
func TestDockerfileBuildIsStatic(t *testing.T) {
	if testing.Short() {
		t.Skip("builds upcase; skipped with -short")
	}
	d := loadDockerfile(t)
	words, err := shellWords(d.buildCmd.args[0], func(name string) (string, bool) {
		v, ok := d.args[name]
		return v, ok
	})
	if err != nil {
		t.Fatalf("RUN %s: %v", d.buildCmd.args[0], err)
	}
	// Leading NAME=value words are the command's environment.
	var env []string
	for len(words) > 0 && strings.Contains(words[0], "=") && !strings.HasPrefix(words[0], "-") {
		env = append(env, words[0])
		words = words[1:]
	}
	if len(words) < 2 || words[0] != "go" || words[1] != "build" {
		t.Fatalf("RUN line %q: want [NAME=value ...] go build ...", d.buildCmd.args[0])
	}
	out := filepath.Join(t.TempDir(), "upcase")
	var sawO bool
	for i := 2; i < len(words); i++ {
		switch {
		case words[i] == "-o" && i+1 < len(words):
			words[i+1] = out
			sawO = true
		case strings.HasPrefix(words[i], "-o="):
			words[i] = "-o=" + out
			sawO = true
		}
	}
	if !sawO {
		t.Fatal("the go build has no -o")
	}
	build := exec.Command(words[0], words[1:]...)
	build.Dir = ".." // the build context is the repository root
	// The image's ENV for the build stage, then the RUN line's own.
	build.Env = os.Environ()
	for _, kv := range d.buildStage.env() {
		if kv[0] == "GOTOOLCHAIN" {
			continue // the image's Go is the right one; here GOTOOLCHAIN chooses it
		}
		build.Env = append(build.Env, kv[0]+"="+kv[1])
	}
	build.Env = append(build.Env, env...)
	t.Logf("running %v with %v", build.Args, env)
	if b, err := build.CombinedOutput(); err != nil {
		t.Fatalf("%v: %v\n%s", build.Args, err, b)
	}

	f, err := elf.Open(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for _, p := range f.Progs {
		switch p.Type {
		case elf.PT_INTERP:
			t.Error("the binary has an ELF interpreter (PT_INTERP): it is dynamically linked")
		case elf.PT_DYNAMIC:
			t.Error("the binary has a PT_DYNAMIC segment: it is dynamically linked")
		}
	}
	if s := f.Section(".dynamic"); s != nil {
		t.Error("the binary has a .dynamic section")
	}
	if s := f.Section(".interp"); s != nil {
		t.Error("the binary has an .interp section")
	}
	if libs, _ := f.ImportedLibraries(); len(libs) > 0 {
		t.Errorf("the binary needs shared libraries %v", libs)
	}

	bi, err := buildinfo.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	settings := map[string]string{}
	for _, s := range bi.Settings {
		settings[s.Key] = s.Value
	}
	for k, want := range map[string]string{"CGO_ENABLED": "0", "-trimpath": "true"} {
		if settings[k] != want {
			t.Errorf("build setting %s=%q, want %q", k, settings[k], want)
		}
	}
	// -trimpath keeps -ldflags out of the build settings; look at the
	// binary instead.
	if f.Section(".symtab") != nil {
		t.Error("the binary keeps its symbol table (-ldflags -s not applied)")
	}
	if f.Section(".debug_info") != nil {
		t.Error("the binary keeps its DWARF (-ldflags -w not applied)")
	}
}

// shellWords splits one simple shell command as /bin/sh would: words
// separated by blanks, '...' taken literally, "..." with $VAR and ${VAR}
// expanded, backslash escapes, $VAR and ${VAR} outside quotes (the build
// arguments). Anything else the shell would do (;, &&, |, $(...), globs,
// redirections) is an error: the test must run exactly what docker runs.
func shellWords(s string, lookup func(string) (string, bool)) ([]string, error) {
	var words []string
	var cur strings.Builder
	inWord := false
	expand := func(i int) (int, error) { // s[i] == '$'
		j := i + 1
		var name string
		if j < len(s) && s[j] == '{' {
			end := strings.IndexByte(s[j:], '}')
			if end < 0 {
				return 0, fmt.Errorf("unclosed ${")
			}
			name = s[j+1 : j+end]
			j += end + 1
		} else {
			k := j
			for k < len(s) && (s[k] == '_' || s[k] >= 'A' && s[k] <= 'Z' || s[k] >= 'a' && s[k] <= 'z' || s[k] >= '0' && s[k] <= '9') {
				k++
			}
			name, j = s[j:k], k
		}
		if name == "" || strings.ContainsAny(name, ":-+?#%/") {
			return 0, fmt.Errorf("unsupported expansion at %q", s[i:])
		}
		v, ok := lookup(name)
		if !ok {
			return 0, fmt.Errorf("$%s is not an ARG with a default", name)
		}
		cur.WriteString(v)
		return j, nil
	}
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n':
			if inWord {
				words = append(words, cur.String())
				cur.Reset()
				inWord = false
			}
			i++
		case c == '\'':
			end := strings.IndexByte(s[i+1:], '\'')
			if end < 0 {
				return nil, fmt.Errorf("unclosed '")
			}
			cur.WriteString(s[i+1 : i+1+end])
			inWord = true
			i += end + 2
		case c == '"':
			inWord = true
			i++
			for {
				if i >= len(s) {
					return nil, fmt.Errorf("unclosed \"")
				}
				if s[i] == '"' {
					i++
					break
				}
				switch s[i] {
				case '$':
					j, err := expand(i)
					if err != nil {
						return nil, err
					}
					i = j
				case '\\':
					if i+1 < len(s) && strings.IndexByte("$`\"\\", s[i+1]) >= 0 {
						cur.WriteByte(s[i+1])
						i += 2
					} else {
						cur.WriteByte('\\')
						i++
					}
				case '`':
					return nil, fmt.Errorf("command substitution is not supported")
				default:
					cur.WriteByte(s[i])
					i++
				}
			}
		case c == '\\':
			if i+1 < len(s) {
				cur.WriteByte(s[i+1])
			}
			inWord = true
			i += 2
		case c == '$':
			if i+1 < len(s) && s[i+1] == '(' {
				return nil, fmt.Errorf("command substitution is not supported")
			}
			j, err := expand(i)
			if err != nil {
				return nil, err
			}
			inWord = true
			i = j
		case strings.IndexByte(";&|<>`*?[#~(){}", c) >= 0:
			return nil, fmt.Errorf("shell syntax %q is not supported in the go build line", c)
		default:
			cur.WriteByte(c)
			inWord = true
			i++
		}
	}
	if inWord {
		words = append(words, cur.String())
	}
	return words, nil
}

func TestShellWords(t *testing.T) {
	lookup := func(name string) (string, bool) {
		if name == "VERSION" {
			return "dev", true
		}
		return "", false
	}
	tests := []struct {
		in      string
		want    []string
		wantErr bool
	}{
		{in: `CGO_ENABLED=0 go build -trimpath -ldflags='-s -w' -o /upcase ./cmd/upcase`,
			want: []string{"CGO_ENABLED=0", "go", "build", "-trimpath", "-ldflags=-s -w", "-o", "/upcase", "./cmd/upcase"}},
		{in: `go build -ldflags="-s -w -X main.version=${VERSION}" .`, want: []string{"go", "build", "-ldflags=-s -w -X main.version=dev", "."}},
		{in: `a\ b "\$x" $VERSION`, want: []string{"a b", "$x", "dev"}},
		{in: `go build && rm -rf /`, wantErr: true},
		{in: `go build $(echo x)`, wantErr: true},
		{in: `go build ${UNSET}`, wantErr: true},
		{in: `go build 'open`, wantErr: true},
	}
	for _, tt := range tests {
		got, err := shellWords(tt.in, lookup)
		if (err != nil) != tt.wantErr || !tt.wantErr && strings.Join(got, "\x00") != strings.Join(tt.want, "\x00") {
			t.Errorf("shellWords(%q) = %q, %v; want %q (error: %v)", tt.in, got, err, tt.want, tt.wantErr)
		}
	}
}
