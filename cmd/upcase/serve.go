package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/upcase/upcase/internal/server"
)

func serveCommand() *command {
	return &command{
		name:  "serve",
		short: "run the upper-casing server (TCP)",
		long: `Serve listens on --addr and answers every byte each client sends with the
same byte upper-cased (a-z to A-Z, everything else unchanged: Python's
bytes.upper()), on any number of connections at once, each for as long as
the client likes. When a client half-closes, the server sends what remains
and closes its side.

It prints one line saying where it listens, and errors. With -v it narrates
every socket step: listening, accepted (the three-way handshake is done),
received N bytes, sent N bytes, the peer finished sending (FIN) or reset the
connection (RST), closed and why.

SIGINT or SIGTERM stops it gracefully: no new connections are accepted, open
ones go on for up to --drain, then each is closed without losing a reply
(FIN first, then the rest of its input is read and discarded for up to
--linger), and upcase exits 0. A second signal stops it at once.

Limits: a client that sends nothing for --idle-timeout, or leaves its replies
unread for --write-timeout, is disconnected; the server stops reading from a
client that does not read, so each connection holds at most one buffer.`,
		setup: func(fs *flag.FlagSet) func(context.Context, stdio, []string) error {
			addr := fs.String("addr", server.DefaultAddr, "`host:port` to listen on; 127.0.0.1 is reachable from this machine only, 0.0.0.0 or [::] from others too, port 0 picks a free one")
			drain := durationFlag(fs, "drain", 10*time.Second, "on SIGINT/SIGTERM, how long open connections may go on before they are closed")
			linger := durationFlag(fs, "linger", server.DefaultLinger, "when the server closes a connection, how long it waits for the client's FIN so no reply is lost")
			idle := durationFlag(fs, "idle-timeout", server.DefaultIdle, "close a connection on which the client has sent nothing for this long (0: never)")
			write := durationFlag(fs, "write-timeout", server.DefaultWrite, "close a connection whose client has left its replies unread for this long (0: never)")
			verbose := fs.Bool("v", false, "narrate every socket step (debug-level logs)")
			return func(ctx context.Context, sio stdio, args []string) error {
				if err := noArgs(args); err != nil {
					return err
				}
				for name, d := range map[string]time.Duration{"drain": *drain, "linger": *linger, "idle-timeout": *idle, "write-timeout": *write} {
					if d < 0 {
						return usageError{fmt.Sprintf("--%s must not be negative", name)}
					}
				}
				log := newLogger(sio.err, *verbose)
				srv := &server.Server{
					Addr:         *addr,
					Logger:       log,
					Linger:       noneIfZero(*linger),
					IdleTimeout:  noneIfZero(*idle),
					WriteTimeout: noneIfZero(*write),
				}
				return serve(ctx, srv, *drain)
			}
		},
	}
}

// newLogger is the server's slog output: text on stderr, debug level with -v.
func newLogger(stderr io.Writer, verbose bool) *slog.Logger {
	level := slog.LevelInfo
	if verbose {
		level = slog.LevelDebug
	}
	return slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level}))
}

// noneIfZero maps a flag's "0 means never" onto the Server's "negative means
// none" (its zero value means the default).
func noneIfZero(d time.Duration) time.Duration {
	if d == 0 {
		return -1
	}
	return d
}

// serve runs srv until ctx is done (SIGINT or SIGTERM), then drains for up to
// drain and closes what is left.
func serve(ctx context.Context, srv *server.Server, drain time.Duration) error {
	log := srv.Logger
	ln, err := server.Listen(srv.Addr)
	if err != nil {
		return err
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()

	select {
	case err := <-served:
		return err
	case <-ctx.Done():
	}
	signal.Reset(os.Interrupt, syscall.SIGTERM) // a second signal ends the process at once
	dctx, cancel := context.WithTimeout(context.Background(), drain)
	defer cancel()
	if err := srv.Shutdown(dctx); err != nil {
		log.Info("drain time is over; closing the remaining connections", "drain", drain)
		srv.Close()
	}
	if err := <-served; !errors.Is(err, server.ErrServerClosed) {
		return err
	}
	log.Info("stopped")
	return nil
}
