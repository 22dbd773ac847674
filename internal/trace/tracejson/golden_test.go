package tracejson

import (
	"bytes"
	"encoding/json"
	"flag"
	"net/netip"
	"os"
	"path/filepath"
	"testing"

	"github.com/upcase/upcase/internal/lang"
	"github.com/upcase/upcase/internal/pcap"
	"github.com/upcase/upcase/internal/trace"
)

var update = flag.Bool("update", false, "rewrite testdata/*.json")

// TestGolden: the document of each scenario's capture, committed as a pcap
// file in internal/dissect/testdata (the captures TestTshark checks against
// tshark), is the one in testdata, byte for byte: every key, step, layer,
// field, offset, value and explanation. A capture read from a file makes it
// exact: nothing varies between runs, so nothing is masked. (The live
// documents upcase trace --json prints are checked end to end in
// cmd/upcase.)
func TestGolden(t *testing.T) {
	for _, tc := range []struct {
		name, pcap, scenario string
		lang                 lang.Lang
		gateway              string // the client's gateway, in gateway
	}{
		{"normal", "normal.pcap", "normal", lang.English, ""},
		{"normal-zh", "normal.pcap", "normal", lang.Chinese, ""},
		{"normal-ipv6", "normal6.pcap", "normal", lang.English, ""},
		{"halfclose", "halfclose.pcap", "halfclose", lang.English, ""},
		{"halfclose-zh", "halfclose.pcap", "halfclose", lang.Chinese, ""},
		{"reset", "reset.pcap", "reset", lang.English, ""},
		{"refused", "refused.pcap", "refused", lang.English, ""},
		{"udp", "udp.pcap", "udp", lang.English, ""},
		{"lan", "lan.pcap", "lan", lang.English, ""},
		{"gateway-zh", "gateway.pcap", "gateway", lang.Chinese, "192.168.1.1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := fromPcap(t, filepath.Join("..", "..", "dissect", "testdata", tc.pcap), tc.gateway)
			got, err := json.MarshalIndent(New(tc.scenario, c, nil, tc.lang), "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, '\n')
			path := filepath.Join("testdata", tc.name+".json")
			if *update {
				if err := os.WriteFile(path, got, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (make it with -update)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("the document of %s differs from %s; rewrite it with -update and read the diff", tc.pcap, path)
			}
		})
	}
}

// fromPcap follows the conversation of a capture: the client is the
// sender of the first SYN (or datagram), the server its destination, with
// the ARP of the client's gateway if one is given.
func fromPcap(t *testing.T, path, gateway string) *trace.Conversation {
	t.Helper()
	frames, _, err := pcap.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var events []trace.Event
	var c *trace.Conversation
	for _, fr := range frames {
		ev, err := trace.DecodeFrame(fr)
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		events = append(events, ev)
		if c == nil && (ev.Kind == trace.KindTCP || ev.Kind == trace.KindUDP) {
			initial := trace.States{Client: trace.Closed, Server: trace.Listen}
			if ev.Kind == trace.KindUDP {
				initial = trace.States{}
			}
			c = trace.NewConversation(ev.Kind, ev.Src, ev.Dst, initial)
			if gateway != "" {
				c.SetGateways(netip.MustParseAddr(gateway))
			}
		}
	}
	if c == nil {
		t.Fatalf("%s: no TCP or UDP", path)
	}
	for _, ev := range events {
		_, _ = c.Add(ev) // frames of other conversations are not its steps
	}
	return c
}
