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
package server
