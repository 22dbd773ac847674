package main

import (
	"os"
	"regexp"
	"strings"
	"testing"
)

// pinnedGo is the toolchain the README's commands carry: older Go
// releases have known standard-library vulnerabilities.
const pinnedGo = "1.27.3"

// The build refuses a Go older than the pinned one (go.mod's go line, which
// GOTOOLCHAIN=local enforces rather than ignores), and every go command in
// the README names the toolchain, so that neither a bare `go build` nor a
// copied command builds a vulnerable binary.
func TestToolchainPinned(t *testing.T) {
	for _, path := range []string{"../../go.mod", "../../deploy/go.mod"} {
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		m := regexp.MustCompile(`(?m)^go (\S+)$`).FindSubmatch(b)
		if m == nil || string(m[1]) != pinnedGo {
			t.Errorf("%s: no go %s line; want it, so that an older Go refuses to build", path, pinnedGo)
		}
	}
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	goCmd := regexp.MustCompile(`\bgo (build|run|test|install|generate|vet) `)
	for i, line := range strings.Split(string(readme), "\n") {
		if goCmd.MatchString(line) && !strings.Contains(line, "GOTOOLCHAIN=go"+pinnedGo) {
			t.Errorf("README.md:%d: a go command without GOTOOLCHAIN=go%s: %s", i+1, pinnedGo, strings.TrimSpace(line))
		}
	}
}
