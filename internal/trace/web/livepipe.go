package web

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sync"
)

// LiveLine is a line for the live demo, as a Pipe sends it: one JSON
// object a line.
type LiveLine struct {
	Conversation int    `json:"conversation"`
	Line         string `json:"line"`
}

// maxEventLine bounds a line of the live demo's output: a step in two
// languages, its frame in hex and dissected, is some tens of kilobytes.
const maxEventLine = 4 << 20

// pipeQueue is how many lines may wait for the live demo; Play refuses
// more rather than block.
const pipeQueue = 16

// Pipe is a LiveSession that talks to the live demo over two pipes, as
// JSON Lines: each line to play goes out as a LiveLine, and each LiveEvent
// comes back as one (cmd/upcase runs the demo as a child process, whose
// stdin and stdout they are).
type Pipe struct {
	w      io.WriteCloser
	wait   func() error
	lines  chan LiveLine // to the writer; closed by Close
	events chan LiveEvent
	wrote  chan struct{} // closed when the writer has ended
	read   chan struct{} // closed when the reader has ended
	once   sync.Once
	mu     sync.Mutex // guards closed
	closed bool
}

var _ LiveSession = (*Pipe)(nil)

// NewPipe starts relaying lines to w and events from r. wait waits for
// whatever is at the other end to end once w is closed; r then reaches its
// end. The Pipe owns w and r, and closes them. Whoever takes Events must
// go on taking them until they are closed (the Server does).
func NewPipe(w io.WriteCloser, r io.ReadCloser, wait func() error) *Pipe {
	p := &Pipe{
		w:      w,
		wait:   wait,
		lines:  make(chan LiveLine, pipeQueue),
		events: make(chan LiveEvent, 64),
		wrote:  make(chan struct{}),
		read:   make(chan struct{}),
	}
	go p.write()
	go p.readEvents(r)
	return p
}

// write sends the lines, then closes w: the demo's input ends.
func (p *Pipe) write() {
	defer close(p.wrote)
	defer p.w.Close()
	enc := json.NewEncoder(p.w)
	for l := range p.lines {
		if err := enc.Encode(l); err != nil {
			for range p.lines { // the demo is gone: its end is reported by r's
			}
			return
		}
	}
}

// readEvents decodes the demo's events until r ends, then closes Events.
func (p *Pipe) readEvents(r io.ReadCloser) {
	defer close(p.read)
	defer close(p.events)
	defer r.Close()
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), maxEventLine)
	for sc.Scan() {
		var ev LiveEvent
		if err := json.Unmarshal(sc.Bytes(), &ev); err != nil {
			ev = LiveEvent{Error: fmt.Sprintf("the live demo said something that is not an event: %v", err)}
		}
		p.events <- ev
	}
	if err := sc.Err(); err != nil {
		p.events <- LiveEvent{Error: fmt.Sprintf("reading the live demo: %v", err)}
		io.Copy(io.Discard, r) // so that the demo is not stuck writing
	}
}

// errBusy is Play's error when lines come faster than the demo plays them.
var errBusy = errors.New("the live demo is busy: wait for the conversations under way")

// Play queues the line for the demo.
func (p *Pipe) Play(n int, line string) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return errors.New("the live demo has ended")
	}
	select {
	case p.lines <- LiveLine{Conversation: n, Line: line}:
		return nil
	default:
		return errBusy
	}
}

// Events delivers the demo's events; it is closed when the demo's output
// ends.
func (p *Pipe) Events() <-chan LiveEvent { return p.events }

// Close ends the demo's input, waits for the demo to end (wait), and for
// its output to be read to the end.
func (p *Pipe) Close() error {
	var err error
	p.once.Do(func() {
		p.mu.Lock()
		p.closed = true
		close(p.lines)
		p.mu.Unlock()
		<-p.wrote
		err = p.wait()
		<-p.read
	})
	return err
}
