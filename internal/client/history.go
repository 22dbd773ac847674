package client

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// historyPath makes sure the history file at path can be used, creating its
// directory (0700) and the file itself (0600: typed lines are private)
// when they are missing, and returns path. When that fails it writes one
// warning to stderr and returns "", so the session goes on without history.
// An empty path means no history.
func historyPath(path string, stderr io.Writer) string {
	if path == "" {
		return ""
	}
	err := os.MkdirAll(filepath.Dir(path), 0o700)
	if err == nil {
		var f *os.File
		f, err = os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_APPEND, 0o600)
		if err == nil {
			f.Close()
			return path
		}
	}
	fmt.Fprintf(stderr, "warning: going on without history: %v\n", err)
	return ""
}
