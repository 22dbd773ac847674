// Package client is upcase's TCP client: it dials the server and then either
// streams bytes like nc (Pipe, when standard input is not a terminal) or runs
// the lesson's communication loop as a line-editing REPL (Interactive, on a
// terminal).
//
// # Who owns what
//
// The caller owns the connection: Dial returns it, the caller passes it to
// Pipe or Interactive and closes it once they return. Pipe and Interactive do
// not close it; to stop I/O in progress they set its deadlines instead, so a
// connection they have returned from may carry a deadline in the past. It is
// finished with and should be closed.
//
// # How the server ends a conversation
//
// The server may end the connection with a FIN (it finished: every reply it
// wrote can still be read) or an RST (it reset the connection: replies not yet
// read are lost). Errors for the two wrap ErrServerClosed and ErrServerReset,
// so the command can say which, and the wire behaviour the client relies on
// (no framing, replies in order, half-close) is described in package server.
package client
