//go:build linux

package kstate

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/upcase/upcase/internal/trace/tracetest"
)

// needKernelStates skips a test that reads the kernel's own states where
// they cannot be read, except in CI, which runs as root and must run it.
func needKernelStates(t *testing.T, err error) {
	t.Helper()
	if errors.Is(err, ErrUnavailable) && os.Getenv("CI") != "true" {
		t.Skip(err)
	}
	if err != nil {
		t.Fatal(err)
	}
}

// TestKernelTraceInstance checks that a Trace removes its tracefs
// instance, on Stop and on Close, and removes stale ones of dead processes.
func TestKernelTraceInstance(t *testing.T) {
	tracetest.NeedRoot(t)
	k, err := Start(9)
	needKernelStates(t, err)
	dir := k.dir
	if _, err := os.Stat(dir); err != nil {
		t.Fatal(err)
	}
	if _, err := k.Stop(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(dir); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("after Stop, the instance %s: %v; want it gone", dir, err)
	}
	if err := k.Close(); err != nil {
		t.Errorf("Close after Stop: %v", err)
	}

	// A stale instance: one named for a process that is gone.
	instances := filepath.Dir(dir)
	stale := filepath.Join(instances, instancePrefix+"2147483646-1")
	if err := os.Mkdir(stale, 0o700); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { removeInstance(stale) })
	if err := os.WriteFile(filepath.Join(stale, stateEvent, "enable"), []byte("1"), 0); err != nil {
		t.Fatal(err)
	}
	k, err = Start(9)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(stale); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("stale instance %s: %v; want it removed", stale, err)
	}
	if err := k.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(k.dir); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("after Close, the instance %s: %v; want it gone", k.dir, err)
	}
	entries, _ := os.ReadDir(instances)
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), instancePrefix+strconv.Itoa(os.Getpid())+"-") {
			t.Errorf("instance %s left behind", e.Name())
		}
	}
}

// TestKernelTraceUnprivileged checks that an ordinary user gets an error
// that says the kernel's states are unavailable, not a failure. Run it as
// one: go test -c, then setpriv --reuid=65534 --regid=65534 --clear-groups.
func TestKernelTraceUnprivileged(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("needs an ordinary user")
	}
	k, err := Start(9)
	if err == nil {
		k.Close()
		t.Fatal("Start succeeded without root")
	}
	if !errors.Is(err, ErrUnavailable) {
		t.Fatalf("error %v does not wrap ErrUnavailable", err)
	}
	t.Log(err)
}

func TestInstancePID(t *testing.T) {
	for name, want := range map[string]int{
		"upcase-123-4": 123, "upcase-77": 77,
		"upcase-": 0, "upcase-x-1": 0, "upcase-12-x": 0, "upcase-0-1": 0, "upcase--1": 0, "other-12-1": 0, "upcase-1-2-3": 0,
	} {
		pid, ok := instancePID(name)
		if ok != (want != 0) || pid != want {
			t.Errorf("instancePID(%q) = %d, %v; want %d", name, pid, ok, want)
		}
	}
}

func TestTracefsMounts(t *testing.T) {
	mounts := `sysfs /sys sysfs rw,nosuid,nodev,noexec,relatime 0 0
none /sys/kernel/tracing tracefs rw,relatime 0 0
debugfs /sys/kernel/debug debugfs rw,relatime 0 0
tracefs /mnt/my\040trace tracefs rw 0 0
short line
`
	got := tracefsMounts(strings.NewReader(mounts))
	want := []string{"/sys/kernel/tracing", "/sys/kernel/debug/tracing", "/mnt/my trace"}
	if !slices.Equal(got, want) {
		t.Errorf("tracefsMounts = %q; want %q", got, want)
	}
	for in, want := range map[string]string{`a\040b`: "a b", `a\\b`: `a\\b`, `end\04`: `end\04`, `tab\011`: "tab\t"} {
		if got := unescapeMount(in); got != want {
			t.Errorf("unescapeMount(%q) = %q; want %q", in, got, want)
		}
	}
}
