package server

import (
	"flag"
	"fmt"
	"os"
	"os/exec"
	"testing"

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
		code = rerun(EngineGoroutine)
	}
	os.Exit(code)
}

// rerun runs this test binary again, with the same flags, for engine.
func rerun(engine Engine) int {
	fmt.Printf("--- and again with the %s engine (%s=%s)\n", engine, engineEnv, engine)
	cmd := exec.Command(os.Args[0], os.Args[1:]...)
	cmd.Env = append(os.Environ(), engineEnv+"="+string(engine))
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	if err := cmd.Run(); err != nil {
		if ee, ok := err.(*exec.ExitError); ok {
			return ee.ExitCode()
		}
		fmt.Fprintf(os.Stderr, "rerun with the %s engine: %v\n", engine, err)
		return 1
	}
	return 0
}

func fuzzing() bool {
	f := flag.Lookup("test.fuzz")
	return f != nil && f.Value.String() != ""
}
