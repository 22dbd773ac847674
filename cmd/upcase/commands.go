package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
)

// stdio is what a command may touch of its process: streams and environment.
// Tests pass their own.
type stdio struct {
	in     io.Reader
	out    io.Writer
	err    io.Writer
	getenv func(string) (string, bool)
}

// command is one subcommand, after cmd/go's base.Command.
type command struct {
	name  string // as typed: upcase NAME
	args  string // what follows the flags in the usage line
	short string // one line for the command list
	long  string // the paragraph printed by --help
	// setup declares the command's flags on fs and returns the function that
	// runs the command once they are parsed. Nil flags: the command takes none.
	setup func(fs *flag.FlagSet) func(ctx context.Context, sio stdio, args []string) error
}

// commands is the whole CLI, in the order `upcase help` lists it.
func commands() []*command {
	return []*command{serveCommand(), clientCommand(), benchCommand(), traceCommand(), ipCommand(), versionCommand(), helpCommand()}
}

// usageError is a mistake in how the command was called: exit status 2.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

// exitStatus is the exit status of a child process that ran the command
// (trace's, in its network namespace) and has already printed any error.
type exitStatus int

func (e exitStatus) Error() string { return fmt.Sprintf("exit status %d", int(e)) }

// run is main without the process: it returns the exit status.
func run(ctx context.Context, args []string, sio stdio) int {
	if len(args) == 0 {
		printMainUsage(sio.err)
		return 2
	}
	name := args[0]
	switch name {
	case "-h", "-help", "--help": // asked for: stdout, so that it pipes into less
		printMainUsage(sio.out)
		return 0
	case "--version", "-version":
		name = "version"
	}
	cmd := lookup(name)
	if cmd == nil {
		fmt.Fprintf(sio.err, "upcase: unknown command %q (run 'upcase help' for the list)\n", name)
		return 2
	}
	fs := newFlagSet(cmd)
	runFn := cmd.setup(fs)
	pos, err := parseFlags(fs, args[1:], sio.getenv)
	if errors.Is(err, flag.ErrHelp) {
		printCommandUsage(sio.out, cmd, fs)
		return 0
	}
	if err == nil {
		err = runFn(ctx, sio, pos)
	}
	if err == nil {
		return 0
	}
	var es exitStatus
	if errors.As(err, &es) {
		return int(es) // a child's status: the child has said why
	}
	if errors.Is(err, context.Canceled) && ctx.Err() != nil {
		fmt.Fprintf(sio.err, "upcase %s: interrupted\n", cmd.name)
		return 130 // as a shell reports a process ended by SIGINT
	}
	fmt.Fprintf(sio.err, "upcase %s: %s\n", cmd.name, oneLine(err.Error()))
	var ue usageError
	if errors.As(err, &ue) {
		return 2
	}
	return 1
}

func lookup(name string) *command {
	for _, c := range commands() {
		if c.name == name {
			return c
		}
	}
	return nil
}

// asTyped is the flag name as the user typed it among args ("--bogus" or
// "-bogus"), for an error that quotes it: the flag package says "-bogus"
// whichever was typed.
func asTyped(args []string, name string) string {
	for _, a := range args {
		flagPart, _, _ := strings.Cut(a, "=")
		if strings.HasPrefix(flagPart, "-") && strings.TrimLeft(flagPart, "-") == name {
			return flagPart
		}
	}
	return "--" + name
}

func newFlagSet(cmd *command) *flag.FlagSet {
	fs := flag.NewFlagSet("upcase "+cmd.name, flag.ContinueOnError)
	fs.SetOutput(io.Discard) // run prints errors as one line, usage on request
	fs.Usage = func() {}
	return fs
}

// parseFlags parses args into fs and returns the positional arguments. Unlike
// fs.Parse, flags may follow positional arguments (golang/go#4513): they are
// parsed, not silently taken as arguments. "--" ends the flags. A flag not
// given on the command line takes its value from the environment variable
// UPCASE_NAME (upper case, '-' as '_'), if set and not empty.
func parseFlags(fs *flag.FlagSet, args []string, getenv func(string) (string, bool)) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, err
			}
			msg := strings.Replace(err.Error(), "for flag -", "for --", 1)
			if name, ok := strings.CutPrefix(err.Error(), "flag provided but not defined: -"); ok {
				msg = "unknown flag " + asTyped(args, name)
			}
			return nil, usageError{fmt.Sprintf("%s (see 'upcase %s --help')", msg, strings.TrimPrefix(fs.Name(), "upcase "))}
		}
		rest := fs.Args()
		if used := len(args) - len(rest); used > 0 && args[used-1] == "--" {
			pos = append(pos, rest...)
			break
		}
		if len(rest) == 0 {
			break
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
	if getenv == nil {
		return pos, nil
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	var err error
	fs.VisitAll(func(f *flag.Flag) {
		if set[f.Name] || err != nil || internalFlag(f) {
			return
		}
		key := envName(f.Name)
		if v, ok := getenv(key); ok && v != "" { // empty counts as unset
			if serr := fs.Set(f.Name, v); serr != nil {
				err = usageError{fmt.Sprintf("invalid value %q for %s: %v", v, key, serr)}
			}
		}
	})
	return pos, err
}

// internalFlag reports whether f is one of upcase's own, which a command
// passes to the child it starts (trace --web-live): declared without a
// usage, it is left out of --help, and no environment variable sets it.
func internalFlag(f *flag.Flag) bool { return f.Usage == "" }

// envName is the environment variable that may set flag name.
func envName(name string) string {
	return "UPCASE_" + strings.ToUpper(strings.ReplaceAll(name, "-", "_"))
}

// noArgs is for commands that take no positional arguments.
func noArgs(args []string) error {
	if len(args) > 0 {
		return usageError{fmt.Sprintf("unexpected argument %q", args[0])}
	}
	return nil
}

// addrArg is for commands that take the server's address as --addr or as
// one positional argument (which wins).
func addrArg(addr *string, args []string) error {
	if len(args) > 0 {
		*addr = args[0]
	}
	return noArgs(args[min(len(args), 1):])
}

func oneLine(s string) string {
	return strings.Join(strings.Fields(strings.ReplaceAll(s, "\n", " ")), " ")
}

func printMainUsage(w io.Writer) {
	fmt.Fprint(w, `upcase: the lesson's upper-casing TCP server and client, for learning and testing.

Usage:
  upcase <command> [flags] [arguments]

Commands:
`)
	tw := tabwriter.NewWriter(w, 0, 8, 2, ' ', 0)
	for _, c := range commands() {
		fmt.Fprintf(tw, "  %s\t%s\n", c.name, c.short)
	}
	tw.Flush()
	fmt.Fprint(w, `
Flags are written --name=value and may come after arguments. Every flag can
also be set by an environment variable: --drain as UPCASE_DRAIN.
Run 'upcase help <command>' or 'upcase <command> --help' for its flags.
`)
}

func printCommandUsage(w io.Writer, cmd *command, fs *flag.FlagSet) {
	fmt.Fprintf(w, "Usage: upcase %s", cmd.name)
	hasFlags := false
	fs.VisitAll(func(f *flag.Flag) { hasFlags = hasFlags || !internalFlag(f) })
	if hasFlags {
		fmt.Fprint(w, " [flags]")
	}
	if cmd.args != "" {
		fmt.Fprint(w, " "+cmd.args)
	}
	fmt.Fprintf(w, "\n\n%s\n", strings.TrimSpace(cmd.long))
	if !hasFlags {
		return
	}
	fmt.Fprint(w, "\nFlags:\n")
	fs.VisitAll(func(f *flag.Flag) {
		if internalFlag(f) {
			return
		}
		_, usage := flag.UnquoteUsage(f)
		name := valueName(f)
		dash := "--"
		if len(f.Name) == 1 {
			dash = "-"
		}
		fmt.Fprintf(w, "  %s%s", dash, f.Name)
		if b, ok := f.Value.(interface{ IsBoolFlag() bool }); ok && b.IsBoolFlag() && name != "" {
			fmt.Fprintf(w, "[=%s]", name) // a value that may be left out: --web
		} else if name != "" {
			fmt.Fprintf(w, "=%s", name)
		}
		fmt.Fprintf(w, "\n%s\n      ", wrap(usage, "      ", 78))
		if f.DefValue != "" && f.DefValue != "false" && f.DefValue != "0" && f.DefValue != "0s" {
			fmt.Fprintf(w, "default %s; ", f.DefValue)
		}
		fmt.Fprintf(w, "env: %s\n", envName(f.Name))
	})
}
