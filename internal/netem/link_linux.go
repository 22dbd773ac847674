package netem

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"

	"golang.org/x/sys/unix"
)

// netnsDir is where ip netns keeps its named namespaces.
const netnsDir = "/var/run/netns"

// Available reports why a Link cannot be made here, or nil: it needs root,
// the ip command and /dev/net/tun.
func Available() error {
	if os.Geteuid() != 0 {
		return errors.New("netem: needs root to make network namespaces and TUN devices")
	}
	if _, err := exec.LookPath("ip"); err != nil {
		return fmt.Errorf("netem: needs the ip command (iproute2): %w", err)
	}
	if _, err := os.Stat("/dev/net/tun"); err != nil {
		return fmt.Errorf("netem: needs TUN devices: %w", err)
	}
	return nil
}

// linkSeq numbers the Links a process makes, for their names.
var linkSeq atomic.Int64

// NewLink makes a Link. Its namespaces are named PREFIX-PID-N-a and
// PREFIX-PID-N-b, unique to this process and call; prefix should be a short
// word without slashes, such as the test's name. First it removes what a
// process that made Links with the same prefix left behind when it was killed
// before it could clean up: the namespaces, and the processes still running
// in them. The caller must Close the Link.
func NewLink(prefix string) (l *Link, err error) {
	if err := Available(); err != nil {
		return nil, err
	}
	sweep(prefix)
	id := fmt.Sprintf("%s-%d-%d", prefix, os.Getpid(), linkSeq.Add(1))
	l = &Link{}
	defer func() {
		if err != nil {
			l.Close()
			l = nil
		}
	}()
	if l.A, err = NewNamespace(id + "-a"); err != nil {
		return l, err
	}
	if l.B, err = NewNamespace(id + "-b"); err != nil {
		return l, err
	}
	if l.DevA, err = l.A.pointToPoint(AddrA.String(), AddrB.String()); err != nil {
		return l, err
	}
	if l.DevB, err = l.B.pointToPoint(AddrB.String(), AddrA.String()); err != nil {
		return l, err
	}
	return l, nil
}

// Close closes the TUN devices, which removes them, and deletes the
// namespaces. Stop the Relay and the programs running in the namespaces
// first.
func (l *Link) Close() error {
	var errs []error
	for _, f := range []*os.File{l.DevA, l.DevB} {
		if f != nil {
			errs = append(errs, f.Close())
		}
	}
	for _, ns := range []*Namespace{l.A, l.B} {
		if ns != nil {
			errs = append(errs, ns.Delete())
		}
	}
	return errors.Join(errs...)
}

// pointToPoint opens the TUN device DeviceName in ns with address local and
// peer peer, and sets it up.
func (ns *Namespace) pointToPoint(local, peer string) (*os.File, error) {
	dev, err := ns.OpenTUN(DeviceName)
	if err != nil {
		return nil, err
	}
	if err := ns.ip("addr", "add", local, "peer", peer, "dev", DeviceName); err != nil {
		dev.Close()
		return nil, err
	}
	if err := ns.ip("link", "set", DeviceName, "up"); err != nil {
		dev.Close()
		return nil, err
	}
	return dev, nil
}

// NewNamespace makes the network namespace name (ip netns add) and sets its
// loopback up. The caller must Delete it.
func NewNamespace(name string) (*Namespace, error) {
	if err := run("ip", "netns", "add", name); err != nil {
		return nil, err
	}
	ns := &Namespace{Name: name}
	if err := ns.ip("link", "set", "lo", "up"); err != nil {
		return nil, errors.Join(err, ns.Delete())
	}
	return ns, nil
}

// Delete deletes the namespace's name (ip netns delete). The namespace itself
// goes once no process or open device holds it.
func (ns *Namespace) Delete() error {
	return run("ip", "netns", "delete", ns.Name)
}

// Command returns a command that runs name in the namespace, through ip netns
// exec; name should be an absolute path when it is found through a PATH that
// only this process has. The command is killed when ctx is done, and when
// this process dies, so that a killed test leaves nothing running.
func (ns *Namespace) Command(ctx context.Context, name string, arg ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, "ip", append([]string{"netns", "exec", ns.Name, name}, arg...)...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	return cmd
}

// Do calls f on an OS thread that is in the namespace, and returns f's
// error. Sockets and devices that f opens belong to the namespace and stay
// there, whichever thread uses them later. f must not start goroutines that
// expect to be in the namespace: they are not.
func (ns *Namespace) Do(f func() error) error {
	errc := make(chan error, 1)
	go func() {
		// The thread is unlocked only once it is back in its own namespace;
		// otherwise it ends with this goroutine.
		runtime.LockOSThread()
		errc <- ns.do(f)
	}()
	return <-errc
}

// do is Do on the locked thread.
func (ns *Namespace) do(f func() error) error {
	home, err := unix.Open("/proc/thread-self/ns/net", unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return fmt.Errorf("netem: open this thread's namespace: %w", err)
	}
	defer unix.Close(home)
	path := filepath.Join(netnsDir, ns.Name)
	target, err := unix.Open(path, unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return fmt.Errorf("netem: open namespace %s: %w", ns.Name, err)
	}
	defer unix.Close(target)
	if err := unix.Setns(target, unix.CLONE_NEWNET); err != nil {
		runtime.UnlockOSThread()
		return fmt.Errorf("netem: enter namespace %s: %w", ns.Name, err)
	}
	ferr := f()
	if err := unix.Setns(home, unix.CLONE_NEWNET); err != nil {
		return errors.Join(ferr, fmt.Errorf("netem: leave namespace %s: %w", ns.Name, err))
	}
	runtime.UnlockOSThread()
	return ferr
}

// OpenTUN makes the TUN device name in the namespace and returns it open:
// each Read returns one IP packet the namespace sends through the device, and
// each Write delivers one to the namespace (IFF_TUN|IFF_NO_PI, no packet
// information header). The file is non-blocking, so SetReadDeadline and
// Close stop a Read in progress. Closing it removes the device.
func (ns *Namespace) OpenTUN(name string) (*os.File, error) {
	var dev *os.File
	err := ns.Do(func() error {
		// The device is made in the namespace of the thread that opens
		// /dev/net/tun.
		fd, err := unix.Open("/dev/net/tun", unix.O_RDWR|unix.O_CLOEXEC|unix.O_NONBLOCK, 0)
		if err != nil {
			return fmt.Errorf("netem: open /dev/net/tun: %w", err)
		}
		ifr, err := unix.NewIfreq(name)
		if err != nil {
			unix.Close(fd)
			return fmt.Errorf("netem: TUN device %q: %w", name, err)
		}
		ifr.SetUint16(unix.IFF_TUN | unix.IFF_NO_PI)
		if err := unix.IoctlIfreq(fd, unix.TUNSETIFF, ifr); err != nil {
			unix.Close(fd)
			return fmt.Errorf("netem: make TUN device %s in %s: %w", name, ns.Name, err)
		}
		dev = os.NewFile(uintptr(fd), "tun:"+ns.Name+"/"+name)
		return nil
	})
	return dev, err
}

// SNMP returns the namespace's IP, ICMP, TCP and UDP counters, read from
// /proc/net/snmp as seen from inside it and keyed as nstat names them:
// "TcpInCsumErrors" is the number of TCP segments dropped for a bad checksum.
func (ns *Namespace) SNMP() (map[string]int64, error) {
	var data []byte
	err := ns.Do(func() (err error) {
		// /proc/net is /proc/self/net, the view of the process's main
		// thread; thread-self is the view of this thread, in ns.
		data, err = os.ReadFile("/proc/thread-self/net/snmp")
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("netem: read counters of %s: %w", ns.Name, err)
	}
	return parseSNMP(data)
}

// ip runs the ip command on the namespace: ip -n NAME args...
func (ns *Namespace) ip(args ...string) error {
	return run("ip", append([]string{"-n", ns.Name}, args...)...)
}

// run runs a command and returns an error holding its output if it fails.
func run(name string, args ...string) error {
	out, err := exec.Command(name, args...).CombinedOutput()
	if err != nil {
		return fmt.Errorf("netem: %s %s: %w: %s", name, strings.Join(args, " "), err, bytes.TrimSpace(out))
	}
	return nil
}

// sweep removes namespaces named PREFIX-PID-N-a or -b whose PID is no longer
// running, with the processes still in them: what a killed process left
// behind. Errors are ignored; sweep only tidies.
func sweep(prefix string) {
	entries, err := os.ReadDir(netnsDir)
	if err != nil {
		return
	}
	for _, e := range entries {
		rest, ok := strings.CutPrefix(e.Name(), prefix+"-")
		if !ok {
			continue
		}
		fields := strings.Split(rest, "-")
		if len(fields) != 3 || (fields[2] != "a" && fields[2] != "b") {
			continue
		}
		pid, err := strconv.Atoi(fields[0])
		if err != nil || pid <= 0 || !errors.Is(unix.Kill(pid, 0), unix.ESRCH) {
			continue // not ours, or its maker still runs
		}
		out, _ := exec.Command("ip", "netns", "pids", e.Name()).Output()
		for _, f := range strings.Fields(string(out)) {
			if p, err := strconv.Atoi(f); err == nil && p > 0 {
				unix.Kill(p, unix.SIGKILL)
			}
		}
		run("ip", "netns", "delete", e.Name())
	}
}
