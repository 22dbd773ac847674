package main

import (
	"bufio"
	"context"
	"encoding/json"
	"flag"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// The container image (../../Dockerfile) and the Kubernetes manifests
// (../../deploy/kubernetes) are checked by the tests of the separate module
// ../../deploy, which needs k8s.io; this module must not. These tests bring
// them into the one `go test ./...` at the root, and check the flags the
// image and the manifests pass against serve's own flag set.

const deployDir = "../../deploy"

// skipDeployRerun: the tests below do not depend on the server engine, so
// they run once, not again in TestMain's UPCASE_ENGINE=goroutine rerun.
// The first run opens every file they check (trackDeployInputs), which is
// enough for go test's cache: the rerun's test log is added to the first
// run's (internal/testrerun).
func skipDeployRerun(t *testing.T) {
	t.Helper()
	if os.Getenv("UPCASE_ENGINE") == "goroutine" {
		t.Skip("engine-independent: ran in the first pass")
	}
	trackDeployInputs(t)
}

// TestDeployModule runs the deploy module's tests: strict decoding of every
// manifest into the Kubernetes API types, the cross-checks between the
// Deployment, Service, PodDisruptionBudget and Dockerfile, and a static
// build with the Dockerfile's own go build line. The go command is the one
// running this test (go test puts its GOROOT/bin first on PATH), with this
// environment, GOTOOLCHAIN included.
func TestDeployModule(t *testing.T) {
	skipDeployRerun(t)
	if testing.Short() {
		t.Skip("runs another module's tests (and a build of upcase); skipped with -short")
	}
	ctx := t.Context()
	if d, ok := t.Deadline(); ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithDeadline(ctx, d.Add(-10*time.Second))
		defer cancel()
	}
	// -count=1: its static-build test compiles this module's sources, which
	// go test's cache of the deploy module's results does not track.
	cmd := exec.CommandContext(ctx, "go", "test", "-count=1", "./...")
	cmd.Dir = deployDir
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("cd deploy && go test -count=1 ./...: %v\n%s", err, out)
	}
	t.Logf("cd deploy && go test -count=1 ./...\n%s", out)
}

// TestDeployFlags parses the Deployment's container args and the
// Dockerfile's CMD with serve's real flag set, so a flag that serve does not
// have (or a value it cannot parse) fails here rather than in a pod's
// CrashLoopBackOff.
func TestDeployFlags(t *testing.T) {
	skipDeployRerun(t)
	sets := map[string][]string{
		"deploy/kubernetes/deployment.yaml args": yamlContainerArgs(t, filepath.Join(deployDir, "kubernetes", "deployment.yaml")),
		"Dockerfile CMD":                         dockerfileJSON(t, "../../Dockerfile", "CMD"),
	}
	if got := dockerfileJSON(t, "../../Dockerfile", "ENTRYPOINT"); strings.Join(got, " ") != "/upcase serve" {
		t.Errorf("Dockerfile ENTRYPOINT %q, want [/upcase serve]", got)
	}
	for where, args := range sets {
		if len(args) == 0 {
			t.Errorf("%s: none found", where)
			continue
		}
		fs := flag.NewFlagSet("serve", flag.ContinueOnError)
		fs.SetOutput(io.Discard)
		if serveCommand().setup(fs) == nil {
			t.Fatal("serve has no run function")
		}
		if err := fs.Parse(args); err != nil {
			t.Errorf("%s %q: upcase serve refuses them: %v", where, args, err)
			continue
		}
		if fs.NArg() != 0 {
			t.Errorf("%s: serve takes no arguments, got %q", where, fs.Args())
		}
		t.Logf("%s: %q", where, args)
	}
}

// trackDeployInputs opens the Dockerfile, .dockerignore and every file
// and directory of the deploy module, so that go test's cache notices when
// one of them changes (or a file is added) and runs these tests again.
func trackDeployInputs(t *testing.T) {
	t.Helper()
	for _, f := range []string{"../../Dockerfile", "../../.dockerignore"} {
		if fh, err := os.Open(f); err == nil {
			fh.Close()
		}
	}
	err := filepath.WalkDir(deployDir, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		f, err := os.Open(path) // for a directory: its list of names
		if err != nil {
			return err
		}
		if d.IsDir() {
			_, err = f.ReadDir(-1)
		}
		f.Close()
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

// yamlContainerArgs reads the block list under the first `args:` key of a
// manifest: `- value` lines, comments dropped. (This module has no YAML
// parser; the deploy module decodes the file properly.)
func yamlContainerArgs(t *testing.T, path string) []string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	item := regexp.MustCompile(`^(\s*)-\s+(.*?)\s*(#.*)?$`)
	var args []string
	indent := -1 // of the args: key, once found
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		trimmed := strings.TrimSpace(line)
		if trimmed == "" || strings.HasPrefix(trimmed, "#") {
			continue
		}
		lead := len(line) - len(strings.TrimLeft(line, " "))
		if indent < 0 {
			if trimmed == "args:" {
				indent = lead
			}
			continue
		}
		m := item.FindStringSubmatch(line)
		if m == nil || len(m[1]) < indent {
			break // the list ended
		}
		v := m[2]
		if uq := strings.Trim(v, `"'`); len(uq) == len(v)-2 {
			v = uq
		}
		args = append(args, v)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return args
}

// dockerfileJSON is the exec-form (JSON array) argument of the last
// instruction of that keyword in a Dockerfile.
func dockerfileJSON(t *testing.T, path, keyword string) []string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var last []string
	for _, line := range strings.Split(string(data), "\n") {
		rest, ok := strings.CutPrefix(strings.TrimSpace(line), keyword+" ")
		if !ok {
			continue
		}
		var v []string
		if err := json.Unmarshal([]byte(rest), &v); err != nil {
			t.Fatalf("%s: %s %s: not the exec (JSON) form: %v", path, keyword, rest, err)
		}
		last = v
	}
	if last == nil {
		t.Fatalf("%s: no %s", path, keyword)
	}
	return last
}
