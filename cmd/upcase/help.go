package main

import (
	"context"
	"flag"
	"fmt"
)

func helpCommand() *command {
	return &command{
		name:  "help",
		args:  "[command]",
		short: "explain a command and its flags",
		long:  "Help prints the list of commands, or the usage and flags of one command.",
		setup: func(fs *flag.FlagSet) func(context.Context, stdio, []string) error {
			return func(ctx context.Context, sio stdio, args []string) error {
				switch len(args) {
				case 0:
					printMainUsage(sio.out)
					return nil
				case 1:
					cmd := lookup(args[0])
					if cmd == nil {
						return usageError{fmt.Sprintf("unknown command %q", args[0])}
					}
					cfs := newFlagSet(cmd)
					cmd.setup(cfs)
					printCommandUsage(sio.out, cmd, cfs)
					return nil
				}
				return usageError{fmt.Sprintf("unexpected argument %q", args[1])}
			}
		},
	}
}
