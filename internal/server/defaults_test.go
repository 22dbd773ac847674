package server

import (
	"testing"
	"time"
)

// TestZeroValueRule: in every timeout and limit, zero means the default and
// Never or NoLimit (or any negative value) turns it off, and the settings
// the server resolves spell "off" the same way.
func TestZeroValueRule(t *testing.T) {
	durations := []struct {
		name string
		set  func(*Server, time.Duration)
		get  func(*Server) time.Duration
		def  time.Duration
		off  time.Duration // what the server resolves Never to
	}{
		{"IdleTimeout", func(s *Server, d time.Duration) { s.IdleTimeout = d }, (*Server).idleTimeout, DefaultIdle, Never},
		{"WriteTimeout", func(s *Server, d time.Duration) { s.WriteTimeout = d }, (*Server).writeTimeout, DefaultWrite, Never},
		{"HandshakeTimeout", func(s *Server, d time.Duration) { s.HandshakeTimeout = d }, (*Server).handshakeTimeout, DefaultHandshake, Never},
		// Linger is a wait, not a timeout: not lingering is no time at all.
		{"Linger", func(s *Server, d time.Duration) { s.Linger = d }, (*Server).linger, DefaultLinger, 0},
	}
	for _, f := range durations {
		for _, tc := range []struct {
			field, want time.Duration
		}{
			{0, f.def},
			{Never, f.off},
			{-5 * time.Second, f.off},
			{3 * time.Second, 3 * time.Second},
		} {
			var s Server
			f.set(&s, tc.field)
			if got := f.get(&s); got != tc.want {
				t.Errorf("%s: %v resolves to %v; want %v", f.name, tc.field, got, tc.want)
			}
		}
	}

	counts := []struct {
		name string
		set  func(*Server, int)
		get  func(*Server) int
		def  int
	}{
		{"MaxConns", func(s *Server, n int) { s.MaxConns = n }, (*Server).maxConns, DefaultMaxConns},
		{"MaxConnsPerIP", func(s *Server, n int) { s.MaxConnsPerIP = n }, (*Server).maxConnsPerIP, DefaultMaxConnsPerIP},
		{"UDPRate", func(s *Server, n int) { s.UDPRate = n }, (*Server).udpRate, DefaultUDPRate},
	}
	for _, f := range counts {
		for _, tc := range []struct{ field, want int }{
			{0, f.def},
			{NoLimit, NoLimit},
			{-7, NoLimit},
			{5, 5},
		} {
			var s Server
			f.set(&s, tc.field)
			if got := f.get(&s); got != tc.want {
				t.Errorf("%s: %d resolves to %d; want %d", f.name, tc.field, got, tc.want)
			}
		}
	}
}

// TestMinProgress: a client must take WriteMinRate's worth of its replies
// in each WriteTimeout, and at least a byte, which is all it takes when
// either is off.
func TestMinProgress(t *testing.T) {
	for _, tc := range []struct {
		name  string
		s     *Server
		bytes int64
	}{
		{"defaults", &Server{}, DefaultWriteMinRate * int64(DefaultWrite/time.Second)},
		{"set", &Server{WriteMinRate: 100, WriteTimeout: 2 * time.Second}, 200},
		{"rate off", &Server{WriteMinRate: NoLimit}, 1},
		{"timeout off", &Server{WriteTimeout: Never}, 1},
		{"below a byte", &Server{WriteMinRate: 1, WriteTimeout: 100 * time.Millisecond}, 1},
	} {
		if got := tc.s.minProgress(); got != tc.bytes {
			t.Errorf("%s: minProgress() = %d; want %d", tc.name, got, tc.bytes)
		}
	}
}
