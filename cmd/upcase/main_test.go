package main

import (
	"os"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"
)

// TestMain lets the test binary act as the upcase command: testscript puts it
// on PATH as "upcase", so scripts and the end-to-end tests run the real main,
// signal handling included, as separate processes.
func TestMain(m *testing.M) {
	// Under -race, a process sleeps a second at exit by default; the tests
	// start many upcase processes and wait for each to exit.
	os.Setenv("GORACE", strings.TrimSpace(os.Getenv("GORACE")+" atexit_sleep_ms=0"))
	testscript.Main(m, map[string]func(){"upcase": main})
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
