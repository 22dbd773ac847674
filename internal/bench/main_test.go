package bench

import (
	"flag"
	"fmt"
	"os"
	"testing"

	"github.com/upcase/upcase/internal/testrerun"
	"go.uber.org/goleak"
)

// engineEnv names the engine the tests' runs use where they ask for none.
// TestMain runs the package on the epoll engine where there is one, then a
// second time on the goroutine engine, so that both pass the same tests.
const engineEnv = "UPCASE_TEST_BENCH_ENGINE"

func TestMain(m *testing.M) {
	if os.Getenv(serverEnv) != "" {
		serveForTests()
	}
	testEngine = Engine(os.Getenv(engineEnv))
	if testEngine == EngineAuto && epollSupported {
		testEngine = EngineEpoll
	}
	code := m.Run()
	if code == 0 {
		if err := goleak.Find(); err != nil {
			fmt.Fprintf(os.Stderr, "goleak: %v\n", err)
			code = 1
		}
	}
	if code == 0 && os.Getenv(engineEnv) == "" && epollSupported && !fuzzing() {
		code = testrerun.Run(engineEnv + "=" + string(EngineGoroutine))
	}
	os.Exit(code)
}

func fuzzing() bool {
	f := flag.Lookup("test.fuzz")
	return f != nil && f.Value.String() != ""
}
