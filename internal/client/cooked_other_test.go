//go:build !linux

package client

import (
	"os"
	"testing"
)

// assertCooked is only implemented on Linux.
func assertCooked(*testing.T, *os.File) {}
