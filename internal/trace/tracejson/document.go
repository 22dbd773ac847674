package tracejson

import (
	"encoding/hex"
	"time"

	"github.com/upcase/upcase/internal/dissect"
	"github.com/upcase/upcase/internal/lang"
	"github.com/upcase/upcase/internal/trace"
)

// Document is the whole of upcase trace --json (see the package comment).
type Document struct {
	Version  int               `json:"version"`
	Scenario string            `json:"scenario,omitempty"`
	Lang     lang.Lang         `json:"lang"`
	Kind     string            `json:"kind"`
	Client   string            `json:"client"`
	Server   string            `json:"server"`
	Start    time.Time         `json:"start,omitzero"`
	Initial  *States           `json:"initial,omitempty"`
	Steps    []Step            `json:"steps"`
	Final    *States           `json:"final,omitempty"`
	Links    []Link            `json:"links,omitempty"`
	Notes    []string          `json:"notes,omitempty"`
	Terms    map[string]string `json:"terms,omitempty"`
}

// Version is the document's version, which changes when a key changes
// meaning or goes; keys are added without a change.
const Version = 1

// terms are the step's keys that are not a frame's fields, with the
// field whose explanation says what they mean.
var terms = map[string]string{"seq": "tcp.seq", "ack": "tcp.ack", "len": "tcp.len", "window": "tcp.window_size"}

// States are both sides' TCP states, by their RFC 9293 names; a side not
// known is left out.
type States struct {
	Client string `json:"client,omitempty"`
	Server string `json:"server,omitempty"`
}

// Link is what one Ethernet link saw in the lan and gateway scenarios.
type Link struct {
	Name      string           `json:"name"`
	Ends      [2]string        `json:"ends"`
	Host      string           `json:"host"`
	Interface string           `json:"interface"`
	Router    string           `json:"router,omitempty"`
	Owners    map[string]Owner `json:"owners"`
	Steps     []Step           `json:"steps,omitempty"`
}

// Owner is the machine, by its role, and the device a MAC address belongs
// to.
type Owner struct {
	Role      string `json:"role"`
	Interface string `json:"interface"`
}

// Step is one captured frame of a conversation and what it did.
type Step struct {
	Index       int      `json:"index"`
	Time        float64  `json:"time"`
	From        string   `json:"from"`
	To          string   `json:"to"`
	Kind        string   `json:"kind"`
	Flags       []string `json:"flags"`
	Seq         *uint32  `json:"seq,omitempty"`
	Ack         *uint32  `json:"ack,omitempty"`
	Len         int      `json:"len"`
	Window      *int     `json:"window,omitempty"`
	States      *States  `json:"states,omitempty"`
	Kernel      *States  `json:"kernel,omitempty"`
	Explanation string   `json:"explanation"`
	KernelNotes []string `json:"kernel_notes,omitempty"`
	Frame       Frame    `json:"frame"`
}

// Record is one line of live mode's JSON Lines (upcase trace --port
// --json): a step of a connection, as it is captured.
type Record struct {
	Client string    `json:"client"`
	Server string    `json:"server"`
	Lang   lang.Lang `json:"lang"`
	Step   Step      `json:"step"`
}

// NewRecord gives step s of conversation c, timed from c's first step.
func NewRecord(c *trace.Conversation, s trace.Step, l lang.Lang) Record {
	return Record{
		Client: c.Client().String(), Server: c.Server().String(), Lang: l,
		Step: NewStep(c, s, c.Steps()[0].Event.Time, l),
	}
}

// Frame is a captured frame's bytes and its dissection.
type Frame struct {
	Bytes      string  `json:"bytes"`
	Length     int     `json:"length"`
	WireLength int     `json:"wire_length,omitempty"`
	Layers     []Layer `json:"layers"`
	Notes      []Note  `json:"notes,omitempty"`
}

// Note is something of this capture's own to say beside a layer or a
// field: a checksum left for the network card to fill in, a frame shorter
// than a wire allows.
type Note struct {
	At   string `json:"at"`
	Text string `json:"text"`
}

// Layer is one protocol's header (or a payload) in a frame.
type Layer struct {
	Name        string  `json:"name"`
	Level       string  `json:"level,omitempty"`
	Offset      int     `json:"offset"`
	Length      int     `json:"length"`
	Explanation string  `json:"explanation,omitempty"`
	Fields      []Field `json:"fields"`
}

// Field is one field of a header.
type Field struct {
	Name        string  `json:"name"`
	Offset      int     `json:"offset"`
	Length      int     `json:"length"`
	Mask        uint64  `json:"mask,omitempty"`
	Value       string  `json:"value"`
	Explanation string  `json:"explanation,omitempty"`
	Fields      []Field `json:"fields,omitempty"`
}

// New gives the document of conversation c in language l; links are the
// Ethernet links of the lan and gateway scenarios (nil for the others),
// the client's link, whose conversation is c, first.
func New(scenario string, c *trace.Conversation, links []trace.LinkView, l lang.Lang) Document {
	steps := c.Steps()
	d := Document{
		Version:  Version,
		Scenario: scenario,
		Lang:     l,
		Kind:     kindName(c.Kind()),
		Client:   c.Client().String(),
		Server:   c.Server().String(),
	}
	if len(steps) > 0 {
		d.Start = steps[0].Event.Time
		d.Notes = []string{dissect.NoteNoFCS.In(l)}
	}
	d.Steps = Steps(c, steps, d.Start, l)
	if c.Kind() == trace.KindTCP {
		d.Initial, d.Final = states(c.Initial()), states(c.States())
		d.Terms = map[string]string{}
		for key, field := range terms {
			d.Terms[key] = text(dissect.FieldText, field, l)
		}
	}
	for _, lv := range links {
		owners := map[string]Owner{}
		for m, o := range lv.Owners {
			owners[m.String()] = Owner{Role: string(o.Role), Interface: o.Interface}
		}
		jl := Link{
			Name: lv.Name(), Ends: [2]string{string(lv.Ends[0]), string(lv.Ends[1])},
			Host: string(lv.Host), Interface: lv.Interface, Owners: owners,
		}
		if lv.Router.IsValid() {
			jl.Router = lv.Router.String()
		}
		if lv.Conversation != c { // the client's link's steps are the document's
			jl.Steps = Steps(lv.Conversation, lv.Conversation.Steps(), d.Start, l)
		}
		d.Links = append(d.Links, jl)
	}
	return d
}

// Steps gives steps of conversation c, timed from t0.
func Steps(c *trace.Conversation, steps []trace.Step, t0 time.Time, l lang.Lang) []Step {
	out := make([]Step, 0, len(steps))
	for _, s := range steps {
		out = append(out, NewStep(c, s, t0, l))
	}
	return out
}

// NewStep gives one step of conversation c, timed from t0.
func NewStep(c *trace.Conversation, s trace.Step, t0 time.Time, l lang.Lang) Step {
	ev := s.Event
	st := Step{
		Index:       s.Index,
		Time:        ev.Time.Sub(t0).Seconds(),
		From:        string(c.From(s)),
		To:          string(c.To(s)),
		Kind:        kindName(ev.Kind),
		Flags:       []string{},
		Len:         len(ev.Payload),
		Explanation: c.Explain(s, l),
		Frame:       frame(ev, l),
	}
	if ev.Kind == trace.KindTCP {
		st.Flags = ev.TCP.Flags.Names()
		seq, win := s.Seq, s.Window
		st.Seq, st.Window = &seq, &win
		if ev.TCP.Flags.Has(trace.FlagACK) {
			ack := s.Ack
			st.Ack = &ack
		}
		st.States = states(s.After)
		st.KernelNotes = trace.KernelNotes(s, l)
		if k := s.Kernel; k != nil && (k.ClientKnown || k.ServerKnown) {
			st.Kernel = &States{}
			if k.ClientKnown {
				st.Kernel.Client = k.After.Client.String()
			}
			if k.ServerKnown {
				st.Kernel.Server = k.After.Server.String()
			}
		}
	}
	return st
}

// states gives both sides' states.
func states(s trace.States) *States {
	return &States{Client: s.Client.String(), Server: s.Server.String()}
}

// kindName names an event's kind in lower case, as the document does.
func kindName(k trace.Kind) string {
	switch k {
	case trace.KindTCP:
		return "tcp"
	case trace.KindUDP:
		return "udp"
	case trace.KindARP:
		return "arp"
	}
	return "other"
}

// frame gives an event's frame: its bytes and its layers, explained in l.
func frame(ev trace.Event, l lang.Lang) Frame {
	f := Frame{Bytes: hex.EncodeToString(ev.Data), Length: len(ev.Data), Layers: []Layer{}}
	if ev.FrameLen > len(ev.Data) {
		f.WireLength = ev.FrameLen // the capture cut the frame short
	}
	for _, ly := range ev.Frame.Layers {
		f.Layers = append(f.Layers, Layer{
			Name: ly.Name, Offset: ly.Offset, Length: ly.Length,
			Level:       text(dissect.LayerLevel, ly.Name, l),
			Explanation: text(dissect.LayerText, ly.Name, l),
			Fields:      fields(ly.Fields, l),
		})
	}
	for _, n := range dissect.Notes(ev.Frame, ev.Data) {
		f.Notes = append(f.Notes, Note{At: n.At, Text: n.In(l)})
	}
	return f
}

// text gives the text catalog has for name, in l, or "".
func text(catalog func(string) (lang.Text, bool), name string, l lang.Lang) string {
	t, _ := catalog(name)
	return t.In(l)
}

// fields gives a layer's fields, explained in l.
func fields(fs []dissect.Field, l lang.Lang) []Field {
	out := make([]Field, 0, len(fs))
	for _, f := range fs {
		jf := Field{Name: f.Name, Offset: f.Offset, Length: f.Length, Mask: f.Mask, Value: f.Value, Explanation: text(dissect.FieldText, f.Name, l)}
		if len(f.Fields) > 0 {
			jf.Fields = fields(f.Fields, l)
		}
		out = append(out, jf)
	}
	return out
}
