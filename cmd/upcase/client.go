package main

import (
	"context"
	"flag"
	"net"
	"os"
	"path/filepath"

	"github.com/upcase/upcase/internal/client"
	"github.com/upcase/upcase/internal/server"
	"golang.org/x/term"
)

func clientCommand() *command {
	return &command{
		name:  "client",
		args:  "[host:port]",
		short: "talk to an upcase (or any echo-style) server",
		long: `Client connects to the server at --addr (or the address given as argument).

On a terminal it is the lesson's communication loop: type a line, it is sent
with its newline, and the server's bytes are printed as they arrive, newline
or not. Line editing and history (kept in the user's cache directory) work as
in a shell; Ctrl-C clears the line; Ctrl-D or "exit" ends with status 0. If the
server closes (FIN) or resets (RST) the connection, the client says which and
exits non-zero.

Otherwise it works like nc: standard input is streamed to the server and the
server's bytes to standard output, byte for byte (binary too); at the end of
input it half-closes and exits 0 once the server has closed.`,
		setup: func(fs *flag.FlagSet) func(context.Context, stdio, []string) error {
			addr := fs.String("addr", server.DefaultAddr, "`host:port` of the server")
			timeout := durationFlag(fs, "timeout", client.DefaultDialTimeout, "how long to wait for the connection to be established")
			tlsConfig := clientTLSFlags(fs)
			udp := fs.Bool("udp", false, "talk UDP: each line is one datagram; a reply that does not come within --timeout is reported (UDP does not retransmit), and the exit status is non-zero if any was lost")
			return func(ctx context.Context, sio stdio, args []string) error {
				if err := addrArg(addr, args); err != nil {
					return err
				}
				if *timeout <= 0 {
					return usageError{"--timeout must be positive"}
				}
				tc, err := tlsConfig()
				if err != nil {
					return err
				}
				if *udp {
					if tc != nil {
						return usageError{"TLS is for TCP: --udp cannot be used with --tls"}
					}
					conn, err := client.DialUDP(ctx, *addr)
					if err != nil {
						return err
					}
					defer conn.Close()
					if in, ok := sio.in.(*os.File); ok && term.IsTerminal(int(in.Fd())) {
						return client.InteractiveUDP(ctx, conn, client.Options{
							Prompt:      *addr + " (udp)> ",
							HistoryFile: historyFile(),
							Stdin:       in,
							Stdout:      sio.out,
							Stderr:      sio.err,
						}, *timeout)
					}
					return client.UDP(ctx, conn, sio.in, sio.out, sio.err, *timeout)
				}
				var conn net.Conn
				if tc != nil {
					conn, err = client.DialTLS(ctx, *addr, *timeout, tc)
				} else {
					conn, err = client.Dial(ctx, *addr, *timeout)
				}
				if err != nil {
					return err
				}
				defer conn.Close()
				if in, ok := sio.in.(*os.File); ok && term.IsTerminal(int(in.Fd())) {
					return client.Interactive(ctx, conn, client.Options{
						Prompt:      *addr + "> ",
						HistoryFile: historyFile(),
						Stdin:       in,
						Stdout:      sio.out,
						Stderr:      sio.err,
					})
				}
				return client.Pipe(ctx, conn, sio.in, sio.out)
			}
		},
	}
}

// historyFile is where the interactive client keeps its history: the user's
// cache directory, or none when there is no such directory.
func historyFile() string {
	dir, err := os.UserCacheDir()
	if err != nil {
		return ""
	}
	return filepath.Join(dir, "upcase", "client_history")
}
