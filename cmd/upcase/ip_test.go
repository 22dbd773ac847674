package main

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"
)

// runIP runs upcase ip with args in-process and returns its exit status,
// stdout and stderr.
func runIP(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	sio := stdio{in: strings.NewReader(""), out: &out, err: &errOut, getenv: func(string) (string, bool) { return "", false }}
	code := run(context.Background(), append([]string{"ip"}, args...), sio)
	return code, out.String(), errOut.String()
}

func TestIPExitStatus(t *testing.T) {
	tests := []struct {
		args    []string
		code    int
		errLine string
	}{
		{[]string{"172.16.10.1/24"}, 0, ""},
		{[]string{"172.16.10.10/24", "172.16.10.11"}, 0, ""},
		{[]string{"192.168.1.2/24", "192.168.2.2", "--gateway=192.168.1.1"}, 0, ""},
		{[]string{"300.1.1.1"}, 2, "upcase ip: 300.1.1.1: 300 is not 0-255\n"},
		{[]string{"10.0.0.1/33"}, 2, "upcase ip: 10.0.0.1/33: /33 is not 0-32\n"},
		{[]string{"10.0.0.1/255.0.255.0"}, 2, "upcase ip: 10.0.0.1/255.0.255.0: mask 255.0.255.0 is not contiguous: its 1 bits must all come first (11111111.00000000.11111111.00000000)\n"},
		{[]string{"garbage"}, 2, "upcase ip: garbage: not an IPv4 or IPv6 address\n"},
		{[]string{"192.168.1.2/24", "192.168.2.2", "--gateway=10.0.0.1"}, 2, ""},
		{[]string{"--bogus"}, 2, ""},
	}
	for _, tt := range tests {
		code, out, errOut := runIP(t, tt.args...)
		if code != tt.code {
			t.Errorf("upcase ip %v: exit %d, want %d (stderr %q)", tt.args, code, tt.code, errOut)
		}
		if tt.code != 0 {
			if out != "" || strings.Count(errOut, "\n") != 1 {
				t.Errorf("upcase ip %v: stdout %q, stderr %q: want one line on stderr only", tt.args, out, errOut)
			}
			if tt.errLine != "" && errOut != tt.errLine {
				t.Errorf("upcase ip %v: stderr\n %q\nwant\n %q", tt.args, errOut, tt.errLine)
			}
		}
	}
}

func TestIPJSON(t *testing.T) {
	code, out, _ := runIP(t, "--json", "172.16.10.1/24")
	var info map[string]any
	if err := json.Unmarshal([]byte(out), &info); code != 0 || err != nil {
		t.Fatalf("exit %d, %v: %s", code, err, out)
	}
	for k, want := range map[string]any{"network": "172.16.10.0", "broadcast": "172.16.10.255", "first_host": "172.16.10.1", "last_host": "172.16.10.254", "hosts": "254", "prefix_len": 24.0, "mask": "255.255.255.0", "kind": "private"} {
		if info[k] != want {
			t.Errorf("%s = %v, want %v", k, info[k], want)
		}
	}

	code, out, _ = runIP(t, "192.168.1.2/24", "192.168.2.2", "--gateway=192.168.1.1", "--json")
	var path struct {
		SameSubnet bool   `json:"same_subnet"`
		AskFor     string `json:"ask_for"`
		Frames     []struct {
			SrcMAC string `json:"src_mac"`
			DstMAC string `json:"dst_mac"`
			SrcIP  string `json:"src_ip"`
			DstIP  string `json:"dst_ip"`
		} `json:"frames"`
	}
	if err := json.Unmarshal([]byte(out), &path); code != 0 || err != nil {
		t.Fatalf("exit %d, %v: %s", code, err, out)
	}
	if path.SameSubnet || path.AskFor != "192.168.1.1" || len(path.Frames) != 2 ||
		path.Frames[0].DstMAC != "FF:FF:FF:FF:FF:FF" || path.Frames[0].DstIP != "192.168.1.1" ||
		path.Frames[1].DstMAC != "MAC of gateway 192.168.1.1" || path.Frames[1].DstIP != "192.168.2.2" {
		t.Errorf("different-subnet path: %+v", path)
	}

	code, out, _ = runIP(t, "--local", "--json")
	var local struct {
		Interfaces []struct {
			Name string `json:"name"`
		} `json:"interfaces"`
		DefaultRoutes []any `json:"default_routes"`
	}
	if err := json.Unmarshal([]byte(out), &local); code != 0 || err != nil || local.DefaultRoutes == nil {
		t.Fatalf("--local --json: exit %d, %v: %s", code, err, out)
	}
}
