package web

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/upcase/upcase/internal/lang"
	"github.com/upcase/upcase/internal/trace/tracejson"
)

// pingEvery is how often an idle event stream gets a comment, so that
// nothing between the page and the server takes it for dead.
const pingEvery = 15 * time.Second

// writeTimeout bounds each write to an event stream: a browser that stops
// reading loses its stream instead of holding it.
const writeTimeout = 10 * time.Second

// subscriberQueue is how many events may wait for a stream; a stream
// further behind is closed (an EventSource reconnects, and the page shows
// the conversations that come after).
const subscriberQueue = 256

// subscriber is one open event stream, in its language.
type subscriber struct {
	lang   lang.Lang
	events chan LiveEvent // closed by the hub when the stream must end
}

// subscribe adds an event stream, unless there are too many or the hub is
// closed.
func (h *hub) subscribe(l lang.Lang) (*subscriber, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	switch {
	case h.closed || h.start == nil:
		return nil, errNoLive
	case len(h.subs) >= h.max:
		return nil, fmt.Errorf("%d live pages are open already, the most this server serves", h.max)
	}
	sub := &subscriber{lang: l, events: make(chan LiveEvent, subscriberQueue)}
	h.subs[sub] = struct{}{}
	return sub, nil
}

// unsubscribe removes an event stream whose page went away.
func (h *hub) unsubscribe(sub *subscriber) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if _, ok := h.subs[sub]; ok {
		delete(h.subs, sub)
		close(sub.events)
	}
}

// broadcast queues ev for every stream, dropping a stream that is too far
// behind.
func (h *hub) broadcast(ev LiveEvent) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for sub := range h.subs {
		select {
		case sub.events <- ev:
		default:
			delete(h.subs, sub)
			close(sub.events)
		}
	}
}

// serveEvents streams live mode's events as server-sent events until the
// page goes away or the server shuts down.
func (s *Server) serveEvents(w http.ResponseWriter, r *http.Request) {
	l, err := requestLang(r)
	if err != nil {
		writeError(w, http.StatusBadRequest, err)
		return
	}
	sub, err := s.hub.subscribe(l)
	if err != nil {
		writeError(w, http.StatusServiceUnavailable, err)
		return
	}
	defer s.hub.unsubscribe(sub)
	rc := http.NewResponseController(w)
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
	send := func(write func(io.Writer) error) bool {
		rc.SetWriteDeadline(time.Now().Add(writeTimeout))
		return write(w) == nil && rc.Flush() == nil
	}
	if !send(func(w io.Writer) error { _, err := io.WriteString(w, ": live\n\n"); return err }) {
		return
	}
	ping := time.NewTicker(pingEvery)
	defer ping.Stop()
	for {
		select {
		case ev, ok := <-sub.events:
			if !ok {
				return
			}
			if !send(func(w io.Writer) error { return writeEvent(w, ev, sub.lang) }) {
				return
			}
		case <-ping.C:
			if !send(func(w io.Writer) error { _, err := io.WriteString(w, ": ping\n\n"); return err }) {
				return
			}
		case <-s.quit:
			return
		case <-r.Context().Done():
			return
		}
	}
}

// stepEvent is the data of a step event: the step as live mode's JSON
// Lines have it (a tracejson.Record), and its conversation's number.
type stepEvent struct {
	Conversation int `json:"conversation"`
	tracejson.Record
}

// writeEvent writes ev as server-sent events in language l: a step, a
// reply or an error. JSON has no raw newline, so each is one data line.
func writeEvent(w io.Writer, ev LiveEvent, l lang.Lang) error {
	var (
		name string
		data any
	)
	switch {
	case ev.Error != "":
		e := map[string]any{"error": ev.Error}
		if ev.Conversation != 0 {
			e["conversation"] = ev.Conversation
		}
		name, data = "error", e
	case ev.Reply != nil:
		name, data = "reply", map[string]any{"conversation": ev.Conversation, "reply": *ev.Reply}
	case len(ev.Steps) > 0:
		rec := ev.Steps[0]
		for _, r := range ev.Steps {
			if r.Lang == l {
				rec = r
			}
		}
		name, data = "step", stepEvent{Conversation: ev.Conversation, Record: rec}
	default:
		return nil
	}
	b, err := json.Marshal(data)
	if err != nil {
		return fmt.Errorf("encode a %s event: %w", name, err)
	}
	_, err = fmt.Fprintf(w, "event: %s\ndata: %s\n\n", name, b)
	return err
}
