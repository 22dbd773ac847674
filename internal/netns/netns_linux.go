//go:build linux

package netns

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"syscall"

	"golang.org/x/sys/unix"
)

// childEnv marks the child started by Run, so that the command knows it is
// inside the private namespace.
const childEnv = "UPCASE_NETNS_CHILD"

// Inside reports whether this process is the child Run started.
func Inside() bool { return os.Getenv(childEnv) == "1" }

// ErrNoUserNamespaces means the kernel refused a new user namespace: they are
// disabled (the sysctl user.max_user_namespaces is 0, Ubuntu's AppArmor
// policy kernel.apparmor_restrict_unprivileged_userns=1, or a container's
// seccomp profile).
var ErrNoUserNamespaces = errors.New("this system does not allow unprivileged user namespaces " +
	"(user.max_user_namespaces is 0, Ubuntu's kernel.apparmor_restrict_unprivileged_userns is 1, " +
	"or a container's seccomp profile forbids them); run as root (sudo), or allow them with " +
	"`sudo sysctl -w user.max_user_namespaces=10000` or " +
	"`sudo sysctl -w kernel.apparmor_restrict_unprivileged_userns=0`")

// Run starts this program again with args, in a new user and network
// namespace in which it is root, with stdin, stdout and stderr passed
// through, and returns its exit status. When ctx ends the child gets SIGINT,
// so that it can finish as it would at Ctrl-C.
//
// args[0] is the child's argv[0], as os.Args[0] is this program's. Root
// needs no user namespace, so it gets only a network namespace, which works
// where user namespaces are disabled.
func Run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) (int, error) {
	exe, err := os.Executable()
	if err != nil {
		return 1, fmt.Errorf("find this program to start it in a namespace: %w", err)
	}
	cmd := exec.CommandContext(ctx, exe, args[1:]...)
	cmd.Args[0] = args[0]
	cmd.Cancel = func() error { return cmd.Process.Signal(os.Interrupt) }
	cmd.Env = append(os.Environ(), childEnv+"=1")
	cmd.Stdin, cmd.Stdout, cmd.Stderr = stdin, stdout, stderr
	cmd.SysProcAttr = &syscall.SysProcAttr{Cloneflags: syscall.CLONE_NEWNET, Pdeathsig: syscall.SIGKILL}
	if os.Geteuid() != 0 {
		cmd.SysProcAttr.Cloneflags |= syscall.CLONE_NEWUSER
		cmd.SysProcAttr.UidMappings = []syscall.SysProcIDMap{{ContainerID: 0, HostID: os.Getuid(), Size: 1}}
		cmd.SysProcAttr.GidMappings = []syscall.SysProcIDMap{{ContainerID: 0, HostID: os.Getgid(), Size: 1}}
	}
	if err := cmd.Start(); err != nil {
		if errors.Is(err, unix.ENOSPC) || errors.Is(err, unix.EPERM) || errors.Is(err, unix.EACCES) || errors.Is(err, unix.EINVAL) {
			return 1, fmt.Errorf("start a private network namespace: %w (%w)", ErrNoUserNamespaces, err)
		}
		return 1, fmt.Errorf("start a private network namespace: %w", err)
	}
	err = cmd.Wait()
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		if ee.ExitCode() >= 0 {
			return ee.ExitCode(), nil
		}
		// Killed by a signal: report it as a shell does (128+n), without a
		// message for the two a user causes: Ctrl-C, and a reader of its
		// output that went away (| head).
		if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			if sig := ws.Signal(); sig == syscall.SIGPIPE || sig == syscall.SIGINT {
				return 128 + int(sig), nil
			}
		}
		return 1, fmt.Errorf("the namespaced child: %w", err)
	}
	if err != nil {
		return 1, fmt.Errorf("the namespaced child: %w", err)
	}
	return 0, nil
}

// LoopbackUp brings up the loopback interface, which starts down in a new
// network namespace.
func LoopbackUp() error {
	fd, err := unix.Socket(unix.AF_INET, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return fmt.Errorf("bring up lo: %w", err)
	}
	defer unix.Close(fd)
	ifr, err := unix.NewIfreq("lo")
	if err != nil {
		return fmt.Errorf("bring up lo: %w", err)
	}
	if err := unix.IoctlIfreq(fd, unix.SIOCGIFFLAGS, ifr); err != nil {
		return fmt.Errorf("bring up lo: %w", err)
	}
	ifr.SetUint16(ifr.Uint16() | unix.IFF_UP)
	if err := unix.IoctlIfreq(fd, unix.SIOCSIFFLAGS, ifr); err != nil {
		return fmt.Errorf("bring up lo: %w", err)
	}
	return nil
}
