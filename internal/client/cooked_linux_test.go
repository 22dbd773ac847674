package client

import (
	"os"
	"testing"

	"golang.org/x/sys/unix"
)

// assertCooked checks that the terminal is back in its normal (cooked) mode:
// lines are edited by the kernel and echoed.
func assertCooked(t *testing.T, tty *os.File) {
	t.Helper()
	var tio *unix.Termios
	var err error
	rc, err := tty.SyscallConn()
	if err != nil {
		t.Fatal(err)
	}
	rc.Control(func(fd uintptr) { tio, err = unix.IoctlGetTermios(int(fd), unix.TCGETS) })
	if err != nil {
		t.Fatal(err)
	}
	if want := uint32(unix.ICANON | unix.ECHO); tio.Lflag&want != want {
		t.Errorf("terminal left in raw mode: lflag %#x, want ICANON and ECHO set", tio.Lflag)
	}
}
