package netem

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"sync"
	"testing"
	"time"
)

// guard bounds every wait in these tests: reaching it is a failure, never
// part of a test's logic.
const guard = 10 * time.Second

// fakeDev is an in-memory Device: Read returns the packets sent on in, and
// Write puts packets on out.
type fakeDev struct {
	in       chan []byte
	out      chan []byte
	writeErr error

	mu       sync.Mutex
	stop     chan struct{} // closed while the read deadline is in the past
	deadline time.Time     // the last one set
}

func newFakeDev() *fakeDev {
	return &fakeDev{in: make(chan []byte), out: make(chan []byte, 1024), stop: make(chan struct{})}
}

func (d *fakeDev) Read(p []byte) (int, error) {
	d.mu.Lock()
	stop := d.stop
	d.mu.Unlock()
	select {
	case pkt := <-d.in:
		return copy(p, pkt), nil
	case <-stop:
		return 0, os.ErrDeadlineExceeded
	}
}

func (d *fakeDev) Write(p []byte) (int, error) {
	if d.writeErr != nil {
		return 0, d.writeErr
	}
	d.out <- bytes.Clone(p)
	return len(p), nil
}

func (d *fakeDev) SetReadDeadline(t time.Time) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.deadline = t
	select {
	case <-d.stop:
		if t.IsZero() || t.After(time.Now()) {
			d.stop = make(chan struct{})
		}
	default:
		if !t.IsZero() && !t.After(time.Now()) {
			close(d.stop)
		}
	}
	return nil
}

// send gives pkt to the relay reading d.
func (d *fakeDev) send(t *testing.T, pkt []byte) {
	t.Helper()
	select {
	case d.in <- pkt:
	case <-time.After(guard):
		t.Fatal("the relay did not read a packet")
	}
}

// recv returns the next packet the relay wrote to d.
func (d *fakeDev) recv(t *testing.T) []byte {
	t.Helper()
	select {
	case pkt := <-d.out:
		return pkt
	case <-time.After(guard):
		t.Fatal("the relay did not write a packet")
		return nil
	}
}

// startRelay runs r between a and b and returns a function that stops it and
// returns Run's result. Once it has returned, every packet the relay read is
// counted in its Stats.
func startRelay(t *testing.T, r *Relay, a, b Device) (stop func() error) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- r.Run(ctx, a, b) }()
	stop = sync.OnceValue(func() error {
		cancel()
		select {
		case err := <-done:
			return err
		case <-time.After(guard):
			t.Fatal("Run did not return after its context was cancelled")
			return nil
		}
	})
	t.Cleanup(func() { stop() })
	return stop
}

// numbered is a non-TCP packet with a number in it.
func numbered(i int) []byte { return fmt.Appendf(nil, "packet %d", i) }

func TestRelayPerfectWire(t *testing.T) {
	a, b := newFakeDev(), newFakeDev()
	r := &Relay{}
	stop := startRelay(t, r, a, b)
	for i := range 100 {
		a.send(t, numbered(i))
		if got := b.recv(t); !bytes.Equal(got, numbered(i)) {
			t.Fatalf("a to b: got %q, want %q", got, numbered(i))
		}
		b.send(t, tcp4(fmt.Sprint(i)))
		if got := a.recv(t); !bytes.Equal(got, tcp4(fmt.Sprint(i))) {
			t.Fatalf("b to a: got %q, want %q", got, tcp4(fmt.Sprint(i)))
		}
	}
	if err := stop(); err != nil {
		t.Fatalf("Run = %v, want nil", err)
	}
	want := Stats{Packets: 100, Delivered: 100}
	if ab, ba := r.Stats(); ab != want || ba != want {
		t.Errorf("Stats = %+v, %+v; want %+v both ways", ab, ba, want)
	}
	for name, d := range map[string]*fakeDev{"a": a, "b": b} {
		if !d.deadline.IsZero() {
			t.Errorf("%s's read deadline is %v after Run; want none", name, d.deadline)
		}
	}
}

func TestRelayFaults(t *testing.T) {
	const n = 50
	tests := []struct {
		name     string
		relay    *Relay
		want     Stats // a to b
		received int   // packets b gets
		check    func(t *testing.T, sent []byte, got [][]byte)
	}{
		{"all lost", &Relay{Faults: Faults{Loss: 1}}, Stats{Packets: n, Dropped: n}, 0, nil},
		{"all duplicated", &Relay{Faults: Faults{Duplicate: 1}}, Stats{Packets: n, Delivered: 2 * n, Duplicated: n}, 2 * n,
			func(t *testing.T, sent []byte, got [][]byte) {
				if !bytes.Equal(got[0], sent) || !bytes.Equal(got[1], sent) {
					t.Errorf("sent %x, got %x", sent, got)
				}
			}},
		{"all corrupted", &Relay{Faults: Faults{Corrupt: 1}}, Stats{Packets: n, Delivered: n, Corrupted: n}, n,
			func(t *testing.T, sent []byte, got [][]byte) {
				if tcpSum4(got[0]) == 0xffff {
					t.Errorf("got %x with an intact TCP checksum", got[0])
				}
			}},
		{"corrupted and duplicated", &Relay{Faults: Faults{Corrupt: 1, Duplicate: 1}}, Stats{Packets: n, Delivered: 2 * n, Duplicated: n, Corrupted: n}, 2 * n,
			func(t *testing.T, sent []byte, got [][]byte) {
				if intact := (tcpSum4(got[0]) == 0xffff) != (tcpSum4(got[1]) == 0xffff); !intact || !(bytes.Equal(got[0], sent) || bytes.Equal(got[1], sent)) {
					t.Errorf("sent %x, got %x; want one copy intact and one corrupted", sent, got)
				}
			}},
		{"queue full", &Relay{Faults: Faults{Delay: time.Hour}, QueueLen: 2}, Stats{Packets: n, Overflowed: n - 2}, 0, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, b := newFakeDev(), newFakeDev()
			stop := startRelay(t, tt.relay, a, b)
			per := tt.received / n
			for i := range n {
				sent := tcp4(fmt.Sprint("segment ", i))
				a.send(t, sent)
				var got [][]byte
				for range per {
					got = append(got, b.recv(t))
				}
				if tt.check != nil {
					tt.check(t, sent, got)
				}
			}
			if err := stop(); err != nil {
				t.Fatalf("Run = %v, want nil", err)
			}
			if len(b.out) != 0 {
				t.Errorf("b got %d packets more than %d", len(b.out), tt.received)
			}
			if ab, ba := tt.relay.Stats(); ab != tt.want || ba != (Stats{}) {
				t.Errorf("Stats = %+v, %+v; want %+v, zero", ab, ba, tt.want)
			}
		})
	}
}

// TestRelayReproducible: the same Seed makes the same decisions, drawn in
// the documented order, whatever the timing. With an hour's delay only the
// packets that skip it (Reorder) arrive, in order.
func TestRelayReproducible(t *testing.T) {
	const n, seed = 300, 7
	faults := Faults{Loss: 0.3, Reorder: 0.5, Delay: time.Hour, Duplicate: 0.1}
	var want [][]byte
	var wantStats Stats
	rng := rand.New(rand.NewPCG(seed, 1))
	for i := range n {
		fate := faults.Decide(Rolls{Loss: rng.Float64(), Duplicate: rng.Float64(), Corrupt: rng.Float64(), Reorder: rng.Float64(), Jitter: rng.Float64()})
		rng.Uint64()
		wantStats.Packets++
		switch {
		case fate.Drop:
			wantStats.Dropped++
		case fate.Reorder:
			want = append(want, numbered(i))
			wantStats.Delivered++
			if fate.Duplicate {
				want = append(want, numbered(i))
				wantStats.Delivered++
				wantStats.Duplicated++
			}
		}
	}
	a, b := newFakeDev(), newFakeDev()
	r := &Relay{Faults: faults, Seed: seed}
	stop := startRelay(t, r, a, b)
	for i := range n {
		a.send(t, numbered(i))
	}
	var got [][]byte
	for range want {
		got = append(got, b.recv(t))
	}
	stop()
	if !slices.EqualFunc(got, want, bytes.Equal) {
		t.Errorf("b got %q\nwant %q", got, want)
	}
	if ab, _ := r.Stats(); ab != wantStats {
		t.Errorf("Stats = %+v; want %+v", ab, wantStats)
	}
}

// TestSendReorders: packets leave earliest due first, and each one that
// leaves after a packet that arrived later is counted as reordered.
func TestSendReorders(t *testing.T) {
	dst := newFakeDev()
	var c counters
	d := newDirection(nil, dst, Faults{}, nil, 10, &c)
	past := time.Now().Add(-time.Hour)
	for seq, offset := range []time.Duration{3, 1, 2, 0} { // arrival order 1 to 4
		d.push(packet{data: numbered(seq + 1), seq: uint64(seq + 1), due: past.Add(offset)})
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- d.send(ctx) }()
	var got [][]byte
	for range 4 {
		got = append(got, dst.recv(t))
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("send = %v", err)
	}
	want := [][]byte{numbered(4), numbered(2), numbered(3), numbered(1)}
	if !slices.EqualFunc(got, want, bytes.Equal) {
		t.Errorf("sent %q; want %q", got, want)
	}
	if s := c.load(); s.Reordered != 3 || s.Delivered != 4 {
		t.Errorf("Reordered %d, Delivered %d; want 3, 4", s.Reordered, s.Delivered)
	}
}

func TestRelayWriteError(t *testing.T) {
	a, b := newFakeDev(), newFakeDev()
	b.writeErr = errors.New("device gone")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- (&Relay{}).Run(ctx, a, b) }()
	a.send(t, numbered(1))
	select {
	case err := <-done:
		if !errors.Is(err, b.writeErr) {
			t.Errorf("Run = %v; want %v", err, b.writeErr)
		}
	case <-time.After(guard):
		t.Fatal("Run did not return after a failed Write")
	}
}
