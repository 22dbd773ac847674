package client

import (
	"context"
	"net"
	"strconv"
	"testing"
)

// FuzzCheckAddr: any address a user types is accepted only if it has a host
// part and a port that can be connected to, and is never a panic.
func FuzzCheckAddr(f *testing.F) {
	for _, s := range []string{"127.0.0.1:8080", "[::1]:1", "localhost", ":0", "host:99999", "h:http", "[::1", "a:b:c"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, addr string) {
		if err := checkAddr(context.Background(), addr); err != nil {
			return
		}
		_, port, err := net.SplitHostPort(addr)
		if err != nil {
			t.Fatalf("checkAddr(%q) accepted an address SplitHostPort rejects: %v", addr, err)
		}
		if n, err := strconv.Atoi(port); err == nil && (n < 1 || n > 65535) {
			t.Fatalf("checkAddr(%q) accepted port %d", addr, n)
		}
	})
}
