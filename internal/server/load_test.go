package server

import (
	"bytes"
	"io"
	"log/slog"
	"net"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// BenchmarkFiftyClients is a quick throughput figure: 50 connections doing
// ping-pong with 16-byte messages, against upcase's server and, as the named
// peer in the same run, the naive server a lesson student would write (a
// goroutine per connection calling bytes.ToUpper, which allocates per message).
// It reports messages per second over all connections.
func BenchmarkFiftyClients(b *testing.B) {
	const conns, size = 50, 16
	peers := []struct {
		name  string
		start func(b *testing.B) string
	}{
		{"upcase", func(b *testing.B) string { return start(b, &Server{}) }},
		{"naive", startNaive},
	}
	for _, peer := range peers {
		b.Run(peer.name, func(b *testing.B) {
			addr := peer.start(b)
			cs := make([]net.Conn, conns)
			for i := range cs {
				cs[i] = dial(b, addr)
			}
			per := b.N/conns + 1
			b.ResetTimer()
			begin := time.Now()
			var wg sync.WaitGroup
			for _, c := range cs {
				wg.Go(func() {
					msg, reply := bytes.Repeat([]byte("m"), size), make([]byte, size)
					for range per {
						if _, err := c.Write(msg); err != nil {
							return
						}
						if _, err := io.ReadFull(c, reply); err != nil {
							return
						}
					}
				})
			}
			wg.Wait()
			b.ReportMetric(float64(per*conns)/time.Since(begin).Seconds(), "msgs/s")
		})
	}
}

// startNaive starts the peer: goroutine per connection, bytes.ToUpper per read.
func startNaive(b *testing.B) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	var wg sync.WaitGroup
	b.Cleanup(func() {
		ln.Close()
		wg.Wait()
	})
	wg.Go(func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			wg.Go(func() {
				defer c.Close()
				buf := make([]byte, 16<<10)
				for {
					n, err := c.Read(buf)
					if n > 0 {
						if _, err := c.Write(bytes.ToUpper(buf[:n])); err != nil {
							return
						}
					}
					if err != nil {
						return
					}
				}
			})
		}
	})
	return ln.Addr().String()
}

// BenchmarkUDPFiftySenders: 50 senders each with one 64-byte datagram in
// flight, against ServePacket and, as the named peer, a bare ReadFrom /
// bytes.ToUpper / WriteTo loop. It reports datagrams answered per second.
func BenchmarkUDPFiftySenders(b *testing.B) {
	const senders, size = 50, 64
	peers := []struct {
		name  string
		start func(b *testing.B) string
	}{
		{"upcase", func(b *testing.B) string {
			pc, err := net.ListenPacket("udp", "127.0.0.1:0")
			if err != nil {
				b.Fatal(err)
			}
			s := &Server{UDPRate: NoLimit, Logger: slog.New(slog.DiscardHandler)}
			done := make(chan struct{})
			go func() { s.ServePacket(pc); close(done) }()
			b.Cleanup(func() { s.Close(); <-done })
			return pc.LocalAddr().String()
		}},
		{"naive", func(b *testing.B) string {
			pc, err := net.ListenPacket("udp", "127.0.0.1:0")
			if err != nil {
				b.Fatal(err)
			}
			done := make(chan struct{})
			go func() {
				defer close(done)
				buf := make([]byte, 65536)
				for {
					n, from, err := pc.ReadFrom(buf)
					if err != nil {
						return
					}
					pc.WriteTo(bytes.ToUpper(buf[:n]), from)
				}
			}()
			b.Cleanup(func() { pc.Close(); <-done })
			return pc.LocalAddr().String()
		}},
	}
	for _, peer := range peers {
		b.Run(peer.name, func(b *testing.B) {
			addr := peer.start(b)
			per := b.N/senders + 1
			var answered atomic.Int64
			b.ResetTimer()
			begin := time.Now()
			var wg sync.WaitGroup
			for range senders {
				wg.Go(func() {
					c, err := net.Dial("udp", addr)
					if err != nil {
						return
					}
					defer c.Close()
					msg, reply := bytes.Repeat([]byte("d"), size), make([]byte, size)
					for range per {
						c.SetDeadline(time.Now().Add(time.Second)) // a lost datagram costs a second, then on
						c.Write(msg)
						if _, err := c.Read(reply); err == nil {
							answered.Add(1)
						}
					}
				})
			}
			wg.Wait()
			b.ReportMetric(float64(answered.Load())/time.Since(begin).Seconds(), "datagrams/s")
		})
	}
}
