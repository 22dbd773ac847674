//go:build !linux

package netns

import (
	"context"
	"errors"
	"io"
)

// ErrNoUserNamespaces: network namespaces are Linux's.
var ErrNoUserNamespaces = errors.New("private network namespaces need Linux")

// Inside reports whether this process is the child Run started: never here.
func Inside() bool { return false }

// Run is not available off Linux.
func Run(context.Context, []string, io.Reader, io.Writer, io.Writer) (int, error) {
	return 1, ErrNoUserNamespaces
}

// LoopbackUp is not available off Linux.
func LoopbackUp() error { return ErrNoUserNamespaces }
