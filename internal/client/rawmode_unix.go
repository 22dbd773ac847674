//go:build aix || darwin || dragonfly || freebsd || linux || netbsd || openbsd || solaris || zos

package client

import "golang.org/x/sys/unix"

// termState is a terminal's mode, saved to be restored.
type termState struct{ termios unix.Termios }

// makeRaw puts the terminal at fd in raw mode the way readline's own default
// does: cfmakeraw(3), except that output processing (OPOST) stays on, so the
// "\n" that readline and the replies print still starts a new line at the
// left margin. golang.org/x/term's MakeRaw turns OPOST off, which makes every
// line printed above the prompt start where the previous one ended.
func makeRaw(fd int) (*termState, error) {
	t, err := unix.IoctlGetTermios(fd, ioctlGetTermios)
	if err != nil {
		return nil, err
	}
	old := &termState{*t}
	t.Iflag &^= unix.IGNBRK | unix.BRKINT | unix.PARMRK | unix.ISTRIP | unix.INLCR | unix.IGNCR | unix.ICRNL | unix.IXON
	t.Lflag &^= unix.ECHO | unix.ECHONL | unix.ICANON | unix.ISIG | unix.IEXTEN
	t.Cflag &^= unix.CSIZE | unix.PARENB
	t.Cflag |= unix.CS8
	t.Cc[unix.VMIN] = 1
	t.Cc[unix.VTIME] = 0
	if err := unix.IoctlSetTermios(fd, ioctlSetTermios, t); err != nil {
		return nil, err
	}
	return old, nil
}

// restoreMode puts the terminal at fd back in the mode s.
func restoreMode(fd int, s *termState) error {
	return unix.IoctlSetTermios(fd, ioctlSetTermios, &s.termios)
}
