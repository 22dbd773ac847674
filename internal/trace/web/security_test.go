package web

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/upcase/upcase/internal/lang"
	"github.com/upcase/upcase/internal/trace/demo"
)

// newTestServer is a Server whose demo answers at once, with Handler for
// bound, shut down when the test ends.
func newTestServer(t *testing.T, bound string, s *Server) http.Handler {
	t.Helper()
	if s.Demo == nil {
		s.Demo = func(_ context.Context, sc demo.Scenario, l lang.Lang) ([]byte, error) {
			return []byte(`{"scenario":"` + string(sc) + `","lang":"` + l.String() + `"}`), nil
		}
	}
	h := s.Handler(bound)
	t.Cleanup(func() {
		if err := s.Shutdown(context.Background()); err != nil {
			t.Error(err)
		}
	})
	return h
}

// TestHost: a request whose Host header does not name the served address
// is refused (DNS rebinding), whatever its path.
func TestHost(t *testing.T) {
	for _, tt := range []struct {
		bound, name, host string
		ok                bool
	}{
		{"127.0.0.1:8099", "", "127.0.0.1:8099", true},
		{"127.0.0.1:8099", "", "localhost:8099", true},
		{"127.0.0.1:8099", "", "LOCALHOST:8099", true},
		{"127.0.0.1:8099", "", "127.0.0.1:8098", false},    // another port
		{"127.0.0.1:8099", "", "127.0.0.2:8099", false},    // another address
		{"127.0.0.1:8099", "", "evil.example:8099", false}, // a rebound name
		{"127.0.0.1:8099", "", "evil.example", false},
		{"127.0.0.1:8099", "", "127.0.0.1", false}, // port 80
		{"127.0.0.1:8099", "", "", false},
		{"127.0.0.1:80", "", "127.0.0.1", true}, // the browser leaves out :80
		{"[::1]:8099", "", "[::1]:8099", true},
		{"[::1]:8099", "", "localhost:8099", true},
		{"[::1]:8099", "", "127.0.0.1:8099", false},
		{"[fe80::1%lo]:8099", "", "[fe80::1%25lo]:8099", false},
		{"192.168.1.5:8099", "", "192.168.1.5:8099", true},
		{"192.168.1.5:8099", "", "localhost:8099", false}, // not a loopback bind
		{"192.168.1.5:8099", "classroom.lan", "classroom.lan:8099", true},
		{"192.168.1.5:8099", "classroom.lan", "evil.example:8099", false},
		{"0.0.0.0:8099", "", "192.168.1.5:8099", true}, // any address literal
		{"0.0.0.0:8099", "", "[2001:db8::1]:8099", true},
		{"0.0.0.0:8099", "", "localhost:8099", true},
		{"0.0.0.0:8099", "", "evil.example:8099", false},
		{"[::]:8099", "", "10.0.0.1:8099", true},
		{"[::]:8099", "", "10.0.0.1:8098", false},
	} {
		t.Run(tt.bound+" "+tt.host, func(t *testing.T) {
			h := newTestServer(t, tt.bound, &Server{Name: tt.name})
			for _, path := range []string{"/", "/api/scenarios", "/nowhere"} {
				r := httptest.NewRequest("GET", path, nil)
				r.Host = tt.host
				w := httptest.NewRecorder()
				h.ServeHTTP(w, r)
				if refused := w.Code == http.StatusMisdirectedRequest; refused == tt.ok {
					t.Errorf("GET %s with Host %q: %d; want refused %v", path, tt.host, w.Code, !tt.ok)
				}
			}
		})
	}
}

// TestLinePost: a live line is taken only from the page itself (no other
// Origin, no cross-site fetch), as JSON, and only if it is a short line of
// text.
func TestLinePost(t *testing.T) {
	const bound = "127.0.0.1:8099"
	for _, tt := range []struct {
		name   string
		header map[string]string
		body   string
		want   int
	}{
		{"same origin", map[string]string{"Origin": "http://127.0.0.1:8099", "Sec-Fetch-Site": "same-origin"}, `{"line":"hello"}`, http.StatusAccepted},
		{"no origin (curl)", nil, `{"line":"hello"}`, http.StatusAccepted},
		{"other origin", map[string]string{"Origin": "http://evil.example"}, `{"line":"hello"}`, http.StatusForbidden},
		{"other port", map[string]string{"Origin": "http://127.0.0.1:8098"}, `{"line":"hello"}`, http.StatusForbidden},
		{"https origin", map[string]string{"Origin": "https://127.0.0.1:8099"}, `{"line":"hello"}`, http.StatusForbidden},
		{"null origin", map[string]string{"Origin": "null"}, `{"line":"hello"}`, http.StatusForbidden},
		{"cross-site fetch", map[string]string{"Sec-Fetch-Site": "cross-site"}, `{"line":"hello"}`, http.StatusForbidden},
		{"same-site fetch", map[string]string{"Sec-Fetch-Site": "same-site"}, `{"line":"hello"}`, http.StatusForbidden},
		{"form", map[string]string{"Content-Type": "application/x-www-form-urlencoded"}, `line=hello`, http.StatusUnsupportedMediaType},
		{"text", map[string]string{"Content-Type": "text/plain"}, `{"line":"hello"}`, http.StatusUnsupportedMediaType},
		{"json with charset", map[string]string{"Content-Type": "application/json; charset=utf-8"}, `{"line":"hello"}`, http.StatusAccepted},
		{"tab", nil, `{"line":"a\tb"}`, http.StatusAccepted},
		{"chinese", nil, `{"line":"你好"}`, http.StatusAccepted},
		{"256 bytes", nil, `{"line":"` + strings.Repeat("x", MaxLine) + `"}`, http.StatusAccepted},
		{"257 bytes", nil, `{"line":"` + strings.Repeat("x", MaxLine+1) + `"}`, http.StatusBadRequest},
		{"huge body", nil, `{"line":"` + strings.Repeat("x", 1<<20) + `"}`, http.StatusBadRequest},
		{"empty", nil, `{"line":""}`, http.StatusBadRequest},
		{"newline", nil, `{"line":"a\nb"}`, http.StatusBadRequest},
		{"escape", nil, `{"line":"\u001b[31m"}`, http.StatusBadRequest},
		{"delete", nil, `{"line":"a\u007f"}`, http.StatusBadRequest},
		{"C1 control", nil, `{"line":"a\u0085"}`, http.StatusBadRequest},
		{"not UTF-8", nil, "{\"line\":\"a\xff\"}", http.StatusAccepted}, // JSON reads it as U+FFFD
		{"other fields", nil, `{"line":"a","x":1}`, http.StatusBadRequest},
		{"not JSON", nil, `hello`, http.StatusBadRequest},
	} {
		t.Run(tt.name, func(t *testing.T) {
			live := newFakeLive()
			h := newTestServer(t, bound, &Server{Live: live.start, LineRate: 1000, LineBurst: 1000})
			r := httptest.NewRequest("POST", "/api/live", strings.NewReader(tt.body))
			r.Host = bound
			r.Header.Set("Content-Type", "application/json")
			for k, v := range tt.header {
				r.Header.Set(k, v)
			}
			w := httptest.NewRecorder()
			h.ServeHTTP(w, r)
			if w.Code != tt.want {
				t.Fatalf("POST %s: %d %s; want %d", tt.body[:min(len(tt.body), 40)], w.Code, w.Body, tt.want)
			}
			if got := len(live.played()); (w.Code == http.StatusAccepted) != (got == 1) {
				t.Errorf("%d lines played; want one only when accepted", got)
			}
		})
	}
}

// TestRate: lines beyond the burst are refused with 429 until the bucket
// fills again, from all browsers together.
func TestRate(t *testing.T) {
	const bound = "127.0.0.1:8099"
	live := newFakeLive()
	s := &Server{Live: live.start, LineRate: 2, LineBurst: 3}
	h := newTestServer(t, bound, s)
	now := s.hub.now()
	s.hub.now = func() time.Time { return now }
	post := func() int {
		r := httptest.NewRequest("POST", "/api/live", strings.NewReader(`{"line":"hi"}`))
		r.Host = bound
		r.Header.Set("Content-Type", "application/json")
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		return w.Code
	}
	for i, want := range []int{202, 202, 202, 429, 429} {
		if got := post(); got != want {
			t.Errorf("line %d at once: %d; want %d", i+1, got, want)
		}
	}
	now = now.Add(time.Second) // two more tokens
	for i, want := range []int{202, 202, 429} {
		if got := post(); got != want {
			t.Errorf("line %d a second later: %d; want %d", i+1, got, want)
		}
	}
	if got := len(live.played()); got != 5 {
		t.Errorf("%d lines played; want the 5 accepted", got)
	}
}

// TestRoutes: each path's status, type and security headers; nothing but
// the page's own files is served.
func TestRoutes(t *testing.T) {
	const bound = "127.0.0.1:8099"
	for _, tt := range []struct {
		method, path string
		header       map[string]string
		code         int
		ctype        string
		body         string // a part of it
	}{
		{"GET", "/", nil, 200, "text/html; charset=utf-8", `<html lang="en"`},
		{"GET", "/?lang=zh", nil, 200, "text/html; charset=utf-8", `<html lang="zh"`},
		{"GET", "/?lang=zh-CN&scenario=gateway", nil, 200, "text/html; charset=utf-8", `<html lang="zh"`},
		{"GET", "/", map[string]string{"Accept-Language": "zh-CN,zh;q=0.9,en;q=0.8"}, 200, "text/html; charset=utf-8", `<html lang="zh"`},
		{"GET", "/", map[string]string{"Accept-Language": "zh-TW"}, 200, "text/html; charset=utf-8", `<html lang="zh"`},
		{"GET", "/", map[string]string{"Accept-Language": "en-US,zh;q=0.5"}, 200, "text/html; charset=utf-8", `<html lang="en"`},
		{"GET", "/", map[string]string{"Accept-Language": "fr"}, 200, "text/html; charset=utf-8", `<html lang="en"`},
		{"GET", "/?lang=fr", map[string]string{"Accept-Language": "zh"}, 200, "text/html; charset=utf-8", `<html lang="zh"`},
		{"GET", "/static/index.html", nil, 200, "text/html; charset=utf-8", `<html`},
		{"GET", "/static/", nil, 404, "", ""},
		{"GET", "/static", nil, 307, "", ""},           // the mux's redirect to /static/, a 404
		{"GET", "/static/../go.mod", nil, 307, "", ""}, // the mux's redirect to /go.mod, a 404
		{"GET", "/static/nothing.js", nil, 404, "", ""},
		{"GET", "/index.html", nil, 404, "", ""},
		{"GET", "/etc/passwd", nil, 404, "", ""},
		{"GET", "/api/", nil, 404, "", ""},
		{"POST", "/", nil, 405, "", ""},
		{"POST", "/api/trace", nil, 405, "", ""},
		{"GET", "/api/live", nil, 405, "", ""},
		{"GET", "/api/trace", nil, 200, "application/json", `"scenario":"normal","lang":"en"`},
		{"GET", "/api/trace?scenario=gateway&lang=zh", nil, 200, "application/json", `"scenario":"gateway","lang":"zh"`},
		{"GET", "/api/trace?scenario=lan", map[string]string{"Accept-Language": "zh"}, 200, "application/json", `"lang":"zh"`},
		{"GET", "/api/trace?scenario=nope", nil, 400, "application/json", `"error":"unknown scenario \"nope\""`},
		{"GET", "/api/trace?lang=fr", nil, 400, "application/json", `"error":"lang: `},
		{"GET", "/api/scenarios", nil, 200, "application/json", `{"name":"normal","title":"Normal"`},
		{"GET", "/api/scenarios?lang=zh", nil, 200, "application/json", `"title":"经过网关"`},
		{"GET", "/api/live/events?lang=xx", nil, 400, "application/json", `"error"`},
	} {
		t.Run(tt.method+" "+tt.path, func(t *testing.T) {
			h := newTestServer(t, bound, &Server{})
			r := httptest.NewRequest(tt.method, tt.path, nil)
			r.Host = bound
			for k, v := range tt.header {
				r.Header.Set(k, v)
			}
			w := httptest.NewRecorder()
			h.ServeHTTP(w, r)
			if w.Code != tt.code {
				t.Fatalf("%d %q; want %d", w.Code, w.Body, tt.code)
			}
			if tt.ctype != "" && w.Header().Get("Content-Type") != tt.ctype {
				t.Errorf("Content-Type %q; want %q", w.Header().Get("Content-Type"), tt.ctype)
			}
			if !strings.Contains(w.Body.String(), tt.body) {
				t.Errorf("body %q; want it to hold %q", w.Body, tt.body)
			}
			for k, v := range map[string]string{
				"Content-Security-Policy": contentSecurityPolicy,
				"X-Content-Type-Options":  "nosniff",
				"Referrer-Policy":         "no-referrer",
			} {
				if got := w.Header().Get(k); got != v {
					t.Errorf("%s: %q; want %q", k, got, v)
				}
			}
		})
	}
	if !strings.HasPrefix(contentSecurityPolicy, "default-src 'self';") {
		t.Errorf("the CSP %q does not start with default-src 'self'", contentSecurityPolicy)
	}
}

// TestDemoError: a demo that fails is a 500 with the reason, as JSON.
func TestDemoError(t *testing.T) {
	const bound = "127.0.0.1:8099"
	h := newTestServer(t, bound, &Server{
		Demo: func(context.Context, demo.Scenario, lang.Lang) ([]byte, error) {
			return nil, errors.New("no namespaces")
		},
		Logger: slog.New(slog.DiscardHandler),
	})
	r := httptest.NewRequest("GET", "/api/trace?scenario=udp", nil)
	r.Host = bound
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	var body struct{ Error string }
	if err := json.Unmarshal(w.Body.Bytes(), &body); err != nil || w.Code != 500 || !strings.Contains(body.Error, "no namespaces") {
		t.Errorf("%d %q (%v); want 500 with the demo's error", w.Code, w.Body, err)
	}
}

// TestScenarioTexts: every scenario has a title and a description in both
// languages.
func TestScenarioTexts(t *testing.T) {
	for _, sc := range demo.Scenarios {
		if _, ok := scenarioTexts[sc]; !ok {
			t.Errorf("scenario %s has no text", sc)
		}
	}
	for _, msg := range lang.Complete(scenarioTexts) {
		t.Error(msg)
	}
}

func discard() *slog.Logger { return slog.New(slog.DiscardHandler) }
