package web

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/upcase/upcase/internal/lang"
	"github.com/upcase/upcase/internal/trace/tracejson"
)

// fakeLive is a live demo that plays each line at once: a SYN and a FIN
// step (in both languages), then the reply, upper-cased.
type fakeLive struct {
	mu     sync.Mutex
	lines  []LiveLine
	starts int
}

func newFakeLive() *fakeLive { return &fakeLive{} }

func (f *fakeLive) start(context.Context) (LiveSession, error) {
	f.mu.Lock()
	f.starts++
	f.mu.Unlock()
	return &fakeSession{live: f, events: make(chan LiveEvent, 64)}, nil
}

func (f *fakeLive) played() []LiveLine {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]LiveLine(nil), f.lines...)
}

type fakeSession struct {
	live   *fakeLive
	events chan LiveEvent
	once   sync.Once
}

func (s *fakeSession) Play(n int, line string) error {
	s.live.mu.Lock()
	s.live.lines = append(s.live.lines, LiveLine{n, line})
	s.live.mu.Unlock()
	for i, flag := range []string{"SYN", "FIN"} {
		var recs []tracejson.Record
		for _, l := range []lang.Lang{lang.English, lang.Chinese} {
			recs = append(recs, tracejson.Record{Client: "127.0.0.1:40000", Server: "127.0.0.1:8080", Lang: l,
				Step: tracejson.Step{Index: i, Flags: []string{flag}, Explanation: fmt.Sprintf("%s in %s", flag, l)}})
		}
		s.events <- LiveEvent{Conversation: n, Steps: recs}
	}
	reply := strings.ToUpper(line)
	s.events <- LiveEvent{Conversation: n, Reply: &reply}
	return nil
}

func (s *fakeSession) Events() <-chan LiveEvent { return s.events }

func (s *fakeSession) Close() error {
	s.once.Do(func() { close(s.events) })
	return nil
}

// end makes the session end on its own, as a live demo that died.
func (s *fakeSession) end() { s.Close() }

// serve runs s on a loopback port until the test ends, and returns its
// base URL.
func serve(t *testing.T, s *Server) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	served := make(chan error, 1)
	go func() { served <- s.Serve(ln) }()
	t.Cleanup(func() {
		if err := s.Shutdown(context.Background()); err != nil {
			t.Error(err)
		}
		if err := <-served; err != ErrServerClosed {
			t.Errorf("Serve: %v; want ErrServerClosed", err)
		}
	})
	return "http://" + ln.Addr().String()
}

// event is one server-sent event.
type event struct {
	name string
	data map[string]any
}

// stream is an open event stream.
type stream struct {
	resp *http.Response
	sc   *bufio.Scanner
}

// openEvents opens /api/live/events in language l and reads its first
// comment, so that the stream is registered when it returns.
func openEvents(t *testing.T, base, l string) *stream {
	t.Helper()
	resp, err := http.Get(base + "/api/live/events?lang=" + l)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "text/event-stream" {
		t.Fatalf("events: %s %s", resp.Status, resp.Header.Get("Content-Type"))
	}
	s := &stream{resp: resp, sc: bufio.NewScanner(resp.Body)}
	if !s.sc.Scan() || !strings.HasPrefix(s.sc.Text(), ":") {
		t.Fatalf("events: the stream does not start with a comment: %q %v", s.sc.Text(), s.sc.Err())
	}
	return s
}

// next reads the next event, skipping comments.
func (s *stream) next(t *testing.T) event {
	t.Helper()
	var ev event
	for s.sc.Scan() {
		line := s.sc.Text()
		switch {
		case line == "" && ev.name != "":
			return ev
		case strings.HasPrefix(line, ":"), line == "":
		case strings.HasPrefix(line, "event: "):
			ev.name = strings.TrimPrefix(line, "event: ")
		case strings.HasPrefix(line, "data: "):
			if err := json.Unmarshal([]byte(strings.TrimPrefix(line, "data: ")), &ev.data); err != nil {
				t.Fatalf("event %s: data %q: %v", ev.name, line, err)
			}
		default:
			t.Fatalf("not a server-sent event line: %q", line)
		}
	}
	t.Fatalf("the stream ended: %v", s.sc.Err())
	return ev
}

// postLine sends a live line and returns the status and the answer.
func postLine(t *testing.T, base, line string) (int, map[string]any) {
	t.Helper()
	body, _ := json.Marshal(map[string]string{"line": line})
	resp, err := http.Post(base+"/api/live", "application/json", strings.NewReader(string(body)))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var v map[string]any
	json.NewDecoder(resp.Body).Decode(&v)
	return resp.StatusCode, v
}

// TestEvents: every open stream gets each line's steps, in its own
// language and with the line's conversation number, then the reply.
func TestEvents(t *testing.T) {
	live := newFakeLive()
	base := serve(t, &Server{Live: live.start})
	en, zh := openEvents(t, base, "en"), openEvents(t, base, "zh")
	for n, line := range []string{"hello", "again"} {
		code, ans := postLine(t, base, line)
		if code != 202 || ans["conversation"] != float64(n+1) {
			t.Fatalf("POST %q: %d %v; want 202 and conversation %d", line, code, ans, n+1)
		}
		for _, st := range []struct {
			s    *stream
			lang string
		}{{en, "en"}, {zh, "zh"}} {
			for i, flag := range []string{"SYN", "FIN"} {
				ev := st.s.next(t)
				step, _ := ev.data["step"].(map[string]any)
				want := fmt.Sprintf("%s in %s", flag, st.lang)
				if ev.name != "step" || ev.data["conversation"] != float64(n+1) || ev.data["lang"] != st.lang ||
					ev.data["client"] != "127.0.0.1:40000" || step["index"] != float64(i) || step["explanation"] != want {
					t.Errorf("%s stream, line %d: %s %v; want step %d (%s) of conversation %d", st.lang, n+1, ev.name, ev.data, i, want, n+1)
				}
			}
			if ev := st.s.next(t); ev.name != "reply" || ev.data["reply"] != strings.ToUpper(line) || ev.data["conversation"] != float64(n+1) {
				t.Errorf("%s stream: %s %v; want the reply %q", st.lang, ev.name, ev.data, strings.ToUpper(line))
			}
		}
	}
	if live.starts != 1 {
		t.Errorf("%d live demos started; want one for all the lines", live.starts)
	}
}

// TestEventsRestart: a live demo that ends on its own is reported to the
// streams, and the next line starts another.
func TestEventsRestart(t *testing.T) {
	live := newFakeLive()
	var sessions []*fakeSession
	s := &Server{Live: func(ctx context.Context) (LiveSession, error) {
		ls, err := live.start(ctx)
		sessions = append(sessions, ls.(*fakeSession))
		return ls, err
	}, Logger: discard()}
	base := serve(t, s)
	st := openEvents(t, base, "en")
	postLine(t, base, "one")
	for range 3 {
		st.next(t)
	}
	sessions[0].end()
	if ev := st.next(t); ev.name != "error" || !strings.Contains(fmt.Sprint(ev.data["error"]), "ended") {
		t.Errorf("after the demo ended: %s %v; want an error event", ev.name, ev.data)
	}
	if code, ans := postLine(t, base, "two"); code != 202 || ans["conversation"] != float64(2) {
		t.Errorf("the line after: %d %v; want 202, conversation 2", code, ans)
	}
	if ev := st.next(t); ev.name != "step" {
		t.Errorf("the line after: %s %v; want its steps", ev.name, ev.data)
	}
	if len(sessions) != 2 {
		t.Errorf("%d live demos started; want 2", len(sessions))
	}
}

// TestEventsBound: streams beyond MaxSubscribers are refused, and a
// closed one frees its place.
func TestEventsBound(t *testing.T) {
	live := newFakeLive()
	base := serve(t, &Server{Live: live.start, MaxSubscribers: 2, LineRate: 1e6, LineBurst: 1e6}) // the lines below only make the server write
	openEvents(t, base, "en")
	second := openEvents(t, base, "en")
	resp, err := http.Get(base + "/api/live/events")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("a third stream: %s; want 503", resp.Status)
	}
	second.resp.Body.Close()
	// The server sees the stream gone when it next writes to it, or when
	// the connection's end reaches it: wait for its place, never for a time.
	for i := 0; ; i++ {
		resp, err := http.Get(base + "/api/live/events")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode == 200 {
			break
		}
		if i == 1000 {
			t.Fatalf("a stream after one closed: %s; want 200", resp.Status)
		}
		postLine(t, base, "x") // writes to every stream
	}
}

// TestNoLive: without a live demo, live mode answers 503.
func TestNoLive(t *testing.T) {
	base := serve(t, &Server{Logger: discard()})
	if code, _ := postLine(t, base, "hello"); code != http.StatusServiceUnavailable {
		t.Errorf("POST without live mode: %d; want 503", code)
	}
	resp, err := http.Get(base + "/api/live/events")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("events without live mode: %s; want 503", resp.Status)
	}
}

// TestShutdownFresh: Shutdown ends the event streams and closes at once a
// connection that has sent no request (a browser's preconnect), which
// net/http's Shutdown would otherwise wait 5 s for: a context of 3 s is
// enough.
func TestShutdownFresh(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &Server{Live: newFakeLive().start}
	served := make(chan error, 1)
	go func() { served <- s.Serve(ln) }()
	base := "http://" + ln.Addr().String()
	events := openEvents(t, base, "en")
	c, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	// Connections are accepted in turn: once another has been served, c
	// has been accepted, and is new.
	resp, err := http.Get(base + "/api/scenarios")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	if err := s.Shutdown(ctx); err != nil {
		t.Errorf("Shutdown: %v; want it done at once", err)
	}
	if err := <-served; err != ErrServerClosed {
		t.Errorf("Serve: %v", err)
	}
	if n, err := c.Read(make([]byte, 1)); err == nil {
		t.Errorf("the new connection read %d bytes; want it closed", n)
	}
	for events.sc.Scan() {
	}
	if err := events.sc.Err(); err != nil {
		t.Errorf("the event stream ended with %v; want its end", err)
	}
}
