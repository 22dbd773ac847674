package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/upcase/upcase/internal/netem"
)

// lossy is the hardening issue's bad network, applied to the packets of both
// directions.
var lossy = netem.Faults{
	Loss:      0.10,
	Delay:     20 * time.Millisecond,
	Jitter:    5 * time.Millisecond,
	Reorder:   0.25,
	Duplicate: 0.02,
	Corrupt:   0.01,
}

const (
	lossyStreams    = 4               // concurrent `upcase client` pipes
	lossyStreamSize = 4 << 20         // bytes each streams, and gets back
	lossyPingers    = 4               // concurrent ping-pong conversations...
	lossyPings      = 50              // ...of this many messages, each sent once the one before is answered
	lossyBudget     = 5 * time.Minute // a hang guard: alone it takes about 10 s
)

// TestLossyNetwork runs `upcase serve` in one network namespace and `upcase
// client`s in another, joined by a link with 10% loss, 20±5 ms delay, 25%
// reordering, 2% duplication and 1% corruption each way (see package netem),
// and expects every byte back exactly: four 4 MiB streams and, at the same
// time, 200 ping-pong messages (four conversations of 50, so that
// retransmission timeouts do not add up to most of the test's time). It also
// proves the faults happened: the relay counted packets dropped, duplicated,
// corrupted and reordered, and the server's kernel counted the corrupted
// segments it dropped (TcpInCsumErrors). It needs root, ip and /dev/net/tun;
// it skips without them, except in CI (CI=true), where it fails.
func TestLossyNetwork(t *testing.T) {
	if err := netem.Available(); err != nil {
		skipUnlessCI(t, err)
	}
	upcase, err := exec.LookPath("upcase") // for ip netns exec, which has not our PATH
	if err != nil {
		t.Fatal(err)
	}
	link, err := netem.NewLink("upcase-lossy")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := link.Close(); err != nil {
			t.Errorf("removing the link: %v", err)
		}
	})
	relay := &netem.Relay{Faults: lossy, Seed: 2024}
	stopRelay := runRelay(t, relay, link)

	srv := startCommand(t, "ip", "netns", "exec", link.A.Name, upcase, "serve", "--log-format=json",
		"--write-timeout=0", // a starved relay must not look like a client that does not read
		"--addr="+netip.AddrPortFrom(netem.AddrA, 0).String())
	addr := srv.waitRecord(t, listening).str("addr")
	csumBefore := csumErrors(t, link.A, link.B)

	ctx, cancel := context.WithTimeout(t.Context(), lossyBudget)
	defer cancel()
	start := time.Now()
	var wg sync.WaitGroup
	streamTimes := make([]time.Duration, lossyStreams)
	streamErrs := make([]error, lossyStreams)
	for i := range lossyStreams {
		wg.Go(func() {
			in := make([]byte, lossyStreamSize)
			rand.NewChaCha8([32]byte{byte(i)}).Read(in)
			streamErrs[i] = lossyStream(ctx, link.B, upcase, addr, in)
			streamTimes[i] = time.Since(start)
		})
	}
	rtts := make([][]time.Duration, lossyPingers)
	pingErrs := make([]error, lossyPingers)
	for i := range lossyPingers {
		wg.Go(func() { rtts[i], pingErrs[i] = pingPong(ctx, link.B, upcase, addr, lossyPings) })
	}
	wg.Wait()
	elapsed := time.Since(start)
	for i, err := range streamErrs {
		if err != nil {
			t.Errorf("stream %d: %v", i, err)
		}
	}
	for i, err := range pingErrs {
		if err != nil {
			t.Errorf("ping-pong %d: %v", i, err)
		}
	}
	select {
	case <-srv.done:
		t.Errorf("the server exited: %v", srv.err)
	default:
	}

	if err := stopRelay(); err != nil {
		t.Errorf("relay: %v", err)
	}
	csumAfter := csumErrors(t, link.A, link.B)
	toClient, toServer := relay.Stats() // the server is in A, the clients in B
	all := toServer.Add(toClient)
	streamed, slowest := lossyStreams*lossyStreamSize, slices.Max(streamTimes)
	t.Logf("streams: %d x %d MiB, %d MiB each way, all back exact in %v (%.2f MiB/s each way); everything done in %v",
		lossyStreams, lossyStreamSize>>20, streamed>>20, slowest.Round(time.Millisecond),
		float64(streamed)/(1<<20)/slowest.Seconds(), elapsed.Round(time.Millisecond))
	if sorted := slices.Sorted(slices.Values(slices.Concat(rtts...))); len(sorted) > 0 {
		t.Logf("ping-pong: %d messages in %d conversations, all answered exactly; round trips median %v, 99th percentile %v, max %v",
			len(sorted), lossyPingers, sorted[len(sorted)/2].Round(time.Millisecond),
			sorted[len(sorted)*99/100].Round(time.Millisecond), sorted[len(sorted)-1].Round(time.Millisecond))
	}
	t.Logf("relay, to the server:  %+v", toServer)
	t.Logf("relay, to the clients: %+v", toClient)
	t.Logf("faults, both ways: %d packets; dropped %d (%.1f%%), duplicated %d (%.1f%%), corrupted %d (%.2f%%), reordered (delivered after a later packet) %d, queue overflows %d",
		all.Packets, all.Dropped, percent(all.Dropped, all.Packets), all.Duplicated, percent(all.Duplicated, all.Packets),
		all.Corrupted, percent(all.Corrupted, all.Packets), all.Reordered, all.Overflowed)
	t.Logf("TcpInCsumErrors: server namespace +%d (the relay corrupted %d segments to it), client namespace +%d (%d corrupted to it)",
		csumAfter[0]-csumBefore[0], toServer.Corrupted, csumAfter[1]-csumBefore[1], toClient.Corrupted)

	for _, f := range []struct {
		name string
		n    int64
	}{{"dropped", all.Dropped}, {"duplicated", all.Duplicated}, {"corrupted", all.Corrupted}, {"reordered", all.Reordered}} {
		if f.n == 0 {
			t.Errorf("the relay %s no packets: the link was not as bad as it should be", f.name)
		}
	}
	if csumAfter[0] <= csumBefore[0] {
		t.Errorf("the server's TcpInCsumErrors did not rise (%d before, %d after): no corrupted segment reached its TCP", csumBefore[0], csumAfter[0])
	}
}

func percent(n, of int64) float64 { return 100 * float64(n) / float64(max(of, 1)) }

// runRelay runs relay over link until the returned function (or the test's
// cleanup) stops it; that function returns the relay's error.
func runRelay(t *testing.T, relay *netem.Relay, link *netem.Link) (stop func() error) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- relay.Run(ctx, link.DevA, link.DevB) }()
	stop = sync.OnceValue(func() error {
		cancel()
		select {
		case err := <-done:
			return err
		case <-time.After(30 * time.Second):
			return fmt.Errorf("the relay did not stop")
		}
	})
	t.Cleanup(func() { stop() })
	return stop
}

// csumErrors returns TcpInCsumErrors in each namespace.
func csumErrors(t *testing.T, nss ...*netem.Namespace) []int64 {
	t.Helper()
	var n []int64
	for _, ns := range nss {
		c, err := ns.SNMP()
		if err != nil {
			t.Fatal(err)
		}
		n = append(n, c["TcpInCsumErrors"])
	}
	return n
}

// lossyStream pipes in through `upcase client` in ns and expects it back
// upper-cased, exactly, and a clean exit.
func lossyStream(ctx context.Context, ns *netem.Namespace, upcase, addr string, in []byte) error {
	cmd := ns.Command(ctx, upcase, "client", "--timeout=1m", "--addr="+addr)
	cmd.Stdin = bytes.NewReader(in)
	var out, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &stderr
	if err := cmd.Run(); err != nil { // Run has waited for the copiers: the buffers are ours
		return fmt.Errorf("client: %v after %d of %d bytes; stderr: %s", err, out.Len(), len(in), stderr.Bytes())
	}
	want := upcased(in)
	if got := out.Bytes(); !bytes.Equal(got, want) {
		i := 0
		for i < min(len(got), len(want)) && got[i] == want[i] {
			i++
		}
		return fmt.Errorf("got %d bytes, want %d; they differ from byte %d", len(got), len(want), i)
	}
	return nil
}

// pingPong runs `upcase client` in ns with pipes for stdin and stdout, sends
// n short lines one at a time, each only once the reply to the one before
// has come back upper-cased, then ends the input and expects a clean exit.
// It returns the round trips.
func pingPong(ctx context.Context, ns *netem.Namespace, upcase, addr string, n int) ([]time.Duration, error) {
	inR, inW, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	defer inW.Close()
	outR, outW, err := os.Pipe()
	if err != nil {
		inR.Close()
		return nil, err
	}
	defer outR.Close()
	cmd := ns.Command(ctx, upcase, "client", "--timeout=1m", "--addr="+addr)
	stderr := newLines() // written by exec's copier while we may read it
	cmd.Stdin, cmd.Stdout, cmd.Stderr = inR, outW, stderr
	err = cmd.Start()
	inR.Close()
	outW.Close()
	if err != nil {
		return nil, err
	}
	waited := false
	defer func() {
		if !waited {
			cmd.Process.Kill()
			cmd.Wait()
		}
	}()

	replies := bufio.NewReader(outR)
	rtts := make([]time.Duration, 0, n)
	for i := range n {
		msg := fmt.Sprintf("ping %03d: anyone there?\n", i)
		sent := time.Now()
		outR.SetReadDeadline(sent.Add(2 * time.Minute)) // a hang guard, not a budget
		if _, err := io.WriteString(inW, msg); err != nil {
			return rtts, fmt.Errorf("message %d: %v; stderr: %s", i, err, stderr.String())
		}
		got, err := replies.ReadString('\n')
		if err != nil {
			return rtts, fmt.Errorf("reply %d: %q, %v; stderr: %s", i, got, err, stderr.String())
		}
		rtts = append(rtts, time.Since(sent))
		if want := string(upcased([]byte(msg))); got != want {
			return rtts, fmt.Errorf("reply %d: %q, want %q", i, got, want)
		}
	}
	inW.Close() // the client half-closes; the server then closes
	outR.SetReadDeadline(time.Now().Add(2 * time.Minute))
	rest, err := io.ReadAll(replies)
	if err != nil || len(rest) != 0 {
		return rtts, fmt.Errorf("after the last reply: %q, %v; want a clean end", rest, err)
	}
	waited = true
	if err := cmd.Wait(); err != nil {
		return rtts, fmt.Errorf("client: %v; stderr: %s", err, stderr.String())
	}
	return rtts, nil
}

// TestVanishedPeer: a client that vanishes without FIN or RST (the link
// between the namespaces stops carrying anything) is cleaned up by the idle
// timeout, and the server goes on serving.
func TestVanishedPeer(t *testing.T) {
	if err := netem.Available(); err != nil {
		skipUnlessCI(t, err)
	}
	upcase, err := exec.LookPath("upcase")
	if err != nil {
		t.Fatal(err)
	}
	link, err := netem.NewLink("upcase-vanish")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { link.Close() })
	stopRelay := runRelay(t, &netem.Relay{}, link)

	srv := startCommand(t, "ip", "netns", "exec", link.A.Name, upcase, "serve", "-v", "--log-format=json",
		"--idle-timeout=300ms", "--linger=100ms", "--addr="+netip.AddrPortFrom(netem.AddrA, 0).String())
	addr := srv.waitRecord(t, listening).str("addr")

	var c net.Conn
	if err := link.B.Do(func() (err error) {
		c, err = net.DialTimeout("tcp", addr, time.Minute)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(time.Minute)) // fail, not hang
	c.Write([]byte("still here?"))
	if _, err := io.ReadFull(c, make([]byte, 11)); err != nil {
		t.Fatalf("round trip before the link went down: %v", err)
	}
	if err := stopRelay(); err != nil { // the peer vanishes: nothing crosses any more
		t.Fatal(err)
	}
	// Nothing crosses the link, so only the server's record can tell.
	if r := srv.waitRecord(t, closeOf(c.LocalAddr().String())); r.str("reason") != "idle" {
		t.Errorf("the vanished client was reported closed for %q; want idle", r.str("reason"))
	}
	select {
	case <-srv.done:
		t.Fatalf("the server exited: %v", srv.err)
	default:
	}
}
