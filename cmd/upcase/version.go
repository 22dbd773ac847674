package main

import (
	"context"
	"flag"
	"fmt"
	"runtime"
	"runtime/debug"
)

// version is set at link time with -ldflags "-X main.version=v1.2.3"; when it
// is empty the module version or VCS revision recorded by the build is used.
var version string

func versionCommand() *command {
	return &command{
		name:  "version",
		short: "print upcase's version and the Go it was built with",
		long:  "Version prints upcase's version, the Go toolchain that built it, and the platform.",
		setup: func(fs *flag.FlagSet) func(context.Context, stdio, []string) error {
			return func(ctx context.Context, sio stdio, args []string) error {
				if err := noArgs(args); err != nil {
					return err
				}
				fmt.Fprintf(sio.out, "upcase %s (%s %s/%s)\n", buildVersion(), runtime.Version(), runtime.GOOS, runtime.GOARCH)
				return nil
			}
		},
	}
}

func buildVersion() string {
	if version != "" {
		return version
	}
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "unknown"
	}
	v := bi.Main.Version
	for _, s := range bi.Settings {
		if s.Key == "vcs.revision" && len(s.Value) >= 12 {
			v += " " + s.Value[:12]
		}
	}
	if v == "" {
		v = "(devel)"
	}
	return v
}
