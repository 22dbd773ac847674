package web

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"

	"github.com/upcase/upcase/internal/lang"
	"github.com/upcase/upcase/internal/trace/demo"
)

// Handler is the page and its API, for a server bound to bound ("host:port",
// the listener's address), which Host headers must name. Serve uses it; a
// test may serve it itself, and then calls Shutdown when done.
func (s *Server) Handler(bound string) http.Handler {
	s.init()
	hc, err := newHostCheck(bound, s.Name)
	if err != nil {
		// A listener's own address always parses: a caller's mistake.
		panic(fmt.Sprintf("web: Handler(%q): %v", bound, err))
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", s.serveIndex)
	mux.HandleFunc("GET /static/{file...}", serveStatic)
	mux.HandleFunc("GET /api/scenarios", serveScenarios)
	mux.HandleFunc("GET /api/trace", s.serveTrace)
	mux.HandleFunc("POST /api/live", s.serveLine)
	mux.HandleFunc("GET /api/live/events", s.serveEvents)
	// Anything else: the mux's 404, or 405 with Allow for another method.
	return guard(hc, mux)
}

// serveTrace runs a scenario's demo and sends its document.
func (s *Server) serveTrace(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	sc := demo.ScenarioNormal
	if v := q.Get("scenario"); v != "" {
		sc = demo.Scenario(v)
	}
	if !slices.Contains(demo.Scenarios, sc) {
		writeError(w, http.StatusBadRequest, fmt.Errorf("unknown scenario %q", q.Get("scenario")))
		return
	}
	l, err := requestLang(r)
	if err != nil {
		writeError(w, http.StatusBadRequest, err)
		return
	}
	select {
	case s.demos <- struct{}{}:
		defer func() { <-s.demos }()
	case <-r.Context().Done():
		return
	}
	doc, err := s.Demo(r.Context(), sc, l)
	if err != nil {
		if r.Context().Err() == nil {
			s.logger().Warn("demo failed", "scenario", sc, "err", err)
		}
		writeError(w, http.StatusInternalServerError, fmt.Errorf("the %s demo failed: %w", sc, err))
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.Write(doc)
}

// writeJSON sends v as JSON with the status code.
func writeJSON(w http.ResponseWriter, code int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		code, b = http.StatusInternalServerError, []byte(`{"error":"encoding the answer failed"}`)
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(code)
	w.Write(append(b, '\n'))
}

// writeError sends {"error": "..."} with the status code.
func writeError(w http.ResponseWriter, code int, err error) {
	writeJSON(w, code, map[string]string{"error": err.Error()})
}

// requestLang is the language a request asks for: ?lang=, else its
// Accept-Language. A ?lang= that is neither en nor zh is an error.
func requestLang(r *http.Request) (lang.Lang, error) {
	if v := r.URL.Query().Get("lang"); v != "" {
		l, err := lang.Parse(v)
		if err != nil {
			return lang.English, fmt.Errorf("lang: %w", err)
		}
		return l, nil
	}
	return acceptLang(r.Header.Get("Accept-Language")), nil
}
