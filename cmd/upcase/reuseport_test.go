//go:build linux

package main

import (
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/upcase/upcase/internal/netem"
)

// TestZeroDowntimeRestart is the README's restart procedure, under load: an
// old and a new `upcase serve --reuseport` share one port, the old one gets
// SIGTERM and drains, and `upcase bench`, opening new connections all along
// (--msgs-per-conn), sees no refused or reset connection and no wrong byte.
// It runs in a network namespace of its own, where it can turn on
// net.ipv4.tcp_migrate_req as the procedure says without touching the
// machine's. It needs root and ip; it skips without them, except in CI.
func TestZeroDowntimeRestart(t *testing.T) {
	if err := netem.Available(); err != nil {
		skipUnlessCI(t, err)
	}
	upcase, err := exec.LookPath("upcase") // for ip netns exec, which has not our PATH
	if err != nil {
		t.Fatal(err)
	}
	ns, err := netem.NewNamespace("upcase-restart-" + strconv.Itoa(os.Getpid()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ns.Delete() })
	if out, err := exec.Command("ip", "netns", "exec", ns.Name, "sh", "-c",
		"echo 1 > /proc/sys/net/ipv4/tcp_migrate_req").CombinedOutput(); err != nil {
		t.Fatalf("turning on tcp_migrate_req: %v: %s", err, out)
	}
	in := func(args ...string) *proc {
		return startCommand(t, "ip", append([]string{"netns", "exec", ns.Name, upcase}, args...)...)
	}
	const addr = "127.0.0.1:8080" // the namespace is ours: the lesson's port is free
	// The record of an accept: a client, and the server's end of it.
	accepted := func(r record) bool { return r.has("peer") && r.has("local") }

	old := in("serve", "--reuseport", "--addr="+addr, "-v", "--log-format=json")
	old.waitRecord(t, listening)
	// The note asking for it names the sysctl, however it is worded.
	if strings.Contains(old.output.String(), "tcp_migrate_req") {
		t.Error("the server asked for tcp_migrate_req, which is on in this namespace")
	}
	// --timeout=30s: the test asks whether a restart loses anything, not how
	// fast replies come; on a machine loaded by a parallel suite a race-built
	// server can be held up for more than bench's default second.
	bench := in("bench", "--addr="+addr, "--conns=8", "--msgs-per-conn=20", "--duration=4s", "--timeout=30s", "--json")
	old.waitRecord(t, accepted)

	next := in("serve", "--reuseport", "--addr="+addr, "-v", "--log-format=json")
	next.waitRecord(t, listening)
	next.waitRecord(t, accepted) // the kernel spreads new connections to both
	old.signal(t, syscall.SIGTERM)
	if code := old.wait(t); code != 0 {
		t.Fatalf("the old server exited %d after SIGTERM; want 0", code)
	}
	served := 0
	for _, r := range next.records() {
		if accepted(r) {
			served++
		}
	}

	res := waitBench(t, bench)
	if res.exit != 0 {
		t.Errorf("bench exited %d", res.exit)
	}
	t.Logf("restart under load: %d messages over %d connections; the new server took %d before the old one left; errors %d, mismatches %d, failed connections %d, failed dials %d",
		res.Messages, res.ConnsOpened, served, res.Errors, res.Mismatches, res.FailedConnsTotal, res.ConnFailures)
	if res.Messages == 0 || res.Errors != 0 || res.Mismatches != 0 || res.ConnFailures != 0 || res.FailedConnsTotal != 0 {
		t.Errorf("a restart lost something: %+v", res)
	}
}
