package web

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/upcase/upcase/internal/trace/tracejson"
	"golang.org/x/time/rate"
)

// LiveSession is the live demo, running elsewhere (cmd/upcase runs it in
// a private network namespace): an upper-casing server and a capture of its
// port, playing one conversation per line, one at a time, in the order
// given.
type LiveSession interface {
	// Play hands over line, to be sent as conversation n; it returns once
	// the line is handed over, before it is played.
	Play(n int, line string) error
	// Events delivers what the demo reports, in order, and is closed when
	// the session has ended.
	Events() <-chan LiveEvent
	// Close ends the session and waits for it to end. It is called once.
	Close() error
}

// LiveEvent is one report of the live demo: a step captured, the reply the
// client got, or an error. Conversation is the n of the line it is about
// (0 for an error about none).
type LiveEvent struct {
	Conversation int `json:"conversation"`
	// Steps is one captured step, in each language (Record.Lang): the
	// event streams each choose theirs.
	Steps []tracejson.Record `json:"steps,omitempty"`
	// Reply is what the client read back, without its newline.
	Reply *string `json:"reply,omitempty"`
	Error string  `json:"error,omitempty"`
}

// hub is live mode: the session (started at the first line), the line rate
// limit, and the event streams it relays the session's events to.
type hub struct {
	start func(context.Context) (LiveSession, error)
	limit *rate.Limiter
	now   func() time.Time
	max   int // event streams at once
	log   *slog.Logger

	ctx    context.Context // ends at close: the session's
	cancel context.CancelFunc
	relays sync.WaitGroup

	mu      sync.Mutex
	session LiveSession // nil until the first line, and after it ended
	next    int         // the last conversation's number
	subs    map[*subscriber]struct{}
	closed  bool
}

func newHub(start func(context.Context) (LiveSession, error), perSecond float64, burst, maxSubs int, log *slog.Logger) *hub {
	ctx, cancel := context.WithCancel(context.Background())
	return &hub{
		start:  start,
		limit:  rate.NewLimiter(rate.Limit(perSecond), burst),
		now:    time.Now,
		max:    maxSubs,
		log:    log,
		ctx:    ctx,
		cancel: cancel,
		subs:   map[*subscriber]struct{}{},
	}
}

// errNoLive is the answer where live mode cannot run.
var errNoLive = errors.New("live mode is not available")

// play hands line to the session, starting one if none runs, and returns
// the line's conversation number.
func (h *hub) play(line string) (int, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed || h.start == nil {
		return 0, errNoLive
	}
	if h.session == nil {
		s, err := h.start(h.ctx)
		if err != nil {
			return 0, fmt.Errorf("%w: %w", errNoLive, err)
		}
		h.session = s
		h.relays.Add(1)
		go h.relay(s)
	}
	h.next++
	if err := h.session.Play(h.next, line); err != nil {
		return 0, fmt.Errorf("%w: %w", errNoLive, err)
	}
	return h.next, nil
}

// relay sends the session's events to every stream until the session
// ends, and then closes it: the next line starts a new one.
func (h *hub) relay(s LiveSession) {
	defer h.relays.Done()
	for ev := range s.Events() {
		h.broadcast(ev)
	}
	h.mu.Lock()
	mine := h.session == s
	if mine {
		h.session = nil
	}
	h.mu.Unlock()
	if !mine {
		return // close closes it
	}
	msg := "the live demo ended; the next line starts it again"
	if err := s.Close(); err != nil {
		h.log.Warn("the live demo ended", "err", err)
		msg = fmt.Sprintf("the live demo ended (%v); the next line starts it again", err)
	}
	h.broadcast(LiveEvent{Error: msg})
}

// closeWait is how long close waits for the session to end at the end of
// its input before it ends the session's context.
const closeWait = 5 * time.Second

// close stops the session, if one runs, and waits for it. New lines and
// streams are refused from then on.
func (h *hub) close() error {
	h.mu.Lock()
	h.closed = true
	s := h.session
	h.session = nil
	for sub := range h.subs {
		delete(h.subs, sub)
		close(sub.events)
	}
	h.mu.Unlock()
	var err error
	if s != nil {
		// Closing the session ends its input, and so the session; its
		// context ends too when that takes longer than closeWait.
		stop := time.AfterFunc(closeWait, h.cancel)
		err = s.Close()
		stop.Stop()
	}
	h.cancel()
	h.relays.Wait()
	return err
}

// lineRequest is the body of POST /api/live.
type lineRequest struct {
	Line string `json:"line"`
}

// maxLineBody bounds the body of POST /api/live: a line of MaxLine bytes,
// each escaped as \uXXXX at worst, and the braces around it.
const maxLineBody = 6*MaxLine + 64

// serveLine takes one line of live mode: same-origin, JSON, within the
// rate, and a line a terminal would show.
func (s *Server) serveLine(w http.ResponseWriter, r *http.Request) {
	if err := sameOrigin(r); err != nil {
		writeError(w, http.StatusForbidden, err)
		return
	}
	if !isJSON(r) {
		writeError(w, http.StatusUnsupportedMediaType, errors.New("send the line as application/json: {\"line\": \"...\"}"))
		return
	}
	http.NewResponseController(w).SetReadDeadline(time.Now().Add(10 * time.Second))
	var req lineRequest
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxLineBody))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil {
		writeError(w, http.StatusBadRequest, fmt.Errorf("the body is not {\"line\": \"...\"}: %w", err))
		return
	}
	if err := checkLine(req.Line); err != nil {
		writeError(w, http.StatusBadRequest, err)
		return
	}
	if !s.hub.limit.AllowN(s.hub.now(), 1) {
		writeError(w, http.StatusTooManyRequests, fmt.Errorf("at most %g lines a second: wait a moment", float64(s.hub.limit.Limit())))
		return
	}
	n, err := s.hub.play(req.Line)
	if err != nil {
		s.logger().Warn("live line", "err", err)
		writeError(w, http.StatusServiceUnavailable, err)
		return
	}
	writeJSON(w, http.StatusAccepted, map[string]int{"conversation": n})
}

// checkLine accepts a line of at most MaxLine bytes of UTF-8 text without
// control characters (a tab is allowed): what the client sends is the
// line and a newline, one conversation, shown byte for byte in the page.
func checkLine(line string) error {
	switch {
	case line == "":
		return errors.New("the line is empty")
	case len(line) > MaxLine:
		return fmt.Errorf("the line has %d bytes; at most %d", len(line), MaxLine)
	case !utf8.ValidString(line):
		return errors.New("the line is not UTF-8")
	}
	if i := strings.IndexFunc(line, func(r rune) bool { return r != '\t' && unicode.IsControl(r) }); i >= 0 {
		return fmt.Errorf("the line has a control character (%U) at byte %d", []rune(line[i:])[0], i)
	}
	return nil
}
