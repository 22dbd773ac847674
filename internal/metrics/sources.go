package metrics

import (
	"sync/atomic"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/upcase/upcase/internal/server"
)

// TopSources is how many sources upcase_connections_active_by_source shows:
// enough to see who holds a server, few enough that clients cannot make the
// series grow without bound.
const TopSources = 20

var sourcesDesc = prometheus.NewDesc("upcase_connections_active_by_source",
	"Open connections of the sources holding the most (at most 20 series): an IPv4 address or IPv6 /64; behind a load balancer speaking the PROXY protocol, the real client.",
	[]string{"source"}, nil)

// sources is a collector that asks the server, at each scrape, for its top
// sources.
type sources struct {
	list atomic.Pointer[func(n int) []server.SourceCount]
}

func (c *sources) Describe(ch chan<- *prometheus.Desc) { ch <- sourcesDesc }

func (c *sources) Collect(ch chan<- prometheus.Metric) {
	list := c.list.Load()
	if list == nil {
		return
	}
	for _, s := range (*list)(TopSources) {
		ch <- prometheus.MustNewConstMetric(sourcesDesc, prometheus.GaugeValue, float64(s.Open), s.Source)
	}
}

// WatchSources has /metrics show the open connections of list's top
// sources; pass (*server.Server).Sources.
func (m *Metrics) WatchSources(list func(n int) []server.SourceCount) {
	m.sources.list.Store(&list)
}
