//go:build linux

package kstate

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
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

// kernelSequence gives the states one side went through, as the kernel
// reported them for the steps, one per change, in order.
func kernelSequence(steps []Step, client bool) []State {
	var seq []State
	for _, s := range steps {
		changes := s.Kernel.Server
		if client {
			changes = s.Kernel.Client
		}
		for _, ch := range changes {
			seq = append(seq, ch.New)
		}
	}
	return seq
}

// TestDemoKernelStates plays the demo with the kernel's own states and checks
// what the kernel reported of each side, in order, and the step each change
// goes with.
func TestDemoKernelStates(t *testing.T) {
	needRoot(t)
	for _, tc := range []struct {
		name           string
		demo           Demo
		client, server []State // the kernel's changes of each side, in order
	}{
		{"normal", Demo{Scenario: ScenarioNormal, CloseDelay: DefaultCloseDelay},
			[]State{SynSent, Established, FinWait1, FinWait2, Closed},
			[]State{SynReceived, Established, CloseWait, LastAck, Closed}},
		{"normal/ipv6", Demo{Scenario: ScenarioNormal, IPv6: true, CloseDelay: DefaultCloseDelay},
			[]State{SynSent, Established, FinWait1, FinWait2, Closed},
			[]State{SynReceived, Established, CloseWait, LastAck, Closed}},
		{"reset", Demo{Scenario: ScenarioReset},
			[]State{SynSent, Established, Closed},
			[]State{SynReceived, Established, Closed}},
		{"refused", Demo{Scenario: ScenarioRefused},
			[]State{SynSent, Closed},
			nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.demo.KernelStates = true
			res, err := tc.demo.Run(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			needKernelStates(t, res.KernelErr)
			c := res.Conversation
			for _, s := range c.Steps() {
				t.Logf("%-10s %+v", s.Event.TCP.Flags, *s.Kernel)
			}
			if !c.HasKernel() {
				t.Fatal("no kernel states attached")
			}
			defer func() {
				if !t.Failed() {
					return
				}
				// The times the matching went by: a change goes with a
				// step by comparing them.
				for _, s := range c.Steps() {
					t.Logf("step %d (%s) captured at %s", s.Index, s.Event.TCP.Flags, s.Event.Time.Format("15:04:05.000000"))
				}
				for _, ch := range res.Kernel {
					t.Logf("kernel change %s at %s", ch, ch.Time.Format("15:04:05.000000"))
				}
			}()
			if got := kernelSequence(c.Steps(), true); !slices.Equal(got, tc.client) {
				t.Errorf("the kernel's client went through %v; want %v", got, tc.client)
			}
			if got := kernelSequence(c.Steps(), false); !slices.Equal(got, tc.server) {
				t.Errorf("the kernel's server went through %v; want %v", got, tc.server)
			}
			for _, s := range c.Steps() {
				k := s.Kernel
				// Where the kernel reported the state, it is the inferred
				// one, but for the client's TIME-WAIT, which Linux hands to
				// a timewait record, closing the socket.
				if k.ClientKnown && k.After.Client != s.After.Client && (k.After.Client != Closed || s.After.Client != TimeWait) {
					t.Errorf("step %d (%s): the kernel's client is %s, the inferred %s", s.Index, s.Event.TCP.Flags, k.After.Client, s.After.Client)
				}
				if k.ServerKnown && k.After.Server != s.After.Server {
					t.Errorf("step %d (%s): the kernel's server is %s, the inferred %s", s.Index, s.Event.TCP.Flags, k.After.Server, s.After.Server)
				}
			}
		})
	}
}

// TestKernelTraceInstance checks that a Trace removes its tracefs
// instance, on Stop and on Close, and removes stale ones of dead processes.
func TestKernelTraceInstance(t *testing.T) {
	needRoot(t)
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
