package main

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// TestPeersUpperCase builds the goroutine, gnet and (with gcc) C peers, and
// checks each on loopback: every byte back upper-cased, across many
// connections, and on a half-close the rest of the replies, then EOF.
func TestPeersUpperCase(t *testing.T) {
	tmp := t.TempDir()
	need := map[string]bool{"goroutine": true, "gnet": true}
	names := []string{"goroutine", "gnet"}
	if _, err := exec.LookPath("gcc"); err == nil {
		need[refPeer] = true
		names = append(names, refPeer)
	} else {
		t.Log("no gcc: the C peer is not tested")
	}
	bin, err := build(".", filepath.Join("..", ".."), tmp, need)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range names {
		t.Run(name, func(t *testing.T) {
			p, err := makePeer(name, bin, nil)
			if err != nil {
				t.Fatal(err)
			}
			s, err := startServer(p, -1, filepath.Join(tmp, name+".log"))
			if err != nil {
				t.Fatal(err)
			}
			defer s.Stop()

			t.Run("half-close", func(t *testing.T) {
				in := []byte("Hello, World! abc xyz {}~ 123 \x00\xff é\n")
				// Only a-z change: not é, not bytes above 0x7f.
				want := []byte("HELLO, WORLD! ABC XYZ {}~ 123 \x00\xff é\n")
				if got := exchange(t, s.Addr, in, false); !bytes.Equal(got, want) {
					t.Errorf("got %q, want %q", got, want)
				}
			})
			t.Run("large", func(t *testing.T) {
				// 4 MiB, written while the replies are read, then a half-close:
				// the servers' short writes and pending buffers are exercised.
				in := make([]byte, 4<<20)
				for i := range in {
					in[i] = byte(i*7 + i>>9)
				}
				got := exchange(t, s.Addr, in, true)
				if !bytes.Equal(got, asciiUpper(in)) {
					t.Errorf("got %d bytes, want %d, equal: false", len(got), len(in))
				}
			})
			t.Run("slow reader", func(t *testing.T) {
				// A client with a small receive buffer that reads nothing
				// until the server holds replies it could not write (the C
				// peer in its pending buffer, the goroutine one in a blocked
				// Write, gnet in its outbound buffer), then reads them all.
				in := make([]byte, 16<<20)
				for i := range in {
					in[i] = byte('a' + i%31)
				}
				d := net.Dialer{Timeout: 5 * time.Second, Control: func(_, _ string, rc syscall.RawConn) error {
					var err error
					cerr := rc.Control(func(fd uintptr) {
						// Above the loopback MSS, or TCP crawls; set before
						// connecting, so the window scale fits it.
						err = unix.SetsockoptInt(int(fd), unix.SOL_SOCKET, unix.SO_RCVBUF, 128<<10)
					})
					return errors.Join(cerr, err)
				}}
				c, err := d.Dial("tcp", s.Addr)
				if err != nil {
					t.Fatal(err)
				}
				defer c.Close()
				_ = c.SetDeadline(time.Now().Add(30 * time.Second))
				reading := make(chan struct{})
				wrote := make(chan error, 1)
				go func() {
					_, err := c.Write(in)
					// Half-close only once the client reads: on EOF gnet
					// flushes with a 5 s send timeout, then drops the rest.
					<-reading
					wrote <- errors.Join(err, c.(*net.TCPConn).CloseWrite())
				}()
				held := func() int64 {
					defer close(reading)
					return waitServerHolds(t, c.(*net.TCPConn), 20*time.Second)
				}()
				t.Logf("the server holds %d bytes of replies it has not written, our window closed", held)
				got, err := io.ReadAll(c)
				if err != nil {
					t.Errorf("reading: %v", err)
				}
				if !bytes.Equal(got, asciiUpper(in)) {
					t.Errorf("got %d bytes, want %d, equal: false", len(got), len(in))
				}
				if err := <-wrote; err != nil {
					t.Errorf("writing: %v", err)
				}
			})
			t.Run("many connections", func(t *testing.T) {
				var wg sync.WaitGroup
				for i := range 50 {
					wg.Add(1)
					go func() {
						defer wg.Done()
						in := []byte(strings.Repeat("conn-"+string(rune('a'+i%26))+"; ", 100))
						if got := exchange(t, s.Addr, in, true); !bytes.Equal(got, asciiUpper(in)) {
							t.Errorf("connection %d: got %q", i, got)
						}
					}()
				}
				wg.Wait()
			})
			if s.exited() {
				t.Errorf("server exited: %v: %s", s.err, tail(filepath.Join(tmp, name+".log")))
			}
		})
	}
}

// exchange sends in, half-closes, and returns everything read until EOF.
// With concurrent it reads while it writes, else it writes first.
func exchange(t *testing.T, addr string, in []byte, concurrent bool) []byte {
	t.Helper()
	c, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Error(err)
		return nil
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(30 * time.Second))
	var out []byte
	var rerr error
	done := make(chan struct{})
	read := func() {
		out, rerr = io.ReadAll(c)
		close(done)
	}
	if concurrent {
		go read()
	}
	if _, err := c.Write(in); err != nil {
		t.Error(err)
	}
	if err := c.(*net.TCPConn).CloseWrite(); err != nil {
		t.Error(err)
	}
	if !concurrent {
		read()
	}
	<-done
	if rerr != nil {
		t.Errorf("reading the replies: %v (after %d bytes)", rerr, len(out))
	}
	return out
}

// waitServerHolds waits until the server end of c, a connection on which the
// client reads nothing, holds replies it could not write: the client's
// receive window is closed, so the server can send nothing, and the server
// has read more input than it has replies in its kernel or ours. It returns
// how many bytes that is, and fails the test if it does not happen within
// limit (a failure deadline, never what the test waits for).
//
// The bytes are counted from the kernel's view of both ends: the input the
// server's kernel acknowledged, less what it still holds unread (rx_queue
// in /proc/net/tcp), is what the server read; the replies our kernel
// received, plus what the server's kernel still holds unsent (tx_queue), is
// what it wrote. The client's figures are read first: while our window is
// closed, anything that moves between the two readings only makes the count
// smaller.
func waitServerHolds(t *testing.T, c *net.TCPConn, limit time.Duration) int64 {
	t.Helper()
	rc, err := c.SyscallConn()
	if err != nil {
		t.Fatal(err)
	}
	tcpInfo := func() *unix.TCPInfo {
		var info *unix.TCPInfo
		var err error
		if cerr := rc.Control(func(fd uintptr) {
			info, err = unix.GetsockoptTCPInfo(int(fd), unix.IPPROTO_TCP, unix.TCP_INFO)
		}); cerr != nil || err != nil {
			t.Fatalf("TCP_INFO: %v", errors.Join(cerr, err))
		}
		return info
	}
	if tcpInfo().Rcv_wnd == 0 {
		// Before anything was sent the window is open: a zero here means
		// the kernel does not report it (tcpi_rcv_wnd is from Linux 6.2).
		t.Skip("this kernel does not report the receive window in TCP_INFO (Linux 6.2 and later do)")
	}
	server := procNetTCPKey(t, c.RemoteAddr(), c.LocalAddr())
	tick := time.NewTicker(time.Millisecond)
	defer tick.Stop()
	deadline := time.After(limit)
	var info *unix.TCPInfo
	var rx, tx int64
	for {
		info = tcpInfo()
		rx, tx = socketQueues(t, server)
		// bytes_acked counts the SYN too.
		read := int64(info.Bytes_acked) - 1 - rx
		written := int64(info.Bytes_received) + tx
		if info.Rcv_wnd == 0 && read > written {
			return read - written
		}
		select {
		case <-tick.C:
		case <-deadline:
			t.Fatalf("after %v the server held no reply it could not write: our receive window %d, input acknowledged %d, unread by the server %d, replies received %d, unsent by the server %d",
				limit, info.Rcv_wnd, info.Bytes_acked-1, rx, info.Bytes_received, tx)
		}
	}
}

// procNetTCPKey is how /proc/net/tcp names the IPv4 socket with these local
// and remote addresses: "0100007F:1F90 0100007F:D431" for 127.0.0.1:8080 to
// 127.0.0.1:54321 (each address as the kernel's 32-bit word, in host byte
// order, then the port).
func procNetTCPKey(t *testing.T, local, remote net.Addr) string {
	t.Helper()
	key := func(a net.Addr) string {
		ta, ok := a.(*net.TCPAddr)
		ip := ta.IP.To4()
		if !ok || ip == nil {
			t.Fatalf("%v is not a TCP/IPv4 address", a)
		}
		return fmt.Sprintf("%08X:%04X", binary.NativeEndian.Uint32(ip), ta.Port)
	}
	return key(local) + " " + key(remote)
}

// socketQueues reads the socket named key from /proc/net/tcp: the bytes it
// holds unsent or unacknowledged (tx_queue) and received but unread
// (rx_queue).
func socketQueues(t *testing.T, key string) (rx, tx int64) {
	t.Helper()
	b, err := os.ReadFile("/proc/net/tcp")
	if err != nil {
		t.Fatal(err)
	}
	for line := range strings.Lines(string(b)) {
		// sl local_address rem_address st tx_queue:rx_queue ...
		f := strings.Fields(line)
		if len(f) < 5 || f[1]+" "+f[2] != key {
			continue
		}
		txs, rxs, _ := strings.Cut(f[4], ":")
		tx, err1 := strconv.ParseInt(txs, 16, 64)
		rx, err2 := strconv.ParseInt(rxs, 16, 64)
		if err1 != nil || err2 != nil {
			t.Fatalf("/proc/net/tcp: cannot read the queues of %q", line)
		}
		return rx, tx
	}
	t.Fatalf("/proc/net/tcp has no socket %s", key)
	return 0, 0
}

func asciiUpper(p []byte) []byte {
	q := bytes.Clone(p)
	for i, b := range q {
		if 'a' <= b && b <= 'z' {
			q[i] = b - 32
		}
	}
	return q
}
