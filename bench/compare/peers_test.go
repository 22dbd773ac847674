package main

import (
	"bytes"
	"io"
	"net"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
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
				// A client with a small receive buffer that starts reading late:
				// the server's writes come up short and it must hold the rest
				// (the C peer in its pending buffer) until the client reads.
				in := make([]byte, 16<<20)
				for i := range in {
					in[i] = byte('a' + i%31)
				}
				c, err := net.DialTimeout("tcp", s.Addr, 5*time.Second)
				if err != nil {
					t.Fatal(err)
				}
				defer c.Close()
				_ = c.(*net.TCPConn).SetReadBuffer(128 << 10) // above the loopback MSS, or TCP crawls
				_ = c.SetDeadline(time.Now().Add(20 * time.Second))
				go func() {
					_, _ = c.Write(in)
					_ = c.(*net.TCPConn).CloseWrite()
				}()
				time.Sleep(300 * time.Millisecond)
				got, err := io.ReadAll(c)
				if err != nil {
					t.Errorf("reading: %v", err)
				}
				if !bytes.Equal(got, asciiUpper(in)) {
					t.Errorf("got %d bytes, want %d, equal: false", len(got), len(in))
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

func asciiUpper(p []byte) []byte {
	q := bytes.Clone(p)
	for i, b := range q {
		if 'a' <= b && b <= 'z' {
			q[i] = b - 32
		}
	}
	return q
}
