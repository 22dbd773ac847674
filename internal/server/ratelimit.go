package server

import (
	"net/netip"
	"time"
)

// DefaultUDPRate is the datagrams per second answered per source address when
// Server.UDPRate is zero.
const DefaultUDPRate = 1000

// maxRateSources bounds the rate limiter's memory: beyond it, sources idle
// for a second are forgotten, and if none is, new sources share one bucket.
const maxRateSources = 1 << 16

// rateLimiter is a token bucket per source address: each source may send
// rate datagrams per second, in bursts of up to rate. Time is a parameter, so
// the logic is tested without sleeping. Not safe for concurrent use.
type rateLimiter struct {
	rate     float64
	buckets  map[netip.Addr]*bucket
	forgotAt time.Time // the last sweep for idle sources: at most one a second
}

type bucket struct {
	tokens float64
	last   time.Time
}

func newRateLimiter(perSecond int) *rateLimiter {
	return &rateLimiter{rate: float64(perSecond), buckets: make(map[netip.Addr]*bucket)}
}

// allow reports whether a datagram from ip at now is within its rate, and
// takes a token if so.
func (l *rateLimiter) allow(ip netip.Addr, now time.Time) bool {
	b, ok := l.buckets[ip]
	if !ok {
		if len(l.buckets) >= maxRateSources && now.Sub(l.forgotAt) >= time.Second {
			l.forget(now)
		}
		if len(l.buckets) >= maxRateSources {
			ip = netip.Addr{} // the overflow bucket, shared
			if b = l.buckets[ip]; b == nil {
				b = &bucket{tokens: l.rate, last: now}
				l.buckets[ip] = b
			}
		} else {
			b = &bucket{tokens: l.rate, last: now}
			l.buckets[ip] = b
		}
	}
	if el := now.Sub(b.last).Seconds(); el > 0 {
		b.tokens = min(l.rate, b.tokens+el*l.rate)
		b.last = now
	}
	if b.tokens < 1 {
		return false
	}
	b.tokens--
	return true
}

// forget drops the buckets that have been full for a second: their sources
// are idle, and a new bucket for them would start full anyway.
func (l *rateLimiter) forget(now time.Time) {
	l.forgotAt = now
	for ip, b := range l.buckets {
		if now.Sub(b.last) > time.Second {
			delete(l.buckets, ip)
		}
	}
}
