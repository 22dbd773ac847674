// Package server is upcase's TCP endpoint: the lesson's upper-casing server,
// made to stay up.
//
// # Wire behaviour
//
// There is no framing. Every byte received on a connection is sent back on that
// connection, in order, transformed by upper.ASCII (exactly Python's
// bytes.upper()); a reply is written as soon as the bytes it answers arrive, so
// a client that sends "hello" and reads once gets "HELLO". A connection carries
// any number of messages until the client leaves.
//
// Half-close: when the client shuts down its sending side (FIN), the server
// sends back everything that remains and then closes its own side.
//
// Every close the server starts is made so that no reply already written is
// lost: it shuts down its sending side first (FIN), then reads and discards
// what the client still sends for at most Server.Linger, then closes. Closing a
// socket that still holds unread input would send RST instead, and an RST makes
// the client's kernel throw away replies it has received but not yet read.
//
// Each connection ends with one CloseReason (FIN, RST, drain, …), reported the
// same way in every log line.
//
// # Engines
//
// How bytes move is kept apart from what is done to them (upper.Stream), and
// there are two ways to move them, with the same behaviour on the wire and
// the same limits, timeouts, drain and narration (the package's tests run
// once with each):
//
//   - EngineGoroutine (conn.go): one goroutine per connection, for any
//     net.Listener on any system, TLS included. About 11 KiB per idle
//     connection (its stack and buffer).
//   - EngineEpoll (epoll_*_linux.go): one event loop per CPU, each with its
//     own poller (internal/netpoll, which bench's epoll engine shares) and
//     copy of the listening socket, and one read buffer
//     shared by all its connections. A connection costs 64 bytes while idle;
//     a reply the client does not take waits in a buffer of its own, and the
//     connection is not read again until it has gone out, so a client that
//     does not read holds at most one buffer. A message costs what its
//     read(2) and write(2) cost, as in a C server of the same design.
//
// EngineAuto, the default, takes epoll for a plain *net.TCPListener on Linux.
//
// # Behind a load balancer
//
// With ProxyProtocol (proxy.go), each connection from a ProxyTrusted source
// may begin with a PROXY protocol header (github.com/pires/go-proxyproto
// parses it) naming the real client. Such a connection takes its place under
// MaxConns when it is accepted, and is admitted by Allow, Deny and
// MaxConnsPerIP only once its goroutine has read the header, within
// HandshakeTimeout, so a slow header never holds up the accept loop. A header
// that fails is refused (RejectProxyHeader). Other sources are checked as
// themselves at accept, and closed if they begin with a header
// (ReasonProxyHeader). The goroutine engine reads the header with blocking
// reads under a deadline; the epoll engine gathers it without blocking until
// it is whole (epoll_proxy_linux.go), with the same outcome.
// ListenConfig.ReusePort lets a new process listen beside an old one for a
// restart without refused connections.
package server
