package metrics

import (
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
	"go.uber.org/goleak"

	"github.com/upcase/upcase/internal/server"
	"github.com/upcase/upcase/internal/server/servertest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// scrape fetches /metrics and parses it with Prometheus's own text parser.
func scrape(t *testing.T, h http.Handler) map[string]*dto.MetricFamily {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	if rec.Code != 200 {
		t.Fatalf("/metrics: %d", rec.Code)
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(strings.NewReader(rec.Body.String()))
	if err != nil {
		t.Fatalf("/metrics is not valid Prometheus text: %v\n%s", err, rec.Body.String())
	}
	return fams
}

// value returns the value of the series of name whose labels include want.
func value(t *testing.T, fams map[string]*dto.MetricFamily, name string, want map[string]string) float64 {
	t.Helper()
	f, ok := fams[name]
	if !ok {
		t.Fatalf("no metric %s", name)
	}
	for _, m := range f.GetMetric() {
		match := true
		for k, v := range want {
			found := false
			for _, l := range m.GetLabel() {
				if l.GetName() == k && l.GetValue() == v {
					found = true
				}
			}
			match = match && found
		}
		if !match {
			continue
		}
		switch {
		case m.Counter != nil:
			return m.Counter.GetValue()
		case m.Gauge != nil:
			return m.Gauge.GetValue()
		case m.Histogram != nil:
			return float64(m.Histogram.GetSampleCount())
		}
	}
	t.Fatalf("no series %s%v", name, want)
	return 0
}

// closeSignal passes events to Metrics and tells the test when a connection
// has been counted as closed.
type closeSignal struct {
	*Metrics
	closed chan struct{}
}

func (o closeSignal) Closed(r server.CloseReason, d time.Duration) {
	o.Metrics.Closed(r, d)
	o.closed <- struct{}{}
}

// TestCountsRealTraffic serves real connections and checks what /metrics says.
func TestCountsRealTraffic(t *testing.T) {
	m := New("test")
	obs := closeSignal{m, make(chan struct{}, 1)}
	addr := servertest.Start(t, &server.Server{Observer: obs, MaxConns: 1})
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	c.Write([]byte("hello"))
	io.ReadFull(c, make([]byte, 5))

	// A second connection is rejected: MaxConns is 1.
	c2, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	c2.Read(make([]byte, 1)) // returns when the server has closed it
	c2.Close()

	fams := scrape(t, m.Handler())
	checks := []struct {
		name   string
		labels map[string]string
		want   float64
	}{
		{"upcase_connections_accepted_total", nil, 1},
		{"upcase_connections_active", nil, 1},
		{"upcase_received_bytes_total", nil, 5},
		{"upcase_connections_rejected_total", map[string]string{"reason": "max_conns"}, 1},
		{"upcase_connections_closed_total", map[string]string{"reason": "fin"}, 0},
		{"upcase_build_info", map[string]string{"version": "test"}, 1},
	}
	for _, ck := range checks {
		if got := value(t, fams, ck.name, ck.labels); got != ck.want {
			t.Errorf("%s%v = %v; want %v", ck.name, ck.labels, got, ck.want)
		}
	}
	if _, ok := fams["go_goroutines"]; !ok {
		t.Error("the Go runtime collector is missing")
	}

	c.(*net.TCPConn).CloseWrite()
	io.ReadAll(c) // the server's FIN
	c.Close()
	<-obs.closed
	fams = scrape(t, m.Handler())
	if got := value(t, fams, "upcase_sent_bytes_total", nil); got != 5 { // counted by now: the close came after
		t.Errorf("upcase_sent_bytes_total = %v; want 5", got)
	}
	if got := value(t, fams, "upcase_connections_closed_total", map[string]string{"reason": "fin"}); got != 1 {
		t.Errorf("upcase_connections_closed_total{reason=fin} = %v; want 1", got)
	}
	if got := value(t, fams, "upcase_connections_active", nil); got != 0 {
		t.Errorf("upcase_connections_active = %v after the close; want 0", got)
	}
	if got := value(t, fams, "upcase_connection_duration_seconds", nil); got != 1 {
		t.Errorf("upcase_connection_duration_seconds has %v samples; want 1", got)
	}
}

func TestHealthAndReadiness(t *testing.T) {
	m := New("test")
	h := m.Handler()
	get := func(path string) int {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("GET", path, nil))
		return rec.Code
	}
	if got := get("/healthz"); got != 200 {
		t.Errorf("/healthz = %d; want 200", got)
	}
	if got := get("/readyz"); got != 200 {
		t.Errorf("/readyz = %d; want 200 before a drain", got)
	}
	m.SetReady(false)
	if got := get("/readyz"); got != 503 {
		t.Errorf("/readyz = %d; want 503 once draining", got)
	}
	if got := get("/healthz"); got != 200 {
		t.Errorf("/healthz = %d while draining; want 200 (alive, just not ready)", got)
	}
}

// TestSourcesTopN: upcase_connections_active_by_source shows the sources the
// server reports, at most TopSources of them, and nothing before WatchSources.
func TestSourcesTopN(t *testing.T) {
	m := New("test")
	if fams := scrape(t, m.Handler()); fams["upcase_connections_active_by_source"] != nil {
		t.Fatal("by-source series before WatchSources")
	}
	var asked int
	m.WatchSources(func(n int) []server.SourceCount {
		asked = n
		return []server.SourceCount{{Source: "127.0.0.2", Open: 3}, {Source: "2001:db8::/64", Open: 1}}
	})
	fams := scrape(t, m.Handler())
	if asked != TopSources {
		t.Errorf("asked the server for %d sources; want %d", asked, TopSources)
	}
	if v := value(t, fams, "upcase_connections_active_by_source", map[string]string{"source": "127.0.0.2"}); v != 3 {
		t.Errorf("127.0.0.2 = %v; want 3", v)
	}
	if v := value(t, fams, "upcase_connections_active_by_source", map[string]string{"source": "2001:db8::/64"}); v != 1 {
		t.Errorf("2001:db8::/64 = %v; want 1", v)
	}
	if n := len(fams["upcase_connections_active_by_source"].GetMetric()); n != 2 {
		t.Errorf("%d series; want 2", n)
	}
}
