// Command upcase is the lesson's upper-casing TCP server and client, made real.
//
// This package only parses flags and wires the internal packages together;
// every capability lives in one package under internal/.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], stdio{in: os.Stdin, out: os.Stdout, err: os.Stderr, getenv: os.LookupEnv})
	stop()
	os.Exit(code)
}
