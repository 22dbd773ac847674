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
		{[]string{"192.168.1.255/24", "192.168.1.3"}, 2, "upcase ip: 192.168.1.255/24: 192.168.1.255 is the broadcast address of 192.168.1.0/24 (host bits all 1), not a host's address; a host on 192.168.1.0/24 has one of 192.168.1.1 to 192.168.1.254\n"},
		{[]string{"192.168.1.0/24", "192.168.1.3"}, 2, "upcase ip: 192.168.1.0/24: 192.168.1.0 is the network address of 192.168.1.0/24 (host bits all 0), not a host's address; a host on 192.168.1.0/24 has one of 192.168.1.1 to 192.168.1.254\n"},
		{[]string{"192.168.1.2/24", "192.168.2.2", "--gateway=192.168.1.255"}, 2, ""},
		{[]string{"224.0.0.251/24", "224.0.0.1"}, 2, ""},
		{[]string{"192.168.1.255/24"}, 0, ""},
		{[]string{"10.0.0.1/31", "10.0.0.0"}, 0, ""},
		{[]string{"10.0.0.1/32", "10.0.0.2"}, 0, ""},
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
		path.Frames[0].DstMAC != "ff:ff:ff:ff:ff:ff" || path.Frames[0].DstIP != "192.168.1.1" ||
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

// TestIPJSONSpecial checks the JSON for destinations that need no ARP:
// broadcast and multicast go in one frame to a MAC known in advance, with
// no ask_for and not through the gateway; loopback sends no frame at all.
func TestIPJSONSpecial(t *testing.T) {
	tests := []struct {
		args       []string
		delivery   string
		dstMACs    []string // one per frame
		viaGateway bool
	}{
		{[]string{"192.168.1.2/24", "192.168.1.255"}, "broadcast", []string{"ff:ff:ff:ff:ff:ff"}, false},
		{[]string{"192.168.1.2/24", "255.255.255.255", "--gateway=192.168.1.1"}, "broadcast", []string{"ff:ff:ff:ff:ff:ff"}, false},
		{[]string{"192.168.1.2/24", "224.0.0.251"}, "multicast", []string{"01:00:5e:00:00:fb"}, false},
		{[]string{"192.168.1.2/24", "239.1.2.3", "--gateway=192.168.1.1"}, "multicast", []string{"01:00:5e:01:02:03"}, false},
		{[]string{"2001:db8::1/64", "ff02::fb"}, "multicast", []string{"33:33:00:00:00:fb"}, false},
		{[]string{"127.0.0.1/8", "127.0.0.5"}, "loopback", []string{}, false},
		{[]string{"2001:db8::1/64", "::1"}, "loopback", []string{}, false},
		{[]string{"192.168.1.2/24", "192.168.2.2", "--gateway=192.168.1.1"}, "unicast", []string{"ff:ff:ff:ff:ff:ff", "MAC of gateway 192.168.1.1"}, true},
	}
	for _, tt := range tests {
		code, out, errOut := runIP(t, append(tt.args, "--json")...)
		var path map[string]any
		if err := json.Unmarshal([]byte(out), &path); code != 0 || err != nil {
			t.Fatalf("upcase ip %v: exit %d, %v: %s%s", tt.args, code, err, out, errOut)
		}
		frames, ok := path["frames"].([]any)
		if !ok {
			t.Errorf("upcase ip %v: frames = %#v, want a list", tt.args, path["frames"])
		}
		var macs []string
		for _, f := range frames {
			macs = append(macs, f.(map[string]any)["dst_mac"].(string))
		}
		_, asks := path["ask_for"]
		if path["delivery"] != tt.delivery || path["via_gateway"] != tt.viaGateway || strings.Join(macs, " ") != strings.Join(tt.dstMACs, " ") || asks != (tt.delivery == "unicast") {
			t.Errorf("upcase ip %v --json: delivery %v, via_gateway %v, dst_macs %q, ask_for present %v; want %s, %v, %q, %v",
				tt.args, path["delivery"], path["via_gateway"], macs, asks, tt.delivery, tt.viaGateway, tt.dstMACs, tt.delivery == "unicast")
		}
	}
}
