// Package metrics exposes the server's counters to Prometheus, with the health
// endpoints a load balancer or Kubernetes probes: /metrics, /healthz and
// /readyz.
//
// Names follow Prometheus conventions: the upcase_ prefix, _total for
// counters, base units (bytes, seconds). Labels are a close, reject or drop
// reason, and for upcase_connections_active_by_source the addresses of the 20
// sources holding the most connections: the number of series stays bounded
// whatever clients do.
package metrics

import (
	"net/http"
	"runtime"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/upcase/upcase/internal/server"
)

// Metrics counts what a server does. It implements server.Observer; its
// methods are safe for concurrent use.
type Metrics struct {
	reg      *prometheus.Registry
	accepted prometheus.Counter
	active   prometheus.Gauge
	closed   *prometheus.CounterVec
	rejected *prometheus.CounterVec
	received prometheus.Counter
	sent     prometheus.Counter
	duration prometheus.Histogram
	dropped  *prometheus.CounterVec
	sources  sources
	ready    atomic.Bool
}

var _ server.Observer = (*Metrics)(nil)

// New returns Metrics registered in a registry of their own, with the Go
// runtime and process collectors and upcase_build_info{version,goversion}.
// It starts ready.
func New(version string) *Metrics {
	m := &Metrics{
		reg: prometheus.NewRegistry(),
		accepted: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "upcase_connections_accepted_total",
			Help: "Connections accepted and served.",
		}),
		active: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "upcase_connections_active",
			Help: "Connections being served now.",
		}),
		closed: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "upcase_connections_closed_total",
			Help: "Served connections that ended, by reason: fin, rst, idle, drain, limit, handshake, panic, proxy_header, error.",
		}, []string{"reason"}),
		rejected: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "upcase_connections_rejected_total",
			Help: "Connections closed at once without being served, by reason: max_conns, max_conns_per_ip, denied, proxy_header, proxy_untrusted.",
		}, []string{"reason"}),
		received: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "upcase_received_bytes_total",
			Help: "Bytes received from clients (application bytes: after TLS decryption).",
		}),
		sent: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "upcase_sent_bytes_total",
			Help: "Bytes sent to clients (application bytes: before TLS encryption).",
		}),
		dropped: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "upcase_datagrams_dropped_total",
			Help: "UDP datagrams not answered, by reason: rate, port, truncated, longer, denied, panic.",
		}, []string{"reason"}),
		duration: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "upcase_connection_duration_seconds",
			Help:    "How long served connections lasted.",
			Buckets: prometheus.ExponentialBuckets(0.001, 4, 12), // 1 ms to about 70 min
		}),
	}
	buildInfo := prometheus.NewGauge(prometheus.GaugeOpts{
		Name:        "upcase_build_info",
		Help:        "A constant 1, labelled with the version of upcase and of Go that built it.",
		ConstLabels: prometheus.Labels{"version": version, "goversion": runtime.Version()},
	})
	buildInfo.Set(1)
	// Every reason appears from the start, at zero, so a rate() over a
	// reason that has not happened yet is 0 rather than missing.
	for _, r := range server.CloseReasons {
		m.closed.WithLabelValues(string(r))
	}
	for _, r := range server.RejectReasons {
		m.rejected.WithLabelValues(string(r))
	}
	for _, r := range []server.DropReason{server.DropRate, server.DropPort, server.DropTruncated, server.DropLonger, server.DropDenied, server.DropPanic} {
		m.dropped.WithLabelValues(string(r))
	}
	m.reg.MustRegister(m.accepted, m.active, m.closed, m.rejected, m.received, m.sent, m.duration, m.dropped, buildInfo, &m.sources,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	m.ready.Store(true)
	return m
}

// Accepted implements server.Observer.
func (m *Metrics) Accepted() {
	m.accepted.Inc()
	m.active.Inc()
}

// Rejected implements server.Observer.
func (m *Metrics) Rejected(r server.RejectReason) { m.rejected.WithLabelValues(string(r)).Inc() }

// Received implements server.Observer.
func (m *Metrics) Received(n int) { m.received.Add(float64(n)) }

// Sent implements server.Observer.
func (m *Metrics) Sent(n int) { m.sent.Add(float64(n)) }

// Closed implements server.Observer.
func (m *Metrics) Closed(r server.CloseReason, d time.Duration) {
	m.active.Dec()
	m.closed.WithLabelValues(string(r)).Inc()
	m.duration.Observe(d.Seconds())
}

// Dropped implements server.Observer.
func (m *Metrics) Dropped(r server.DropReason) { m.dropped.WithLabelValues(string(r)).Inc() }

// SetReady sets what /readyz answers. Call SetReady(false) as soon as a drain
// starts, so that a load balancer stops sending new clients before the open
// connections are closed.
func (m *Metrics) SetReady(ready bool) { m.ready.Store(ready) }

// Handler serves /metrics (Prometheus text), /healthz (200 while the process
// runs) and /readyz (200 while ready, 503 once draining).
func (m *Metrics) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{}))
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte("ok\n"))
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		if !m.ready.Load() {
			http.Error(w, "draining", http.StatusServiceUnavailable)
			return
		}
		w.Write([]byte("ready\n"))
	})
	return mux
}
