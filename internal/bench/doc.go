// Package bench is upcase's load generator and verifier: it opens connections
// to a server that speaks the upcase protocol (or plain RFC 862 echo), sends
// messages on all of them for a while, checks every byte of every reply and
// measures throughput and latency.
//
// # What is sent and checked
//
// Each connection sends a pseudo-random byte stream, cut into messages of
// Config.Size bytes. About half the bytes are lower-case letters; the rest are
// upper-case letters, digits, punctuation, control bytes and bytes of 0x80 and
// above that can never be part of valid UTF-8 (so a --unicode server answers
// them exactly as an ASCII one does). Consecutive messages differ, so a server
// that drops, repeats or reorders replies is caught as well as one that echoes
// without upper-casing. The expected reply is the stream passed through
// upper.ASCII (Expect ExpectUpper), the stream itself (ExpectEcho), or
// anything of the right length (ExpectNone).
//
// TCP is a byte stream: replies are reassembled by length, however the server
// splits or joins them, and checked byte for byte. A message whose reply
// differs in any byte is one mismatch. Over UDP each message is one datagram
// and its reply must be one datagram; a reply that does not come within
// Config.Timeout is lost, which is counted apart from mismatches; a reply
// that comes after that is late. Replies are matched to their messages by
// content, so they may come in any order (udpflight.go, shared by both
// engines). On Linux a socket sends the datagrams due with one sendmmsg(2)
// and reads the replies waiting with one recvmmsg(2), all stamped with one
// arrival time.
//
// # Closed and open loop
//
// By default each connection keeps Config.Pipeline messages in flight and
// sends the next as soon as a reply completes (closed loop). With Config.Rate
// the connections share a fixed schedule of Rate messages per second (open
// loop) and each latency is measured from the message's intended send time,
// not from when it could actually be sent: a server that stalls cannot hide
// the stall by holding back the load that would have shown it (the
// coordinated-omission correction of wrk2). One goroutine paces the
// schedule, sleeping in the kernel because Go's timers are only precise to
// a millisecond on Linux; the latencies still include the load generator's
// own wake-up delay, some tens of microseconds on an idle machine.
//
// # Connections
//
// Over TCP each of Config.Conns workers keeps one connection at a time. With
// Config.MsgsPerConn it ends its connection politely after that many
// messages (half-close, then read until the server closes, so no reply is
// lost) and opens the next, as clients behind a load balancer come and go.
// A connection that breaks (a reset, a close in the middle of a reply,
// replies that never come) or cannot be opened is counted, listed in
// Result.FailedConns with its local and remote address, and opened again
// after a back-off, until the run ends. The back-off is random below a
// ceiling that doubles from 10ms to 1s while connections get no reply; and
// the redials after failures without a reply share one budget for the
// whole run (100, then 100 a second), so that a thousand connections do
// not hammer a server that refuses them (backoff.go). Likely causes are
// counted apart: connections the server closed before any reply (a
// connection limit), dials refused, dials that timed out. Config.Source
// gives the local addresses to open connections from, in turn, so that a
// server or a load balancer sees several clients. A UDP socket is not
// opened again.
//
// # Engines and cost
//
// How bytes move is apart from what is checked: both engines send the same
// payload, reassemble and check replies the same way (replyStream; over UDP
// udpFlight), count into tallies and report the same Result.
//
// The epoll engine (Linux, TCP and UDP; the default there) runs the
// connections on one event loop per CPU Run may use (GOMAXPROCS), dealt
// out in turn, each loop with its own poller (internal/netpoll, shared with the server), read
// buffer, HDR histogram and tally, merged when the run ends
// (loop_linux.go, loopconn_linux.go). A connection is a few hundred bytes
// (its worker and its place on the loop); it has no goroutine while it
// carries load, and a message costs its write(2), its read(2) and no
// allocation. Connections are opened with Config.Dial, from 64 goroutines
// at the start and from a goroutine per redial later, and then taken over:
// the loop keeps a duplicate of the socket's descriptor and the net.Conn is
// closed. Each loop keeps the open loop's schedule for its own connections,
// waking on a timerfd at each intended send time.
//
// Over UDP (loopudp_linux.go) a loop reads a ready socket's replies with
// one recvmmsg(2) into receive slots all its sockets share, judges them,
// and sends the datagrams now due with one sendmmsg(2), as the C reference
// client does (bench/compare/cepoll/udp_client.c); the system calls are
// made without the scheduler's bookkeeping, since the sockets cannot
// block. A socket that has replies judges its own losses on time; the
// loop's timerfd finds those of sockets that get no reply, going over all
// its sockets at most once a millisecond. A full send buffer (EAGAIN) is
// watched for room.
//
// The goroutine engine (any system, a Config.Dial whose connections
// have no socket) runs one goroutine per connection, which does
// write-then-read when one message of at most 64 KiB is in flight, on Unix
// with one system call fewer per message than net.Conn needs
// (exchange_unix.go); with pipelining (or larger messages) a second
// goroutine writes while the first reads, so the two directions never wait
// for each other. A UDP socket's goroutine sends and reads in batches as
// the loops do, through RawConn (udp_batch_linux.go), and parks in Go's
// netpoller once per batch. Each connection records latencies in its own
// HDR histogram (about 220 KiB, no locks), and a pacer goroutine releases
// the open loop's messages.
//
// A goroutine reading the tallies' atomic counters builds the throughput
// timeline.
package bench
