//go:build linux

package bench

import (
	"bytes"
	"net"
	"syscall"
	"testing"
	"time"

	"github.com/upcase/upcase/internal/upper"
	"golang.org/x/sys/unix"
)

// udpPair is a udpBatch for a connected UDP socket, carrying messages of
// size bytes with depth in flight, and the socket at its other end.
func udpPair(t testing.TB, size, depth int) (*udpBatch, *net.UDPConn) {
	t.Helper()
	peer, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { peer.Close() })
	conn, err := net.DialUDP("udp", nil, peer.LocalAddr().(*net.UDPAddr))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	b, ok := newUDPBatch(conn, size, depth)
	if !ok {
		t.Fatal("newUDPBatch: not a UDP socket with a file descriptor")
	}
	return b, peer
}

// countMmsg counts the system calls udpBatch makes until the test ends.
func countMmsg(t testing.TB) (sends, recvs *int) {
	sends, recvs = new(int), new(int)
	saved := mmsgCalls
	t.Cleanup(func() { mmsgCalls = saved })
	mmsgCalls.send = func(fd uintptr, hs []unix.Mmsghdr) (int, syscall.Errno) {
		*sends++
		return saved.send(fd, hs)
	}
	mmsgCalls.recv = func(fd uintptr, hs []unix.Mmsghdr) (int, syscall.Errno) {
		*recvs++
		return saved.recv(fd, hs)
	}
	return sends, recvs
}

// echoUpper reads n datagrams on peer and answers each upper-cased, in the
// order they came (on loopback each is in the other socket's queue once
// the write returns). It returns the datagrams read.
func echoUpper(t testing.TB, peer *net.UDPConn, n int) [][]byte {
	t.Helper()
	buf := make([]byte, 64<<10)
	var got [][]byte
	for range n {
		peer.SetReadDeadline(time.Now().Add(10 * time.Second)) // only if the datagram never comes
		m, from, err := peer.ReadFromUDPAddrPort(buf)
		if err != nil {
			t.Fatalf("peer: %v", err)
		}
		got = append(got, bytes.Clone(buf[:m]))
		upper.ASCII(buf[:m])
		if _, err := peer.WriteToUDPAddrPort(buf[:m], from); err != nil {
			t.Fatalf("peer: %v", err)
		}
	}
	return got
}

// K datagrams due go in one sendmmsg, in order, and K replies waiting are
// read with one recvmmsg, each whole, a longer one seen to be longer.
func TestUDPBatchOneCallPerBatch(t *testing.T) {
	for _, k := range []int{1, 8, udpBatchMax} {
		b, peer := udpPair(t, 16, k)
		sends, recvs := countMmsg(t)
		pay := newPayload(16, ExpectUpper)
		for i := range k + 1 {
			if queued := b.queue(pay.sendAt(int64(16*i), 16)); queued != (i < k) {
				t.Fatalf("k=%d: queue #%d says queued %v", k, i, queued)
			}
		}
		if sent, err := b.send(); sent != k || err != nil || *sends != 1 {
			t.Fatalf("k=%d: send = %d, %v in %d sendmmsg; want %d in one", k, sent, err, *sends, k)
		}
		for i, d := range echoUpper(t, peer, k) {
			if want := pay.sendAt(int64(16*i), 16); !bytes.Equal(d, want) {
				t.Fatalf("k=%d: datagram %d is %q, want %q", k, i, d, want)
			}
		}
		sent, n, err := b.recv()
		if sent != 0 || n != k || err != nil || *recvs != 1 {
			t.Fatalf("k=%d: recv = %d sent, %d read, %v in %d recvmmsg; want %d read in one", k, sent, n, err, *recvs, k)
		}
		for i := range n {
			if !pay.check(int64(16*i), b.reply(i)) || len(b.reply(i)) != 16 {
				t.Errorf("k=%d: reply %d is %q", k, i, b.reply(i))
			}
		}
	}
}

// A reply longer than the message is read longer (so that it does not pass
// for the right one), and recv sends what is queued before it reads.
func TestUDPBatchRecvSendsFirst(t *testing.T) {
	b, peer := udpPair(t, 4, 2)
	b.queue([]byte("abcd"))
	b.queue([]byte("efgh"))
	done := make(chan [][]byte)
	go func() {
		buf := make([]byte, 64)
		var got [][]byte
		for range 2 {
			n, from, err := peer.ReadFromUDPAddrPort(buf)
			if err != nil {
				break
			}
			got = append(got, bytes.Clone(buf[:n]))
			if len(got) == 2 {
				peer.WriteToUDPAddrPort([]byte("ABCDEFGH"), from)
			}
		}
		done <- got
	}()
	sent, n, err := b.recv()
	got := <-done
	if sent != 2 || n != 1 || err != nil {
		t.Fatalf("recv = %d sent, %d read, %v; want 2 sent, 1 read", sent, n, err)
	}
	if len(got) != 2 || string(got[0]) != "abcd" || string(got[1]) != "efgh" {
		t.Errorf("the peer got %q, want abcd then efgh", got)
	}
	if r := b.reply(0); len(r) <= 4 || string(r[:4]) != "ABCD" {
		t.Errorf("reply %q; want longer than 4 bytes, starting ABCD", r)
	}
}

// A round trip of a batch allocates nothing.
func TestUDPBatchNoAllocation(t *testing.T) {
	for _, k := range []int{1, 8} {
		b, peer := udpPair(t, 64, k)
		pay := newPayload(64, ExpectUpper)
		buf := make([]byte, 64<<10)
		allocs := testing.AllocsPerRun(100, func() { udpRoundTrip(t, b, peer, pay, buf, k) })
		if allocs != 0 {
			t.Errorf("k=%d: %v allocations per batch of round trips; want none", k, allocs)
		}
	}
}

// BenchmarkUDPBatch is one round trip of k datagrams over loopback, the
// peer answering each in the same goroutine: the cost of udpBatch per
// batch, with the peer's.
func BenchmarkUDPBatch(b *testing.B) {
	for _, k := range []int{1, 8} {
		b.Run("k="+string(rune('0'+k)), func(bb *testing.B) {
			ub, peer := udpPair(bb, 64, k)
			pay := newPayload(64, ExpectUpper)
			buf := make([]byte, 64<<10)
			bb.ReportAllocs()
			for bb.Loop() {
				udpRoundTrip(bb, ub, peer, pay, buf, k)
			}
		})
	}
}

// udpRoundTrip sends k datagrams with b, answers them from peer and reads
// the answers with b, without allocating.
func udpRoundTrip(t testing.TB, b *udpBatch, peer *net.UDPConn, pay *payload, buf []byte, k int) {
	for i := range k {
		b.queue(pay.sendAt(int64(64*i), 64))
	}
	if _, err := b.send(); err != nil {
		t.Fatal(err)
	}
	for range k {
		n, from, err := peer.ReadFromUDPAddrPort(buf)
		if err != nil {
			t.Fatal(err)
		}
		peer.WriteToUDPAddrPort(buf[:n], from)
	}
	for got := 0; got < k; {
		_, n, err := b.recv()
		if err != nil {
			t.Fatal(err)
		}
		got += n
	}
}
