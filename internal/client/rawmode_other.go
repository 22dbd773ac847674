//go:build !(aix || darwin || dragonfly || freebsd || linux || netbsd || openbsd || solaris || zos)

package client

import "golang.org/x/term"

// termState is a terminal's mode, saved to be restored.
type termState = term.State

// makeRaw puts the terminal at fd in raw mode.
func makeRaw(fd int) (*termState, error) { return term.MakeRaw(fd) }

// restoreMode puts the terminal at fd back in the mode s.
func restoreMode(fd int, s *termState) error { return term.Restore(fd, s) }
