package main

// The README's samples of command output are this binary's real output:
// go generate ./cmd/upcase (with GOTOOLCHAIN=go1.27.3) builds it, runs each
// sample's command and rewrites the README's marked blocks;
// TestREADMESamples (readme_test.go) fails when a block no longer has the
// structure of what the command prints. It also retakes the screenshot of
// upcase trace --web that the README shows (TestTraceWebBrowser), as root.
//go:generate go test -run=^(TestREADMESamples|TestTraceWebBrowser)$ -update-readme .
