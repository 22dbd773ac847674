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

// Every go command in the README names the pinned toolchain, so that a
// copied command does not build a vulnerable binary with the machines'
// older Go (GOTOOLCHAIN=local ignores go.mod's toolchain line); and go.mod
// names the same one.
func TestToolchainPinned(t *testing.T) {
	mod, err := os.ReadFile("../../go.mod")
	if err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`(?m)^toolchain go` + regexp.QuoteMeta(pinnedGo) + `$`).Match(mod) {
		t.Errorf("go.mod has no toolchain go%s line", pinnedGo)
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
