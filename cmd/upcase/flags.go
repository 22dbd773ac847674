package main

import (
	"flag"
	"fmt"
	"strings"
	"time"
)

// durationValue is a duration flag whose error says what is wrong with the
// value, where the standard one only says "parse error".
type durationValue time.Duration

// durationFlag declares a durationValue flag and returns where it is stored.
func durationFlag(fs *flag.FlagSet, name string, def time.Duration, usage string) *time.Duration {
	d := new(time.Duration)
	durationVar(fs, d, name, def, usage)
	return d
}

// durationVar declares a durationValue flag stored in *p, as
// flag.DurationVar does.
func durationVar(fs *flag.FlagSet, p *time.Duration, name string, def time.Duration, usage string) {
	*p = def
	fs.Var((*durationValue)(p), name, usage)
}

func (d *durationValue) String() string { return time.Duration(*d).String() }

func (d *durationValue) Set(s string) error {
	v, err := time.ParseDuration(s)
	if err != nil {
		return fmt.Errorf("%s (write a number with a unit, e.g. 500ms, 10s, 5m)", strings.TrimPrefix(err.Error(), "time: "))
	}
	*d = durationValue(v)
	return nil
}

// valueName is the placeholder shown for a flag's value in usage.
func valueName(f *flag.Flag) string {
	if _, ok := f.Value.(*durationValue); ok {
		return "duration"
	}
	name, _ := flag.UnquoteUsage(f)
	return name
}

// wrap breaks text into lines of at most width columns, each indented.
func wrap(text, indent string, width int) string {
	var b strings.Builder
	line := 0
	for i, word := range strings.Fields(text) {
		if i == 0 || line+1+len(word) > width {
			if i > 0 {
				b.WriteByte('\n')
			}
			b.WriteString(indent)
			line = len(indent)
		} else {
			b.WriteByte(' ')
			line++
		}
		b.WriteString(word)
		line += len(word)
	}
	return b.String()
}
