package main

import (
	"flag"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"
	"github.com/upcase/upcase/internal/testrerun"
)

// TestMain lets the test binary act as the upcase command: testscript puts it
// on PATH as "upcase", so scripts and the end-to-end tests run the real main,
// signal handling included, as separate processes.
func TestMain(m *testing.M) {
	// Under -race, a process sleeps a second at exit by default; the tests
	// start many upcase processes and wait for each to exit.
	os.Setenv("GORACE", strings.TrimSpace(os.Getenv("GORACE")+" atexit_sleep_ms=0"))
	testscript.Main(bothEngines{m}, map[string]func(){"upcase": main})
}

// bothEngines runs the tests a second time with every server on the
// goroutine engine (UPCASE_ENGINE, read like any flag), so that both
// engines pass the same end-to-end tests; the first run takes the default,
// epoll on Linux.
type bothEngines struct{ m *testing.M }

func (b bothEngines) Run() int {
	code := b.m.Run()
	if code != 0 || runtime.GOOS != "linux" || os.Getenv("UPCASE_ENGINE") != "" {
		return code
	}
	if f := flagValue("test.fuzz"); f != "" {
		return code
	}
	return testrerun.Run("UPCASE_ENGINE=goroutine")
}

// TestScript runs testdata/script/*.txtar: the CLI as a user types it.
func TestScript(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir: "testdata/script",
		Setup: func(env *testscript.Env) error {
			env.Setenv("XDG_CACHE_HOME", env.WorkDir+"/cache")
			return nil
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"freeport": cmdFreePort,
		},
	})
}

// flagValue is the value of a test binary flag, or "" if unset.
func flagValue(name string) string {
	if f := flag.Lookup(name); f != nil {
		return f.Value.String()
	}
	return ""
}

// skipUnlessCI skips the test for want of what err names, except in CI
// (CI=true), where .ci/run installs everything the tests need and runs them
// as root: there the test fails instead.
func skipUnlessCI(t *testing.T, err error) {
	t.Helper()
	if os.Getenv("CI") == "true" {
		t.Fatalf("CI=true, so this test must run (.ci/run installs what it needs), but: %v", err)
	}
	t.Skipf("skipped (set CI=true to make this a failure): %v", err)
}

// requireTool returns the path of the program name, or skips the test
// without it (skipUnlessCI).
func requireTool(t *testing.T, name string) string {
	t.Helper()
	path, err := exec.LookPath(name)
	if err != nil {
		skipUnlessCI(t, err)
	}
	return path
}
