//go:build linux

package kstate

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/upcase/upcase/internal/trace"
	"golang.org/x/sys/unix"
)

// Trace records the kernel's own TCP state changes of the sockets on
// one port, as the kernel makes them: the sock:inet_sock_set_state
// tracepoint, read through a private tracefs (ftrace) instance, so nothing
// else that traces is disturbed, and no eBPF is needed. It needs root in
// the initial user namespace (a network namespace of its own is fine: the
// tracepoint sees every namespace's sockets).
//
// Linux's view differs from RFC 9293's diagram in ways worth showing
// rather than hiding: a client's change to SYN-SENT has source port 0 (the
// port is picked just after); a server's SYN-RECEIVED is reported only when
// the handshake's last ACK arrives (until then the half-open connection is
// a request socket, not a full one); and TIME-WAIT is never reported: the
// socket goes to CLOSED and hands over to a timewait record, which sock_diag
// (ss -tan state time-wait) shows for about 60 s.
//
// A Trace is not safe for concurrent use.
type Trace struct {
	dir    string        // the instance's directory
	offset time.Duration // CLOCK_REALTIME minus CLOCK_MONOTONIC
	closed bool
}

// instancePrefix starts the names of the tracefs instances a Trace
// makes: "upcase-PID-N".
const instancePrefix = "upcase-"

// instances counts the instances this process made, for unique names.
var instances atomic.Uint64

// stateEvent is the tracepoint's directory in an instance.
const stateEvent = "events/sock/inet_sock_set_state"

// Start starts recording the TCP state changes of sockets whose
// local or remote port is port. Call Stop to get them, and Close (after
// Stop, or instead of it) to make sure the tracefs instance is removed.
// Instances left by a process that was killed are removed first.
//
// Where the kernel's states cannot be read (not root, no tracefs, no such
// tracepoint) the error wraps ErrUnavailable.
func Start(port uint16) (*Trace, error) {
	root, err := tracefsRoot()
	if err != nil {
		return nil, err
	}
	removeStaleInstances(filepath.Join(root, "instances"))
	dir := filepath.Join(root, "instances", fmt.Sprintf("%s%d-%d", instancePrefix, os.Getpid(), instances.Add(1)))
	if err := os.Mkdir(dir, 0o700); err != nil {
		if errors.Is(err, fs.ErrPermission) {
			return nil, fmt.Errorf("%w: making a tracefs instance needs root: %w", ErrUnavailable, err)
		}
		return nil, fmt.Errorf("%w: make a tracefs instance: %w", ErrUnavailable, err)
	}
	k := &Trace{dir: dir}
	if err := k.start(port); err != nil {
		k.Close()
		return nil, err
	}
	return k, nil
}

// start sets the instance up and enables the event, filtered on port.
func (k *Trace) start(port uint16) error {
	if _, err := os.Stat(filepath.Join(k.dir, stateEvent)); err != nil {
		return fmt.Errorf("%w: this kernel has no sock:inet_sock_set_state tracepoint: %w", ErrUnavailable, err)
	}
	// A small buffer: the filter keeps only the port's few changes. Not
	// fatal if refused: the default is larger.
	_ = k.write("buffer_size_kb", "64")
	if err := k.write("trace_clock", "mono"); err != nil {
		return fmt.Errorf("kernel states: %w", err)
	}
	if err := k.write(stateEvent+"/filter", fmt.Sprintf("sport == %d || dport == %d", port, port)); err != nil {
		return fmt.Errorf("kernel states: %w", err)
	}
	off, err := realtimeOffset()
	if err != nil {
		return fmt.Errorf("kernel states: %w", err)
	}
	k.offset = off
	if err := k.write(stateEvent+"/enable", "1"); err != nil {
		return fmt.Errorf("kernel states: %w", err)
	}
	return nil
}

// Changes gives the changes recorded so far, in the order the kernel made
// them, and goes on recording.
func (k *Trace) Changes() ([]trace.KernelChange, error) {
	if k.closed {
		return nil, errors.New("kernel states: the trace is closed")
	}
	text, err := os.ReadFile(filepath.Join(k.dir, "trace"))
	if err != nil {
		return nil, fmt.Errorf("kernel states: %w", err)
	}
	changes, err := parseTrace(string(text), func(ts time.Duration) time.Time {
		return time.Unix(0, int64(ts+k.offset))
	})
	if err != nil {
		return changes, fmt.Errorf("kernel states: %w", err)
	}
	return changes, nil
}

// Stop stops recording, gives the changes recorded, in the order the
// kernel made them, and removes the tracefs instance.
func (k *Trace) Stop() ([]trace.KernelChange, error) {
	if k.closed {
		return nil, errors.New("kernel states: the trace is closed")
	}
	err := k.write(stateEvent+"/enable", "0")
	changes, rerr := k.Changes()
	return changes, errors.Join(err, rerr, k.Close())
}

// Close removes the tracefs instance, recording or not. Closing again, or
// a nil Trace, does nothing.
func (k *Trace) Close() error {
	if k == nil || k.closed {
		return nil
	}
	k.closed = true
	return removeInstance(k.dir)
}

// write writes value to the instance's file name.
func (k *Trace) write(name, value string) error {
	return os.WriteFile(filepath.Join(k.dir, name), []byte(value), 0)
}

// removeInstance removes a tracefs instance, disabling its events first if
// the kernel refuses to remove it as it is.
func removeInstance(dir string) error {
	err := unix.Rmdir(dir)
	if err == nil || errors.Is(err, unix.ENOENT) {
		return nil
	}
	_ = os.WriteFile(filepath.Join(dir, "events/enable"), []byte("0"), 0)
	_ = os.WriteFile(filepath.Join(dir, "tracing_on"), []byte("0"), 0)
	if err := unix.Rmdir(dir); err != nil && !errors.Is(err, unix.ENOENT) {
		return fmt.Errorf("kernel states: remove the tracefs instance %s: %w", dir, err)
	}
	return nil
}

// removeStaleInstances removes the instances, in the instances directory
// dir, of upcase processes that are gone: a tracefs instance outlives the
// process that made it.
func removeStaleInstances(dir string) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	for _, e := range entries {
		pid, ok := instancePID(e.Name())
		if !ok || pid == os.Getpid() || alive(pid) {
			continue
		}
		_ = removeInstance(filepath.Join(dir, e.Name()))
	}
}

// instancePID gives the process id in an instance name "upcase-PID-N" (or
// "upcase-PID"), and false for any other name.
func instancePID(name string) (int, bool) {
	rest, ok := strings.CutPrefix(name, instancePrefix)
	if !ok {
		return 0, false
	}
	id, n, hasN := strings.Cut(rest, "-")
	if hasN {
		if _, err := strconv.ParseUint(n, 10, 64); err != nil {
			return 0, false
		}
	}
	pid, err := strconv.Atoi(id)
	if err != nil || pid <= 0 {
		return 0, false
	}
	return pid, true
}

// alive reports whether process pid exists.
func alive(pid int) bool {
	return !errors.Is(unix.Kill(pid, 0), unix.ESRCH)
}

// tracefsRoot finds tracefs: where it is mounted, else at its usual places,
// else it mounts it at /sys/kernel/tracing (as trace-cmd and perf do, and
// leaves it there).
func tracefsRoot() (string, error) {
	var dirs []string
	if f, err := os.Open("/proc/self/mounts"); err == nil {
		dirs = tracefsMounts(f)
		f.Close()
	}
	dirs = append(dirs, "/sys/kernel/tracing", "/sys/kernel/debug/tracing")
	var statErr error
	for _, d := range dirs {
		st, err := os.Stat(filepath.Join(d, "instances"))
		if err == nil && st.IsDir() {
			return d, nil
		}
		if err != nil && statErr == nil && !errors.Is(err, fs.ErrNotExist) {
			statErr = err
		}
	}
	const usual = "/sys/kernel/tracing"
	err := unix.Mount("tracefs", usual, "tracefs", 0, "")
	if err == nil {
		return usual, nil
	}
	switch {
	case errors.Is(statErr, fs.ErrPermission):
		return "", fmt.Errorf("%w: reading them needs root (tracefs): %w", ErrUnavailable, statErr)
	case errors.Is(err, unix.EPERM) || errors.Is(err, unix.EACCES):
		return "", fmt.Errorf("%w: tracefs is not mounted, and mounting it needs root: %w", ErrUnavailable, err)
	}
	return "", fmt.Errorf("%w: tracefs is not mounted, and mounting it at %s failed: %w", ErrUnavailable, usual, err)
}

// tracefsMounts gives the mount points of tracefs listed in a mounts file
// (/proc/self/mounts), and of debugfs with "tracing" added.
func tracefsMounts(f io.Reader) []string {
	var dirs []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) < 3 {
			continue
		}
		dir := unescapeMount(fields[1])
		switch fields[2] {
		case "tracefs":
			dirs = append(dirs, dir)
		case "debugfs":
			dirs = append(dirs, filepath.Join(dir, "tracing"))
		}
	}
	return dirs
}

// unescapeMount undoes the octal escapes (\040 for a space) of a mount
// point in /proc/self/mounts.
func unescapeMount(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+4 <= len(s) {
			if n, err := strconv.ParseUint(s[i+1:i+4], 8, 8); err == nil {
				b.WriteByte(byte(n))
				i += 3
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// realtimeOffset measures CLOCK_REALTIME minus CLOCK_MONOTONIC, to put the
// trace's monotonic times on the wall clock of the capture's frames: the
// reading of the wall clock between two of the monotonic clock that are
// closest together, of a few tries.
func realtimeOffset() (time.Duration, error) {
	best, bestGap := time.Duration(0), time.Duration(-1)
	for range 8 {
		var a, b unix.Timespec
		if err := unix.ClockGettime(unix.CLOCK_MONOTONIC, &a); err != nil {
			return 0, fmt.Errorf("read the monotonic clock: %w", err)
		}
		now := time.Now()
		if err := unix.ClockGettime(unix.CLOCK_MONOTONIC, &b); err != nil {
			return 0, fmt.Errorf("read the monotonic clock: %w", err)
		}
		gap := time.Duration(b.Nano() - a.Nano())
		if bestGap < 0 || gap < bestGap {
			mid := time.Duration(a.Nano() + (b.Nano()-a.Nano())/2)
			best, bestGap = time.Duration(now.UnixNano())-mid, gap
		}
	}
	return best, nil
}
