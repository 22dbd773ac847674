package server

import (
	"cmp"
	"slices"
)

// SourceCount is how many connections one source has open. A source is what
// MaxConnsPerIP counts: an IPv4 address, or the /64 an IPv6 address is in;
// with the PROXY protocol, the client a header names.
type SourceCount struct {
	Source string // "192.0.2.7", or "2001:db8:1:2::/64"
	Open   int
}

// Sources returns the n sources with the most open connections, most first
// (ties by name), so that an operator can see who holds the server without a
// metric series per client.
func (s *Server) Sources(n int) []SourceCount {
	s.mu.Lock()
	all := make([]SourceCount, 0, len(s.perIP))
	for key, c := range s.perIP {
		name := key.String()
		if key.Is6() {
			name += "/64"
		}
		all = append(all, SourceCount{Source: name, Open: c.n})
	}
	s.mu.Unlock()
	slices.SortFunc(all, func(a, b SourceCount) int {
		return cmp.Or(cmp.Compare(b.Open, a.Open), cmp.Compare(a.Source, b.Source))
	})
	return all[:max(0, min(n, len(all)))]
}
