package server

import (
	"os"
	"strconv"
	"strings"
)

// listenBacklog is the accept queue length Go's net.Listen asks for on Linux:
// the kernel's net.core.somaxconn, at most 65535 (the kernel keeps it in 16
// bits).
func listenBacklog() int {
	b, err := os.ReadFile("/proc/sys/net/core/somaxconn")
	if err != nil {
		return 128
	}
	n, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil || n <= 0 {
		return 128
	}
	return min(n, 1<<16-1)
}
