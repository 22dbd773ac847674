package main

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// Peer is one server under comparison.
type Peer struct {
	Name string // as given to -peers
	Desc string // one line for the header
	UDP  bool   // serves UDP (the UDP cells), not TCP
	// Args is the command line that serves on addr (host:port).
	Args func(addr string) []string
}

// binaries are the built programs, by role.
type binaries struct {
	upcase, goroutine, gnet, cepoll, loadgen string
	cudp, cclient, cudpclient                string
}

// The reference servers: the C epoll server for TCP cells, the C batched
// UDP server for UDP cells. Every ×C of -mode=servers is against them, and
// -mode=clients loads them.
const (
	refPeer    = "c-epoll"
	refUDPPeer = "c-udp-mmsg"
)

// allPeerNames in table order.
var allPeerNames = []string{"upcase", "upcase-goroutine", "upcase-epoll", "goroutine", "gnet", refPeer, "upcase-udp", refUDPPeer}

var defaultPeers = "upcase,goroutine,gnet," + refPeer + ",upcase-udp," + refUDPPeer

// refServer is the reference server of cell c's protocol.
func refServer(c Cell) string {
	if c.UDP {
		return refUDPPeer
	}
	return refPeer
}

func makePeer(name string, bin binaries, upcaseExtra []string) (Peer, error) {
	upcase := func(engine string) Peer {
		desc := "upcase serve (this repo; its default engine)"
		if engine != "" {
			desc = "upcase serve --engine=" + engine
		}
		return Peer{Name: name, Desc: desc, Args: func(addr string) []string {
			a := []string{bin.upcase, "serve", "--addr=" + addr,
				"--max-conns=0", "--max-conns-per-ip=0", "--idle-timeout=0", "--drain=1s"}
			if engine != "" {
				a = append(a, "--engine="+engine)
			}
			return append(a, upcaseExtra...)
		}}
	}
	switch name {
	case "upcase":
		return upcase(""), nil
	case "upcase-goroutine":
		return upcase("goroutine"), nil
	case "upcase-epoll":
		return upcase("epoll"), nil
	case "goroutine":
		return Peer{Name: name, Desc: "Go net, goroutine per connection, 16 KiB buffer (goroutine/main.go)",
			Args: func(addr string) []string { return []string{bin.goroutine, "-addr=" + addr} }}, nil
	case "gnet":
		return Peer{Name: name, Desc: "gnet v2 event loops, multicore per GOMAXPROCS (gnet/main.go)",
			Args: func(addr string) []string { return []string{bin.gnet, "-addr=" + addr} }}, nil
	case refPeer:
		return Peer{Name: name, Desc: "C, one level-triggered epoll loop, gcc -O2 (cepoll/server.c): the TCP reference",
			Args: func(addr string) []string {
				host, port, _ := net.SplitHostPort(addr)
				return []string{bin.cepoll, host, port}
			}}, nil
	case "upcase-udp":
		return Peer{Name: name, Desc: "upcase serve --udp --udp-rate=0 (this repo)", UDP: true,
			Args: func(addr string) []string {
				return append([]string{bin.upcase, "serve", "--udp", "--addr=" + addr, "--udp-rate=0", "--drain=1s"}, upcaseExtra...)
			}}, nil
	case refUDPPeer:
		return Peer{Name: name, Desc: "C, one blocking socket, recvmmsg/sendmmsg in batches of 64, gcc -O2 (cepoll/udp_server.c): the UDP reference", UDP: true,
			Args: func(addr string) []string {
				host, port, _ := net.SplitHostPort(addr)
				return []string{bin.cudp, host, port}
			}}, nil
	}
	return Peer{}, fmt.Errorf("unknown peer %q (known: %s)", name, strings.Join(allPeerNames, ", "))
}

// goEnv is the environment for go commands: GOTOOLCHAIN=go1.27.3 unless set.
func goEnv() []string {
	env := os.Environ()
	if os.Getenv("GOTOOLCHAIN") == "" {
		env = append(env, "GOTOOLCHAIN=go1.27.3")
	}
	return env
}

func runBuild(dir string, env []string, args ...string) error {
	cmd := exec.Command(args[0], args[1:]...)
	cmd.Dir = dir
	cmd.Env = env
	out, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("%s (in %s): %v\n%s", strings.Join(args, " "), dir, err, out)
	}
	return nil
}

// build builds what is needed into tmp.
func build(compareDir, repo, tmp string, need map[string]bool) (binaries, error) {
	var b binaries
	env := goEnv()
	out := func(name string) string { return filepath.Join(tmp, name) }
	steps := []struct {
		role string
		dst  *string
		bin  string
		dir  string
		args []string
	}{
		{"upcase", &b.upcase, out("upcase"), repo, []string{"go", "build", "-o", out("upcase"), "./cmd/upcase"}},
		{"goroutine", &b.goroutine, out("goroutine"), compareDir, []string{"go", "build", "-o", out("goroutine"), "./goroutine"}},
		{"gnet", &b.gnet, out("gnet"), compareDir, []string{"go", "build", "-o", out("gnet"), "./gnet"}},
		{"loadgen", &b.loadgen, out("loadgen"), compareDir, []string{"go", "build", "-o", out("loadgen"), "./loadgen"}},
		{refPeer, &b.cepoll, out("cepoll"), compareDir, []string{"gcc", "-O2", "-Wall", "-o", out("cepoll"), "cepoll/server.c"}},
		{refUDPPeer, &b.cudp, out("cudp"), compareDir, []string{"gcc", "-O2", "-Wall", "-o", out("cudp"), "cepoll/udp_server.c"}},
		{refGen, &b.cclient, out("cclient"), compareDir, []string{"gcc", "-O2", "-Wall", "-o", out("cclient"), "cepoll/client.c"}},
		{refGen, &b.cudpclient, out("cudpclient"), compareDir, []string{"gcc", "-O2", "-Wall", "-o", out("cudpclient"), "cepoll/udp_client.c"}},
	}
	for _, s := range steps {
		if !need[s.role] {
			continue
		}
		if err := runBuild(s.dir, env, s.args...); err != nil {
			return b, err
		}
		*s.dst = s.bin
	}
	return b, nil
}

// upcaseHelp runs `upcase CMD... --help` and tells whether it worked.
func upcaseHelp(upcase string, cmdArgs ...string) (string, bool) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, upcase, append(cmdArgs, "--help")...).CombinedOutput()
	return string(out), err == nil
}

// pinnedCommand returns a command that runs args on cpu: under taskset when
// there is one, else started from a thread whose affinity is set to cpu (the
// child inherits it; see startPinned).
func pinnedCommand(ctx context.Context, cpu int, args []string) *exec.Cmd {
	if ts, err := exec.LookPath("taskset"); err == nil && cpu >= 0 {
		return exec.CommandContext(ctx, ts, append([]string{"-c", strconv.Itoa(cpu)}, args...)...)
	}
	return exec.CommandContext(ctx, args[0], args[1:]...)
}

func startPinned(cmd *exec.Cmd, cpu int) error {
	if filepath.Base(cmd.Path) == "taskset" || cpu < 0 {
		return cmd.Start()
	}
	// No taskset: fork from a thread pinned to cpu, then unpin the thread.
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	var old, set unix.CPUSet
	if err := unix.SchedGetaffinity(0, &old); err != nil {
		return err
	}
	set.Set(cpu)
	if err := unix.SchedSetaffinity(0, &set); err != nil {
		return fmt.Errorf("pinning to CPU %d: %w", cpu, err)
	}
	err := cmd.Start()
	if rerr := unix.SchedSetaffinity(0, &old); rerr != nil && err == nil {
		err = rerr
	}
	return err
}

// Server is one running peer.
type Server struct {
	Peer Peer
	Addr string
	cmd  *exec.Cmd
	done chan struct{}
	log  *os.File
	err  error // from Wait, once done
}

// PID is the server process's id.
func (s *Server) PID() int { return s.cmd.Process.Pid }

func (s *Server) exited() bool {
	select {
	case <-s.done:
		return true
	default:
		return false
	}
}

// freePort is a loopback port free for TCP, or UDP with udp.
func freePort(udp bool) (int, error) {
	if udp {
		c, err := net.ListenPacket("udp", "127.0.0.1:0")
		if err != nil {
			return 0, err
		}
		defer c.Close()
		return c.LocalAddr().(*net.UDPAddr).Port, nil
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

// probe tells whether the server at addr answers: a TCP server accepts a
// connection, a UDP server answers a datagram "ping" with "PING" within
// 200 ms.
func probe(addr string, udp bool) error {
	if !udp {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			c.Close()
		}
		return err
	}
	c, err := net.Dial("udp", addr)
	if err != nil {
		return err
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(200 * time.Millisecond))
	if _, err := c.Write([]byte("ping")); err != nil {
		return err
	}
	b := make([]byte, 16)
	n, err := c.Read(b)
	if err != nil {
		return err
	}
	if string(b[:n]) != "PING" {
		return fmt.Errorf("answered %q to \"ping\"", b[:n])
	}
	return nil
}

// startServer starts p pinned to cpu on a free loopback port and waits, for
// at most 15 s, until it answers (probe).
func startServer(p Peer, cpu int, logPath string) (*Server, error) {
	port, err := freePort(p.UDP)
	if err != nil {
		return nil, err
	}
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	lf, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	cmd := pinnedCommand(context.Background(), cpu, p.Args(addr))
	cmd.Stdout, cmd.Stderr = lf, lf
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := startPinned(cmd, cpu); err != nil {
		lf.Close()
		return nil, fmt.Errorf("starting %s: %w", p.Name, err)
	}
	s := &Server{Peer: p, Addr: addr, cmd: cmd, done: make(chan struct{}), log: lf}
	go func() {
		s.err = cmd.Wait()
		close(s.done)
	}()
	deadline := time.Now().Add(15 * time.Second)
	for {
		if s.exited() {
			return nil, fmt.Errorf("%s exited before accepting connections: %v\n%s", p.Name, s.err, tail(logPath))
		}
		err := probe(addr, p.UDP)
		if err == nil {
			return s, nil
		}
		if time.Now().After(deadline) {
			s.Stop()
			return nil, fmt.Errorf("%s did not answer on %s within 15s: %v\n%s", p.Name, addr, err, tail(logPath))
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// Stop sends SIGTERM, then SIGKILL after 3 s.
func (s *Server) Stop() {
	if !s.exited() {
		_ = s.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-s.done:
		case <-time.After(3 * time.Second):
			_ = s.cmd.Process.Kill()
			<-s.done
		}
	}
	s.log.Close()
}

func tail(path string) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return ""
	}
	lines := bytes.Split(bytes.TrimSpace(b), []byte("\n"))
	if len(lines) > 10 {
		lines = lines[len(lines)-10:]
	}
	return string(bytes.Join(lines, []byte("\n")))
}

// checkPinned returns "" when every thread of pid may run only on cpu.
func checkPinned(pid, cpu int) string {
	got, err := cpusAllowed(pid)
	if err != nil {
		return "affinity unknown: " + err.Error()
	}
	if len(got) == 1 && got[0] == strconv.Itoa(cpu) {
		return ""
	}
	return fmt.Sprintf("not pinned to CPU %d: threads allow %v", cpu, got)
}
