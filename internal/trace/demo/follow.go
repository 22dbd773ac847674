package demo

import (
	"context"
	"errors"
	"slices"
	"sync"

	"github.com/upcase/upcase/internal/pcap"
	"github.com/upcase/upcase/internal/trace"
	"github.com/upcase/upcase/internal/trace/capture"
)

// follower builds one conversation out of one capture's frames as they
// come: it decodes each frame once, keeps the frames in time order, and
// gives each frame's event to the conversation, which keeps the events
// that belong to it. The capture queue can hand over two frames sent at
// nearly the same moment from different CPUs in the other order; a frame
// that belongs before the last one makes the conversation start again from
// the events already decoded, so that the ladder never shows time running
// backwards.
type follower struct {
	start  func() *trace.Conversation
	conv   *trace.Conversation
	frames []pcap.Frame  // every frame captured, in time order
	events []trace.Event // each frame's event, KindOther if it did not decode
}

// newFollower follows the conversation start makes.
func newFollower(start func() *trace.Conversation) *follower {
	return &follower{start: start, conv: start()}
}

// add takes the next captured frame.
func (f *follower) add(fr pcap.Frame) {
	ev, err := trace.DecodeFrame(fr)
	if err != nil {
		ev = trace.Event{Time: fr.Time} // KindOther: kept for the pcap file only
	}
	i := len(f.frames)
	for i > 0 && fr.Time.Before(f.frames[i-1].Time) {
		i--
	}
	f.frames = slices.Insert(f.frames, i, fr)
	f.events = slices.Insert(f.events, i, ev)
	if i == len(f.events)-1 {
		_, _ = f.conv.Add(ev) // an event of another conversation is refused: fine
		return
	}
	f.conv = f.start()
	for _, ev := range f.events {
		_, _ = f.conv.Add(ev)
	}
}

// captured is a frame, or a capture's error, with the index of the capture
// it came from.
type captured struct {
	from  int
	frame pcap.Frame
	err   error
}

// captureAll reads every socket in a goroutine of its own and sends what
// it reads on the channel until ctx is done; stop ends the reading and
// waits for the goroutines.
func captureAll(ctx context.Context, socks []*capture.Socket) (frames <-chan captured, stop func()) {
	ctx, cancel := context.WithCancel(ctx)
	ch := make(chan captured, 256)
	var wg sync.WaitGroup
	for i, s := range socks {
		wg.Go(func() {
			for {
				f, err := s.Next(ctx)
				if errors.Is(err, context.Canceled) && ctx.Err() != nil {
					return
				}
				select {
				case ch <- captured{from: i, frame: f, err: err}:
				case <-ctx.Done():
					return
				}
				if err != nil {
					return
				}
			}
		})
	}
	return ch, func() { cancel(); wg.Wait() }
}

// collect gives each captured frame to the follower of its capture until
// done reports true. It returns a capture's error, or ctx's when ctx ends
// first.
func collect(ctx context.Context, frames <-chan captured, fs []*follower, done func() bool) error {
	for !done() {
		select {
		case c := <-frames:
			if c.err != nil {
				return c.err
			}
			fs[c.from].add(c.frame)
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return nil
}
