package server

import (
	"flag"
	"fmt"
	"os"
	"testing"

	"github.com/upcase/upcase/internal/testrerun"
	"go.uber.org/goleak"
)

// engineEnv names the engine the tests' servers use. TestMain runs the whole
// package a second time with the goroutine engine, so that both engines pass
// the same tests.
const engineEnv = "UPCASE_TEST_ENGINE"

// testEngine is the engine of every server the tests start with start().
var testEngine = Engine(os.Getenv(engineEnv))

func TestMain(m *testing.M) {
	code := m.Run()
	if code == 0 {
		if err := goleak.Find(); err != nil {
			fmt.Fprintf(os.Stderr, "goleak: %v\n", err)
			code = 1
		}
	}
	if code == 0 && testEngine == EngineAuto && epollSupported && !fuzzing() {
		code = testrerun.Run(engineEnv + "=" + string(EngineGoroutine))
	}
	os.Exit(code)
}

func fuzzing() bool {
	f := flag.Lookup("test.fuzz")
	return f != nil && f.Value.String() != ""
}
