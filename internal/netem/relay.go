package netem

import (
	"bytes"
	"container/heap"
	"context"
	"errors"
	"io"
	"math/rand/v2"
	"os"
	"sync"
	"sync/atomic"
	"time"
)

// DefaultQueueLen is how many packets may wait in each direction of a Relay
// when Relay.QueueLen is zero.
const DefaultQueueLen = 4096

// maxPacket is the largest IP packet a Device can return.
const maxPacket = 64 << 10

// Device is one end of a Relay: each Read returns one whole IP packet and each
// Write sends one. SetReadDeadline must make a Read in progress return, as
// on an *os.File from Namespace.OpenTUN.
type Device interface {
	io.ReadWriter
	SetReadDeadline(t time.Time) error
}

var _ Device = (*os.File)(nil)

// Relay copies IP packets both ways between two Devices and applies Faults
// on the way. Set its fields before calling Run and do not change them while
// it runs; Stats may be called at any time, from any goroutine.
type Relay struct {
	// Faults is applied to the packets of both directions.
	Faults Faults
	// Seed seeds the random numbers: each direction draws from its own PCG
	// source seeded with Seed, so a Relay with the same Seed makes the same
	// sequence of decisions for the same sequence of packets.
	Seed uint64
	// QueueLen bounds how many packets wait for their delay in each
	// direction; a packet that finds the queue full is dropped and counted
	// as Overflowed. Zero means DefaultQueueLen.
	QueueLen int

	aToB, bToA counters
}

// Stats counts what a Relay did to the packets going one way.
type Stats struct {
	Packets    int64 // read from the source device
	Delivered  int64 // written to the destination device, duplicates included
	Dropped    int64 // lost by the Loss fault
	Duplicated int64 // second copies delivered
	Corrupted  int64 // delivered with one bit of TCP data flipped
	Reordered  int64 // delivered after a packet that reached the relay later than they did
	Overflowed int64 // dropped because the delay queue was full
}

// Add returns the sum of s and t, field by field.
func (s Stats) Add(t Stats) Stats {
	return Stats{
		Packets:    s.Packets + t.Packets,
		Delivered:  s.Delivered + t.Delivered,
		Dropped:    s.Dropped + t.Dropped,
		Duplicated: s.Duplicated + t.Duplicated,
		Corrupted:  s.Corrupted + t.Corrupted,
		Reordered:  s.Reordered + t.Reordered,
		Overflowed: s.Overflowed + t.Overflowed,
	}
}

// Stats returns the counts so far for packets going from a to b and from b to
// a (the Devices given to Run), over every Run of r.
func (r *Relay) Stats() (aToB, bToA Stats) {
	return r.aToB.load(), r.bToA.load()
}

// aLongTimeAgo is a deadline in the past: setting it makes a Read in
// progress return at once.
var aLongTimeAgo = time.Unix(1, 0)

// Run relays packets between a and b until ctx is done, then returns nil; it
// returns early with the error of a failed Read or Write. To stop the Reads
// in progress it sets a read deadline in the past on a and b, and clears it
// before returning. Packets still waiting for their delay are discarded. Run
// does not close a or b; it must not be called again until it has returned.
func (r *Relay) Run(ctx context.Context, a, b Device) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	stopped := make(chan struct{})
	go func() {
		<-ctx.Done()
		a.SetReadDeadline(aLongTimeAgo)
		b.SetReadDeadline(aLongTimeAgo)
		close(stopped)
	}()

	queueLen := r.QueueLen
	if queueLen == 0 {
		queueLen = DefaultQueueLen
	}
	dirs := []*direction{
		newDirection(a, b, r.Faults, rand.New(rand.NewPCG(r.Seed, 1)), queueLen, &r.aToB),
		newDirection(b, a, r.Faults, rand.New(rand.NewPCG(r.Seed, 2)), queueLen, &r.bToA),
	}
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		errs []error
	)
	fail := func(err error) {
		if err != nil && ctx.Err() == nil { // errors after the stop are the stop itself
			mu.Lock()
			errs = append(errs, err)
			mu.Unlock()
		}
		cancel()
	}
	for _, d := range dirs {
		wg.Go(func() { fail(d.receive()) })
		wg.Go(func() { fail(d.send(ctx)) })
	}
	wg.Wait()
	<-stopped
	a.SetReadDeadline(time.Time{})
	b.SetReadDeadline(time.Time{})
	return errors.Join(errs...)
}

// counters are a Stats updated atomically.
type counters struct {
	packets, delivered, dropped, duplicated, corrupted, reordered, overflowed atomic.Int64
}

func (c *counters) load() Stats {
	return Stats{
		Packets:    c.packets.Load(),
		Delivered:  c.delivered.Load(),
		Dropped:    c.dropped.Load(),
		Duplicated: c.duplicated.Load(),
		Corrupted:  c.corrupted.Load(),
		Reordered:  c.reordered.Load(),
		Overflowed: c.overflowed.Load(),
	}
}

// direction is one way through a Relay: receive reads packets from src,
// decides their fate and queues them by due time; send writes them to dst
// when they are due.
type direction struct {
	src, dst Device
	faults   Faults
	rng      *rand.Rand // used by receive only
	c        *counters

	mu       sync.Mutex
	queue    packetQueue
	queueLen int
	wake     chan struct{} // one pending wake-up for send: the queue changed
}

func newDirection(src, dst Device, f Faults, rng *rand.Rand, queueLen int, c *counters) *direction {
	return &direction{src: src, dst: dst, faults: f, rng: rng, c: c, queueLen: queueLen, wake: make(chan struct{}, 1)}
}

// packet is a copy of an IP packet waiting in a direction's queue.
type packet struct {
	data      []byte
	due       time.Time
	seq       uint64 // arrival order at the relay; copies share it
	corrupted bool
	duplicate bool
}

// receive reads and queues packets until a Read fails.
func (d *direction) receive() error {
	buf := make([]byte, maxPacket)
	var seq uint64
	for {
		n, err := d.src.Read(buf)
		if err != nil {
			return err
		}
		d.c.packets.Add(1)
		// Draw every number for every packet, so that the decisions for
		// packet i depend on i alone.
		rolls := Rolls{Loss: d.rng.Float64(), Duplicate: d.rng.Float64(), Corrupt: d.rng.Float64(), Reorder: d.rng.Float64(), Jitter: d.rng.Float64()}
		bit := d.rng.Uint64()
		fate := d.faults.Decide(rolls)
		if fate.Drop {
			d.c.dropped.Add(1)
			continue
		}
		seq++
		p := packet{data: bytes.Clone(buf[:n]), due: time.Now().Add(fate.Delay), seq: seq}
		if fate.Duplicate {
			dup := p
			dup.duplicate = true
			if fate.Corrupt {
				p.data = bytes.Clone(p.data) // the duplicate stays clean
			}
			d.push(dup)
		}
		if fate.Corrupt {
			_, p.corrupted = FlipPayloadBit(p.data, bit)
		}
		d.push(p)
	}
}

// push queues p, or counts it as Overflowed when the queue is full.
func (d *direction) push(p packet) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if len(d.queue) >= d.queueLen {
		d.c.overflowed.Add(1)
		return
	}
	heap.Push(&d.queue, p)
	select { // p may be due before the packet send waits for
	case d.wake <- struct{}{}:
	default:
	}
}

// send writes queued packets when they are due, until ctx is done or a Write
// fails.
func (d *direction) send(ctx context.Context) error {
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	var (
		due     []packet
		lastSeq uint64 // the highest seq delivered
	)
	for {
		d.mu.Lock()
		now := time.Now()
		due = due[:0]
		for len(d.queue) > 0 && !d.queue[0].due.After(now) {
			due = append(due, heap.Pop(&d.queue).(packet))
		}
		wait := time.Duration(-1)
		if len(d.queue) > 0 {
			wait = d.queue[0].due.Sub(now)
		}
		d.mu.Unlock()

		for _, p := range due {
			if _, err := d.dst.Write(p.data); err != nil {
				return err
			}
			d.c.delivered.Add(1)
			if p.duplicate {
				d.c.duplicated.Add(1)
			}
			if p.corrupted {
				d.c.corrupted.Add(1)
			}
			if p.seq < lastSeq {
				d.c.reordered.Add(1)
			}
			lastSeq = max(lastSeq, p.seq)
		}
		if len(due) > 0 {
			continue // time has passed while writing
		}
		if wait >= 0 {
			timer.Reset(wait)
		}
		select {
		case <-ctx.Done():
			timer.Stop()
			return nil
		case <-d.wake:
		case <-timer.C:
		}
		timer.Stop()
	}
}

// packetQueue is a heap of packets, earliest due first; packets due at the
// same time leave in arrival order.
type packetQueue []packet

func (q packetQueue) Len() int { return len(q) }
func (q packetQueue) Less(i, j int) bool {
	if !q[i].due.Equal(q[j].due) {
		return q[i].due.Before(q[j].due)
	}
	return q[i].seq < q[j].seq
}
func (q packetQueue) Swap(i, j int) { q[i], q[j] = q[j], q[i] }
func (q *packetQueue) Push(x any)   { *q = append(*q, x.(packet)) }
func (q *packetQueue) Pop() any {
	old := *q
	p := old[len(old)-1]
	old[len(old)-1] = packet{}
	*q = old[:len(old)-1]
	return p
}
