package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

var updateTraceJSON = flag.Bool("update-trace-json", false, "rewrite testdata/trace-json/*.json with what upcase trace --json prints now, normalised")

// TestTraceJSONGolden: the --json document of every scenario, with what
// differs from one run to the next masked (see normaliseTrace), is the one
// in testdata/trace-json: its keys, its steps, each frame's layers and
// fields with their offsets, and every value that does not vary.
//
// The steps are the demo's, which Linux makes the same every time as long
// as each side answers within its delayed-ACK timeout (about 40 ms):
// TestTraceDemo asserts the same. The scenarios run one after another, not
// in parallel, not to stretch that.
func TestTraceJSONGolden(t *testing.T) {
	for _, tt := range []struct {
		name string
		args []string
	}{
		{"normal", nil},
		{"normal-ipv6", []string{"--ipv6"}},
		{"normal-zh", []string{"--lang=zh"}},
		{"halfclose", []string{"--scenario=halfclose"}},
		{"reset", []string{"--scenario=reset"}},
		{"refused", []string{"--scenario=refused"}},
		{"udp", []string{"--scenario=udp"}},
		{"lan", []string{"--scenario=lan"}},
		{"gateway", []string{"--scenario=gateway"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var doc any
			runTraceJSON(t, nil, &doc, tt.args...)
			normaliseTrace(doc, "")
			got, err := json.MarshalIndent(doc, "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, '\n')
			path := filepath.Join("testdata", "trace-json", tt.name+".json")
			if *updateTraceJSON {
				if err := os.WriteFile(path, got, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (make it with -update-trace-json)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("upcase trace --json %v, normalised, differs from %s (rewrite it with -update-trace-json and read the diff):\n%s", tt.args, path, got)
			}
		})
	}
}

// varies names the frame fields whose values differ between runs: ports,
// initial sequence numbers, timestamps, checksums, IP identifications and
// flow labels, and the receive windows, which the kernel sizes from its
// memory.
var varies = map[string]bool{
	"tcp.srcport": true, "tcp.dstport": true, "udp.srcport": true, "udp.dstport": true,
	"tcp.seq_raw": true, "tcp.ack_raw": true,
	"tcp.checksum": true, "udp.checksum": true, "ip.checksum": true,
	"ip.id": true, "ipv6.flow": true,
	"tcp.options": true, "tcp.options.timestamp": true,
	"tcp.options.timestamp.tsval": true, "tcp.options.timestamp.tsecr": true,
	"tcp.window_size_value": true, "tcp.options.wscale": true,
	"tcp.options.wscale.shift": true, "tcp.options.wscale.multiplier": true,
}

// bigNumber is a number in an explanation that varies between runs: an
// initial sequence number, a port or a window.
var bigNumber = regexp.MustCompile(`\d{5,}`)

// normaliseTrace masks, in a decoded --json document, what differs from one
// run to the next: ports, times, frame bytes, the values of the fields in
// varies, big numbers in explanations and windows. The kernel's states are
// left out: only root sees them, and TestTraceDemo covers them.
func normaliseTrace(v any, key string) {
	switch v := v.(type) {
	case map[string]any:
		delete(v, "kernel")
		delete(v, "kernel_notes")
		if notes, ok := v["notes"].([]any); ok {
			v["notes"] = slices.DeleteFunc(notes, checksumNote)
		}
		for k, x := range v {
			switch s, _ := x.(string); {
			case k == "client" || k == "server":
				if s != "" && regexp.MustCompile(`:\d+$`).MatchString(s) {
					v[k] = regexp.MustCompile(`:\d+$`).ReplaceAllString(s, ":PORT")
				}
			case k == "start" || k == "time" || k == "bytes" || k == "window":
				v[k] = "*"
			case k == "explanation":
				v[k] = bigNumber.ReplaceAllString(s, "N")
			case k == "value" && varies[fieldName(v)]:
				v[k] = "*"
			default:
				normaliseTrace(x, k)
			}
		}
	case []any:
		for _, x := range v {
			normaliseTrace(x, key)
		}
	}
}

// checksumNote reports whether a frame's note is the one on a checksum
// left to the network card: where the bytes there happen to verify (one
// time in 65536), there is no note.
func checksumNote(n any) bool {
	m, _ := n.(map[string]any)
	at, _ := m["at"].(string)
	return strings.HasSuffix(at, ".checksum")
}

// fieldName gives the name of a field object, "" for other objects.
func fieldName(m map[string]any) string {
	s, _ := m["name"].(string)
	return s
}
