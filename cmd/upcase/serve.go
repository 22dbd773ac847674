package main

import (
	"context"
	"errors"
	"flag"
	"io"
	"log/slog"
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
--linger), and upcase exits 0.`,
		setup: func(fs *flag.FlagSet) func(context.Context, stdio, []string) error {
			addr := fs.String("addr", server.DefaultAddr, "`host:port` to listen on; 127.0.0.1 is reachable from this machine only, 0.0.0.0 or [::] from others too, port 0 picks a free one")
			drain := fs.Duration("drain", 10*time.Second, "on SIGINT/SIGTERM, how long open connections may go on before they are closed")
			linger := fs.Duration("linger", server.DefaultLinger, "when the server closes a connection, how long it waits for the client's FIN so no reply is lost")
			verbose := fs.Bool("v", false, "narrate every socket step (debug-level logs)")
			return func(ctx context.Context, sio stdio, args []string) error {
				if err := noArgs(args); err != nil {
					return err
				}
				if *drain < 0 || *linger < 0 {
					return usageError{"--drain and --linger must not be negative"}
				}
				return serve(ctx, sio.err, *addr, *drain, *linger, *verbose)
			}
		},
	}
}

func serve(ctx context.Context, stderr io.Writer, addr string, drain, linger time.Duration, verbose bool) error {
	level := slog.LevelInfo
	if verbose {
		level = slog.LevelDebug
	}
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level}))
	if linger == 0 {
		linger = -1 // the flag's 0 means "none"; the Server's zero means default
	}
	srv := &server.Server{Addr: addr, Logger: log, Linger: linger}

	ln, err := server.Listen(addr)
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
