package main

import (
	"strings"
	"testing"
)

// TestClientsCells checks -mode=clients' cells and who runs in each: the
// load generators that can load it, each against the reference server of
// its protocol, with c-client the reference; and -mode=servers' UDP cells,
// where only the UDP servers run.
func TestClientsCells(t *testing.T) {
	var names []string
	for _, c := range clientsCells() {
		names = append(names, c.Name)
	}
	if got := strings.Join(names, " "); got != "pp-1c-16B pp-50c-16B pp-1000c-16B pp-50c-1KiB pp-1000c-1KiB udp-50s-1x-64B udp-50s-8x-64B" {
		t.Errorf("clientsCells = %s", got)
	}
	pp, udp := clientsCells()[2], clientsCells()[6]
	if pp.Conns != 1000 || pp.Size != 16 || pp.Pipeline != 1 || pp.UDP || !udp.UDP || udp.Conns != 50 || udp.Pipeline != 8 || udp.Size != 64 {
		t.Errorf("cells: %+v, %+v", pp, udp)
	}

	lineup := func(d *driver, c Cell) string {
		var out []string
		for _, e := range d.entriesFor(c) {
			s := e.Name + ":" + e.Server.Name + "/" + e.Gen.Name
			if e.Ref {
				s += "*"
			}
			out = append(out, s)
		}
		return strings.Join(out, " ")
	}
	for _, tc := range []struct {
		mode, loadgen string
		peers         []string
		cell          Cell
		want          string
	}{
		{modeClients, "upcase", nil, pp, "upcase-bench:c-epoll/upcase-bench c-client:c-epoll/c-client*"},
		{modeClients, "upcase", nil, udp, "upcase-bench:c-udp-mmsg/upcase-bench c-client:c-udp-mmsg/c-client*"},
		// loadgen/ has no UDP: only the C client loads the UDP cells.
		{modeClients, "builtin", nil, udp, "c-client:c-udp-mmsg/c-client*"},
		{modeServers, "upcase", []string{"upcase", refPeer, "upcase-udp", refUDPPeer}, pp, "upcase:upcase/upcase-bench c-epoll:c-epoll/upcase-bench*"},
		{modeServers, "upcase", []string{"upcase", refPeer, "upcase-udp", refUDPPeer}, udp, "upcase-udp:upcase-udp/upcase-bench c-udp-mmsg:c-udp-mmsg/upcase-bench*"},
		// Without upcase bench the UDP cells are loaded by the C client.
		{modeServers, "builtin", []string{"upcase-udp", refUDPPeer}, udp, "upcase-udp:upcase-udp/c-client c-udp-mmsg:c-udp-mmsg/c-client*"},
	} {
		d := &driver{cfg: config{mode: tc.mode}}
		for _, n := range allGenNames {
			g, err := makeGen(n, binaries{}, tc.loadgen, nil)
			if err != nil {
				t.Fatal(err)
			}
			d.gens = append(d.gens, g)
		}
		for _, n := range tc.peers {
			p, err := makePeer(n, binaries{}, nil)
			if err != nil {
				t.Fatal(err)
			}
			d.peers = append(d.peers, p)
		}
		if got := lineup(d, tc.cell); got != tc.want {
			t.Errorf("%s, loadgen %s, %s: %s\nwant %s", tc.mode, tc.loadgen, tc.cell.Name, got, tc.want)
		}
	}
}
