package main

import "testing"

// TestWebFlag: what --web takes, and where each serves.
func TestWebFlag(t *testing.T) {
	for _, tc := range []struct {
		in   string
		on   bool
		addr string
		err  bool
	}{
		{in: "true", on: true, addr: defaultWebAddr},
		{in: "false", on: false, addr: defaultWebAddr},
		{in: "8099", on: true, addr: "127.0.0.1:8099"},
		{in: "0", on: false, addr: defaultWebAddr}, // ParseBool reads "0" as false
		{in: "127.0.0.1:8099", on: true, addr: "127.0.0.1:8099"},
		{in: "[::1]:0", on: true, addr: "[::1]:0"},
		{in: "0.0.0.0:8099", on: true, addr: "0.0.0.0:8099"},
		{in: "70000", err: true},
		{in: "localhost", err: true},
		{in: "127.0.0.1:http", err: true},
	} {
		var f webFlag
		err := f.Set(tc.in)
		if (err != nil) != tc.err || (err == nil && (f.on != tc.on || f.addr != tc.addr)) {
			t.Errorf("Set(%q): on %v, addr %q, error %v; want on %v, addr %q, error %v", tc.in, f.on, f.addr, err, tc.on, tc.addr, tc.err)
		}
	}
}
