package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"strings"
	"testing"
	"time"
)

// FuzzDurationFlag: the duration flag accepts exactly what time.ParseDuration
// accepts, with the same value, and never panics.
func FuzzDurationFlag(f *testing.F) {
	for _, s := range []string{"10s", "5", "1h2m3.5s", "-1s", "", "forever", "9999999999h"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var d durationValue
		err := d.Set(s)
		want, werr := time.ParseDuration(s)
		if (err == nil) != (werr == nil) || (err == nil && time.Duration(d) != want) {
			t.Fatalf("Set(%q) = %v, %v; time.ParseDuration gives %v, %v", s, time.Duration(d), err, want, werr)
		}
	})
}

// FuzzParseFlags: any command line, split on spaces, parses or fails with a
// usage error, never panics, and never takes a flag for an argument.
func FuzzParseFlags(f *testing.F) {
	for _, s := range []string{"--addr=127.0.0.1:1 host:2 --timeout=3s", "-- --addr=x", "--bogus", "a b c", "--timeout", "-h"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, line string) {
		fs := flag.NewFlagSet("upcase test", flag.ContinueOnError)
		fs.SetOutput(discard{})
		fs.String("addr", "", "")
		durationFlag(fs, "timeout", time.Second, "")
		args := strings.Fields(line)
		pos, err := parseFlags(fs, args, func(string) (string, bool) { return "", false })
		if err != nil {
			return
		}
		dashdash := false
		for _, a := range args {
			if a == "--" {
				dashdash = true
			}
		}
		for _, p := range pos {
			if !dashdash && strings.HasPrefix(p, "-") && p != "-" {
				t.Fatalf("parseFlags(%q) took flag %q as an argument", args, p)
			}
		}
	})
}

type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }

func TestParseFlagsInterspersed(t *testing.T) {
	tests := []struct {
		args    []string
		addr    string
		pos     string
		wantErr bool
	}{
		{[]string{"host:1", "--addr=a:2"}, "a:2", "host:1", false},
		{[]string{"--addr=a:2", "x", "y"}, "a:2", "x y", false},
		{[]string{"x", "--", "--addr=z"}, "", "x --addr=z", false},
		{[]string{"x", "--nope"}, "", "", true},
	}
	for _, tc := range tests {
		fs := flag.NewFlagSet("t", flag.ContinueOnError)
		fs.SetOutput(discard{})
		addr := fs.String("addr", "", "")
		pos, err := parseFlags(fs, tc.args, nil)
		if tc.wantErr {
			if err == nil {
				t.Errorf("parseFlags(%q) succeeded; want an error", tc.args)
			}
			continue
		}
		if err != nil || *addr != tc.addr || strings.Join(pos, " ") != tc.pos {
			t.Errorf("parseFlags(%q) = addr %q, args %q, %v; want %q, %q", tc.args, *addr, pos, err, tc.addr, tc.pos)
		}
	}
}

// JSON logs write durations with their unit, as the text logs do, not as a
// bare count of nanoseconds.
func TestJSONLogDurations(t *testing.T) {
	var buf bytes.Buffer
	log := newLogger(&buf, "json", false)
	log.Info("closed", "duration", 300*time.Microsecond, "retry_in", 5*time.Millisecond)
	var m map[string]any
	if err := json.Unmarshal(buf.Bytes(), &m); err != nil {
		t.Fatal(err)
	}
	for key, want := range map[string]time.Duration{"duration": 300 * time.Microsecond, "retry_in": 5 * time.Millisecond} {
		s, _ := m[key].(string)
		if d, err := time.ParseDuration(s); err != nil || d != want {
			t.Errorf("%s = %v; want %q, a duration with its unit", key, m[key], want.String())
		}
	}
}
