package tracejson

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"net/netip"
	"os"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/upcase/upcase/internal/dissect"
	"github.com/upcase/upcase/internal/lang"
	"github.com/upcase/upcase/internal/pcap"
	"github.com/upcase/upcase/internal/trace"
	"github.com/upcase/upcase/internal/trace/tracetest"
)

// follow builds a conversation from frames tracetest made.
func follow(t *testing.T, kind trace.Kind, client, server netip.AddrPort, frames []pcap.Frame, gateways ...netip.Addr) *trace.Conversation {
	t.Helper()
	initial := trace.States{Client: trace.Closed, Server: trace.Listen}
	if kind == trace.KindUDP {
		initial = trace.States{}
	}
	c := trace.NewConversation(kind, client, server, initial)
	c.SetGateways(gateways...)
	for _, f := range frames {
		ev, err := trace.DecodeFrame(f)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.Add(ev); err != nil {
			t.Fatal(err)
		}
	}
	return c
}

// TestTCPSteps: a TCP conversation's document: CLOSED is a state like any
// other, flags are a list in Wireshark's order, ack only with ACK, windows
// scaled after the handshake, and every frame's bytes and layers are the
// dissection's.
func TestTCPSteps(t *testing.T) {
	c4, s4 := tracetest.Client4, tracetest.Server4
	c := follow(t, trace.KindTCP, c4, s4, tracetest.Normal4(c4, s4))
	d := New("normal", c, nil, lang.English)
	if d.Initial == nil || *d.Initial != (States{Client: "CLOSED", Server: "LISTEN"}) {
		t.Errorf("initial %+v; want CLOSED and LISTEN", d.Initial)
	}
	if d.Final == nil || *d.Final != (States{Client: "TIME-WAIT", Server: "CLOSED"}) {
		t.Errorf("final %+v; want TIME-WAIT and CLOSED", d.Final)
	}
	syn, synAck, last := d.Steps[0], d.Steps[1], d.Steps[len(d.Steps)-1]
	if !slices.Equal(syn.Flags, []string{"SYN"}) || syn.Ack != nil || *syn.Seq != 0 || syn.From != "client" || syn.To != "server" {
		t.Errorf("SYN: flags %v, ack %v, seq %v, from %s to %s", syn.Flags, syn.Ack, *syn.Seq, syn.From, syn.To)
	}
	if !slices.Equal(synAck.Flags, []string{"SYN", "ACK"}) || synAck.Ack == nil || *synAck.Ack != 1 || synAck.From != "server" {
		t.Errorf("SYN, ACK: flags %v, ack %v, from %s", synAck.Flags, synAck.Ack, synAck.From)
	}
	if *last.States != (States{Client: "TIME-WAIT", Server: "CLOSED"}) || last.Time <= 0 {
		t.Errorf("last step: states %+v, time %v", last.States, last.Time)
	}
	for i, s := range c.Steps() {
		js := d.Steps[i]
		if js.Index != i || *js.Window != s.Window || js.Len != len(s.Event.Payload) || js.Explanation != c.Explain(s, lang.English) {
			t.Errorf("step %d: %+v does not say what the step is", i, js)
		}
		b, err := hex.DecodeString(js.Frame.Bytes)
		if err != nil || !bytes.Equal(b, s.Event.Data) || js.Frame.Length != len(b) {
			t.Errorf("step %d: bytes %q are not the frame's", i, js.Frame.Bytes)
		}
		checkLayers(t, s.Event.Frame, js.Frame.Layers)
	}
}

// checkLayers: the document's layers and fields are the dissection's, in
// order, each explained.
func checkLayers(t *testing.T, f dissect.Frame, layers []Layer) {
	t.Helper()
	if len(layers) != len(f.Layers) {
		t.Fatalf("%d layers; the dissection has %d", len(layers), len(f.Layers))
	}
	var check func([]dissect.Field, []Field)
	check = func(want []dissect.Field, got []Field) {
		if len(got) != len(want) {
			t.Errorf("%d fields, want %d", len(got), len(want))
			return
		}
		for i, w := range want {
			g := got[i]
			if g.Name != w.Name || g.Offset != w.Offset || g.Length != w.Length || g.Mask != w.Mask || g.Value != w.Value {
				t.Errorf("field %+v; the dissection has %+v", g, w)
			}
			if g.Explanation == "" {
				t.Errorf("field %s is not explained", g.Name)
			}
			check(w.Fields, g.Fields)
		}
	}
	for i, l := range f.Layers {
		g := layers[i]
		if g.Name != l.Name || g.Offset != l.Offset || g.Length != l.Length || g.Level == "" || g.Explanation == "" {
			t.Errorf("layer %+v; the dissection has %s at %d, %d bytes", g, l.Name, l.Offset, l.Length)
		}
		check(l.Fields, g.Fields)
	}
}

// TestUDPAndChinese: a UDP flow has no states and empty flag lists; in
// Chinese the explanations, levels and notes are Chinese and the keys are
// not.
func TestUDPAndChinese(t *testing.T) {
	c4, s4 := tracetest.Client4, tracetest.Server4
	c := follow(t, trace.KindUDP, c4, s4, tracetest.UDP(c4, s4))
	d := New("udp", c, nil, lang.Chinese)
	if d.Initial != nil || d.Final != nil || d.Kind != "udp" || d.Lang != lang.Chinese {
		t.Errorf("document %+v: want no states, kind udp, lang zh", d)
	}
	for _, s := range d.Steps {
		if s.Flags == nil || len(s.Flags) != 0 || s.Seq != nil || s.States != nil || s.Kind != "udp" {
			t.Errorf("step %d: flags %v, seq %v, states %v", s.Index, s.Flags, s.Seq, s.States)
		}
		if !strings.Contains(s.Explanation, "数据报") || !strings.Contains(s.Frame.Layers[0].Level, "数据链路层") {
			t.Errorf("step %d in Chinese: %q, %q", s.Index, s.Explanation, s.Frame.Layers[0].Level)
		}
	}
	b, err := json.Marshal(d)
	if err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{`"lang":"zh"`, `"flags":[]`, `"level":"数据链路层"`, `"notes":["`} {
		if !bytes.Contains(b, []byte(key)) {
			t.Errorf("the JSON lacks %s", key)
		}
	}
	for _, absent := range []string{`"initial"`, `"seq"`, `"window"`, `"states"`, `"links"`} {
		if bytes.Contains(b, []byte(absent)) {
			t.Errorf("a UDP document has %s", absent)
		}
	}
}

// TestGatewayLinks: on the client's link of the gateway scenario the
// router's ARP reply is from the router, and each link is in links with
// its owners.
func TestGatewayLinks(t *testing.T) {
	clientLink, serverLink := tracetest.Gateway()
	cl := follow(t, trace.KindTCP, tracetest.GWClient, tracetest.GWServer, clientLink, tracetest.GWRouter1)
	sl := follow(t, trace.KindTCP, tracetest.GWClient, tracetest.GWServer, serverLink, tracetest.GWRouter2)
	links := []trace.LinkView{
		{Ends: [2]trace.Role{trace.RoleClient, trace.RoleRouter}, Conversation: cl, Router: tracetest.GWRouter1,
			Owners: map[trace.MAC]trace.Owner{tracetest.GWClientMAC: {Role: trace.RoleClient, Interface: "eth0"}}},
		{Ends: [2]trace.Role{trace.RoleRouter, trace.RoleServer}, Conversation: sl},
	}
	d := New("gateway", cl, links, lang.English)
	req, rep := d.Steps[0], d.Steps[1]
	if req.From != "client" || req.To != "router" || rep.From != "router" || rep.To != "client" || req.Kind != "arp" {
		t.Errorf("ARP: %s %s→%s, %s→%s; want client→router and back", req.Kind, req.From, req.To, rep.From, rep.To)
	}
	if len(d.Links) != 2 || d.Links[0].Router != "192.168.1.1" || d.Links[0].Name != "client ↔ router" ||
		d.Links[0].Owners[macKey(tracetest.GWClientMAC)] != (Owner{Role: "client", Interface: "eth0"}) {
		t.Fatalf("links %+v", d.Links)
	}
	// The client's link's steps are the document's; the server's link has
	// its own, on the same clock.
	if d.Links[0].Steps != nil || len(d.Links[1].Steps) != len(sl.Steps()) {
		t.Errorf("links' steps: %d and %d", len(d.Links[0].Steps), len(d.Links[1].Steps))
	}
	if got, want := d.Links[1].Steps[0].Time, sl.Steps()[0].Event.Time.Sub(d.Start).Seconds(); got != want {
		t.Errorf("the server link's first step at %v s; want %v s after the document's start", got, want)
	}
}

// macKey writes a MAC as the document's owners key it.
func macKey(m tracetest.MAC) string { return trace.MAC(m).String() }

// TestKernelStates: as root the steps carry the kernel's states beside
// RFC 9293's, CLOSED included: Linux's client is CLOSED where the RFC's is
// in TIME-WAIT.
func TestKernelStates(t *testing.T) {
	c4, s4 := tracetest.Client4, tracetest.Server4
	c := follow(t, trace.KindTCP, c4, s4, tracetest.Normal4(c4, s4))
	var times []time.Time
	for _, s := range c.Steps() {
		times = append(times, s.Event.Time)
	}
	var changes []trace.KernelChange
	for _, ch := range tracetest.LinuxNormal4(times, c4, s4) {
		from, _ := trace.StateFromLinux(uint8(ch.Old))
		to, _ := trace.StateFromLinux(uint8(ch.New))
		changes = append(changes, trace.KernelChange{Time: ch.Time, Local: ch.Local, Remote: ch.Remote, Old: from, New: to})
	}
	c.AttachKernel(changes)
	d := New("normal", c, nil, lang.English)
	last := d.Steps[len(d.Steps)-1]
	if last.Kernel == nil || last.Kernel.Client != "CLOSED" || last.States.Client != "TIME-WAIT" {
		t.Errorf("last step: states %+v, kernel %+v; want TIME-WAIT beside the kernel's CLOSED", last.States, last.Kernel)
	}
	if first := d.Steps[0]; first.Kernel == nil || first.Kernel.Server != "" {
		t.Errorf("first step: kernel %+v; want the client's state only (Linux reports the server's SYN-RECEIVED late)", first.Kernel)
	}
}

// TestDocumented: every key the document can have is in the package
// comment, which is its schema.
func TestDocumented(t *testing.T) {
	doc, err := os.ReadFile("doc.go")
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range []any{Document{}, Link{}, Owner{}, Step{}, States{}, Frame{}, Note{}, Layer{}, Field{}, Record{}} {
		typ := reflect.TypeOf(v)
		for i := range typ.NumField() {
			key, _, _ := strings.Cut(typ.Field(i).Tag.Get("json"), ",")
			if !regexp.MustCompile(`\b` + key + `\b`).Match(doc) {
				t.Errorf("%s.%s: the key %q is not in doc.go", typ.Name(), typ.Field(i).Name, key)
			}
		}
	}
}
