//go:build linux

package server

import (
	"bufio"
	"os"
	"strconv"
	"strings"
)

// tcpStateTimeWait is TIME-WAIT in /proc/net/tcp's st column.
const tcpStateTimeWait = "06"

// onlyTimeWait reports whether every TCP socket on local port port is a
// connection in TIME-WAIT (and there is at least one): the port is held
// only until they expire, by a program that closed first without
// SO_REUSEADDR, as the lesson's server.py does.
func onlyTimeWait(port int) bool {
	found := false
	for _, name := range []string{"/proc/net/tcp", "/proc/net/tcp6"} {
		f, err := os.Open(name)
		if err != nil {
			continue
		}
		sc := bufio.NewScanner(f)
		sc.Scan() // the header
		for sc.Scan() {
			fields := strings.Fields(sc.Text())
			if len(fields) < 4 {
				continue
			}
			_, hexPort, ok := strings.Cut(fields[1], ":")
			if p, err := strconv.ParseUint(hexPort, 16, 16); !ok || err != nil || int(p) != port {
				continue
			}
			if fields[3] != tcpStateTimeWait {
				f.Close()
				return false
			}
			found = true
		}
		f.Close()
	}
	return found
}
