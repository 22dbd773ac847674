package tracetest

import (
	"os"
	"testing"
)

// NeedRoot skips t, which needs root (to capture with CAP_NET_RAW, or to
// read the kernel's own states), when it runs as an ordinary user, except
// in CI (CI=true), which runs it as root and must not skip it.
func NeedRoot(t testing.TB) {
	t.Helper()
	if os.Geteuid() != 0 && os.Getenv("CI") != "true" {
		t.Skip("needs root (CAP_NET_RAW, tracefs); CI runs this as root")
	}
}
