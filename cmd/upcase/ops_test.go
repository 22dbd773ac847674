package main

import (
	"io"
	"net"
	"net/http"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

// get fetches an HTTP URL on loopback and returns the status and body.
func get(t *testing.T, url string) (int, string) {
	t.Helper()
	c := http.Client{Timeout: 10 * time.Second}
	resp, err := c.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// TestMetricsAndReadiness: the metrics endpoint of a real server process
// parses as Prometheus text and counts a conversation; /readyz turns 503 as
// soon as a drain starts, while /healthz stays 200.
func TestMetricsAndReadiness(t *testing.T) {
	p, addr := startServe(t, "--metrics=127.0.0.1:0", "--drain=1m")
	maddr := p.waitRecord(t, metricsEndpoint).str("addr")
	base := "http://" + maddr

	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	// Two round trips: the second reply shows the server has counted the
	// first one as sent (it counts a reply just after writing it).
	for range 2 {
		c.Write([]byte("count me"))
		io.ReadFull(c, make([]byte, 8))
	}

	code, body := get(t, base+"/metrics")
	if code != 200 {
		t.Fatalf("/metrics: %d", code)
	}
	parser := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := parser.TextToMetricFamilies(strings.NewReader(body))
	if err != nil {
		t.Fatalf("/metrics is not valid Prometheus text: %v", err)
	}
	for name, want := range map[string]float64{
		"upcase_connections_accepted_total": 1,
		"upcase_connections_active":         1,
		"upcase_received_bytes_total":       16,
	} {
		f, ok := fams[name]
		if !ok {
			t.Errorf("no %s", name)
			continue
		}
		m := f.GetMetric()[0]
		got := m.GetCounter().GetValue() + m.GetGauge().GetValue()
		if got != want {
			t.Errorf("%s = %v; want %v", name, got, want)
		}
	}
	if f, ok := fams["upcase_sent_bytes_total"]; !ok || f.GetMetric()[0].GetCounter().GetValue() < 8 {
		t.Errorf("upcase_sent_bytes_total is missing or below the 8 bytes of the first reply")
	}
	for _, name := range []string{"upcase_connections_closed_total", "upcase_connections_rejected_total",
		"upcase_connection_duration_seconds", "upcase_build_info", "go_goroutines", "process_resident_memory_bytes"} {
		if _, ok := fams[name]; !ok {
			t.Errorf("no %s", name)
		}
	}
	if code, _ := get(t, base+"/readyz"); code != 200 {
		t.Errorf("/readyz = %d before the drain; want 200", code)
	}

	p.signal(t, syscall.SIGTERM)
	p.waitUntil(t, "/readyz unready while draining", func() bool { code, _ := get(t, base+"/readyz"); return code == 503 })
	if code, _ := get(t, base+"/healthz"); code != 200 {
		t.Errorf("/healthz = %d while draining; want 200", code)
	}
	c.Close()
	if code := p.wait(t); code != 0 {
		t.Errorf("exit %d; want 0", code)
	}
	if slices.ContainsFunc(p.records(), func(r record) bool { return r.str("level") == "ERROR" }) {
		t.Errorf("probes were logged as errors:\n%s", p.output.String())
	}
}

// servedBy reports whether a connection from src gets its reply from addr
// (a server, or a load balancer in front of some).
func servedBy(t *testing.T, src, addr string) bool {
	t.Helper()
	d := net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(src)}, Timeout: 10 * time.Second}
	c, err := d.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(10 * time.Second)) // fail, not hang
	c.Write([]byte("ping"))
	buf := make([]byte, 4)
	_, err = io.ReadFull(c, buf)
	return err == nil && string(buf) == "PING"
}

// TestLimitsThroughTheBinary: --max-conns, --allow and --deny, set by flag
// and by environment variable.
func TestLimitsThroughTheBinary(t *testing.T) {
	t.Run("max-conns", func(t *testing.T) {
		p, addr := startServe(t, "--max-conns=1", "--log-format=json") // no -v: refusals are reported all the same
		hold, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		defer hold.Close()
		hold.Write([]byte("x"))
		io.ReadFull(hold, make([]byte, 1))
		if servedBy(t, "127.0.0.1", addr) {
			t.Error("a second connection was served with --max-conns=1")
		}
		r := p.waitRecord(t, func(r record) bool { return r.str("reason") == "max_conns" })
		if r.str("level") != "WARN" || r.str("flag") != "--max-conns" || r.str("limit") != "1" || r.str("count") != "1" || r.host("last_peer") != "127.0.0.1" {
			t.Errorf("the refusal was reported as %v; want a warning naming --max-conns, its limit, the count and the client", r)
		}
	})
	t.Run("allow and deny", func(t *testing.T) {
		_, addr := startServe(t, "--allow=127.0.0.0/29", "--deny=127.0.0.2")
		for src, want := range map[string]bool{"127.0.0.1": true, "127.0.0.2": false, "127.0.0.9": false} {
			if got := servedBy(t, src, addr); got != want {
				t.Errorf("from %s: served = %v; want %v", src, got, want)
			}
		}
	})
	t.Run("from the environment", func(t *testing.T) {
		t.Setenv("UPCASE_DENY", "127.0.0.0/8") // inherited by the server process
		_, addr := startServe(t)
		if servedBy(t, "127.0.0.1", addr) {
			t.Error("UPCASE_DENY=127.0.0.0/8 did not deny 127.0.0.1")
		}
	})
}
