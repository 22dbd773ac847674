//go:build !linux

package server

import "syscall"

// listenBacklog is the accept queue length Go's net.Listen asks for.
func listenBacklog() int { return syscall.SOMAXCONN }
