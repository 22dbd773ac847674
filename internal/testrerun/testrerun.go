// Package testrerun runs a test binary a second time with one more
// environment variable, from its TestMain: the server's and the command's
// tests run once per engine this way.
//
// The rerun gets a test log of its own, which is then added to the first
// run's. The go command caches a test's result by the files and environment
// variables its log lists; were the rerun to write over the first run's log,
// a change to what only the first run reads would not undo the cache.
package testrerun

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
)

// Run runs this test binary again, with the same flags and setenv
// ("NAME=value") added to the environment, and returns its exit code.
func Run(setenv string) int {
	fmt.Printf("--- and again with %s\n", setenv)
	args, merge := ownLog(os.Args[1:])
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), setenv)
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	err := errors.Join(cmd.Run(), merge())
	var ee *exec.ExitError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &ee) && ee.ExitCode() > 0:
		return ee.ExitCode()
	}
	fmt.Fprintf(os.Stderr, "rerun with %s: %v\n", setenv, err)
	return 1
}

const logFlag = "-test.testlogfile="

// ownLog gives the rerun a log of its own, and merge adds its lines to ours.
func ownLog(args []string) (rerunArgs []string, merge func() error) {
	for i, a := range args {
		path, ok := strings.CutPrefix(a, logFlag)
		if !ok {
			continue
		}
		rerun := path + ".rerun"
		rerunArgs = append(append(append([]string{}, args[:i]...), logFlag+rerun), args[i+1:]...)
		return rerunArgs, func() error { return appendLog(path, rerun) }
	}
	return args, func() error { return nil }
}

// appendLog adds the entries of the log at from (all but its "# test log"
// header) to the log at to, and removes from.
func appendLog(to, from string) error {
	defer os.Remove(from)
	b, err := os.ReadFile(from)
	if err != nil {
		return fmt.Errorf("the rerun's test log: %w", err)
	}
	_, entries, _ := strings.Cut(string(b), "\n")
	f, err := os.OpenFile(to, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		return fmt.Errorf("the test log: %w", err)
	}
	_, err = f.WriteString(entries)
	return errors.Join(err, f.Close())
}
