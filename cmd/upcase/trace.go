package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"github.com/upcase/upcase/internal/lang"
	"github.com/upcase/upcase/internal/netns"
	"github.com/upcase/upcase/internal/pcap"
	"github.com/upcase/upcase/internal/trace"
	"github.com/upcase/upcase/internal/trace/capture"
	"github.com/upcase/upcase/internal/trace/demo"
	"github.com/upcase/upcase/internal/trace/ladder"
	"github.com/upcase/upcase/internal/trace/tracejson"
	"golang.org/x/term"
)

func traceCommand() *command {
	return &command{
		name:  "trace",
		short: "show the three-way handshake and the teardown, segment by segment",
		long: `Trace shows what TCP does on the wire, the lesson's first homework: the
three-way handshake, the data and its acknowledgements, and the four-way
teardown, as a ladder of real captured segments with each side's TCP state
(RFC 9293 names) and one sentence explaining each step.

Without --port it plays a scripted conversation (--scenario) between a client
and an upper-casing server in a private network namespace of its own, which
needs no root where the kernel allows unprivileged user namespaces:

  normal     connect, "hello" → "HELLO", a second line, the client
             half-closes, the server closes after --close-delay (four
             teardown segments; --close-delay=0 shows three: the server's
             ACK rides on its FIN)
  halfclose  the client sends a line and shuts down its sending side (FIN)
             before reading; the server reads to the end, answers after
             --close-delay while the connection is half open (client
             FIN-WAIT-2, server CLOSE-WAIT), then closes
  reset      the client aborts (SO_LINGER 0): RST instead of FIN
  refused    nobody listens: the SYN is answered by RST
  udp        two datagrams and their replies: no handshake, no teardown
  lan        the normal conversation between two hosts on one Ethernet
             link (172.16.10.10/24 and 172.16.10.11/24, a veth pair), with
             MAC addresses and the ARP request and reply before the SYN
  gateway    the same through a router: client 192.168.1.2/24, router
             192.168.1.1 and 192.168.2.1, server 192.168.2.2/24; the client
             ARPs for its gateway, and the first SYN is compared on both
             links (MACs change, IPs stay, the TTL drops by one)

--close-delay (at most 2s) applies to normal, halfclose, lan and gateway;
--ipv6 to the scenarios on lo (lan and gateway build IPv4 networks).

With --port it captures the real traffic to and from a local port (for
example the lesson's client.py talking to upcase serve) and draws each
connection as it happens, until Ctrl-C or --count connections have ended.
That needs CAP_NET_RAW: root, or sudo setcap cap_net_raw+ep on the binary.

With --web it serves a page for a browser instead: the same scenarios, each
segment's layers, fields and bytes, and a live mode in which a line typed in
the page is sent by a real client to the real server in a private network
namespace. It listens on 127.0.0.1 unless given an address, answers only
requests that name that address, and runs until Ctrl-C.

The states are inferred from the segments, as the RFC's state diagram
says. Linux differs in details it does not hide: its TIME-WAIT is a separate
record that ss shows for 60 s, and it sends the server's ACK of a FIN at once
or delays it (about 40 ms), which decides between four segments and three.`,
		setup: func(fs *flag.FlagSet) func(context.Context, stdio, []string) error {
			scenario := fs.String("scenario", string(demo.ScenarioNormal), "the scripted conversation: normal, halfclose, reset, refused, udp, lan or gateway")
			closeDelay := durationFlag(fs, "close-delay", demo.DefaultCloseDelay, "how long the server waits after the client's FIN before closing (normal, lan, gateway) or answering (halfclose); 0: at once, at most "+demo.MaxCloseDelay.String())
			ipv6 := fs.Bool("ipv6", false, "use IPv6 (::1) instead of IPv4 (127.0.0.1); not with lan or gateway")
			absolute := fs.Bool("absolute", false, "show sequence and acknowledgement numbers as sent, not relative to each side's initial sequence number")
			pcapFile := fs.String("pcap", "", "also write the captured frames to this pcap `file`, for Wireshark or tshark")
			asJSON := fs.Bool("json", false, "print the segments and states as JSON instead of the ladder")
			port := fs.Int("port", 0, "live mode: capture the traffic of this local `port` (on lo) instead of playing a scenario")
			count := fs.Int("count", 0, "live mode: stop after this many connections have ended (0: at Ctrl-C)")
			language := langFlag(fs)
			var webAt webFlag
			fs.Var(&webAt, "web", "serve the interactive page for a browser, on `HOST:PORT` if given (default 127.0.0.1 and a free port), until Ctrl-C; it prints the URL to open")
			webLive := fs.Bool("web-live", false, "") // internal: --web's live demo, a child
			return func(ctx context.Context, sio stdio, args []string) error {
				if err := noArgs(args); err != nil {
					return err
				}
				l, err := language()
				if err != nil {
					return err
				}
				sc := demo.Scenario(*scenario)
				if !slices.Contains(demo.Scenarios, sc) {
					return usageError{fmt.Sprintf("--scenario must be one of %s, not %q", scenarioNames(nil), *scenario)}
				}
				if *webLive {
					return traceWebLive(ctx, sio)
				}
				// The demos --web starts inherit its environment, and so
				// UPCASE_WEB: inside, they do what their flags say.
				if webAt.on && !netns.Inside() {
					query, err := checkWebFlags(fs)
					if err != nil {
						return err
					}
					return traceWeb(ctx, sio, webAt.addr, query)
				}
				if *port < 0 || *port > 65535 {
					return usageError{fmt.Sprintf("--port must be 1-65535, not %d", *port)}
				}
				if *count < 0 {
					return usageError{"--count must not be negative"}
				}
				if *closeDelay < 0 {
					return usageError{"--close-delay must not be negative"}
				}
				if *closeDelay > demo.MaxCloseDelay {
					// Each side of the demo gives up on its connection
					// after 5 s: a longer pause would end in a timeout,
					// and longer than the delayed ACK shows nothing new.
					return usageError{fmt.Sprintf("--close-delay must be at most %v, not %v: the demo's connection would time out first", demo.MaxCloseDelay, *closeDelay)}
				}
				if err := scenarioFlags(fs, sc, *ipv6); err != nil {
					return err
				}
				out := traceOutput{sio: sio, json: *asJSON, pcap: *pcapFile, lang: l, renderer: newRenderer(sio.out, *absolute, l)}
				out.renderer.Link = sc.LinkLayer()
				if *port != 0 {
					return traceLive(ctx, out, uint16(*port), *count)
				}
				if !netns.Inside() {
					// Play the scenario in a private network namespace: this
					// same command, started again inside it.
					return rerunInNamespace(ctx, sio)
				}
				if err := netns.LoopbackUp(); err != nil {
					return err
				}
				res, err := demo.Run(ctx, demo.Config{Scenario: sc, IPv6: *ipv6, CloseDelay: *closeDelay, KernelStates: true})
				if err != nil {
					return fmt.Errorf("trace: %w", err)
				}
				return out.conversation(sc, res)
			}
		},
	}
}

// rerunInNamespace runs this same command again in a private network
// namespace, with our stdin, stdout and stderr, and returns its exit
// status as exitStatus (it has said why).
func rerunInNamespace(ctx context.Context, sio stdio) error {
	code, err := netns.Run(ctx, os.Args, sio.in, sio.out, sio.err)
	if err != nil {
		return err
	}
	if code != 0 {
		return exitStatus(code)
	}
	return nil
}

// scenarioFlags refuses flags that the scenario would ignore, so that
// nobody reads a ladder believing it shows what they asked for. A usage
// error rather than a warning: a warning scrolls away above the ladder,
// and the command does nothing the user could not simply ask for without
// the flag.
func scenarioFlags(fs *flag.FlagSet, sc demo.Scenario, ipv6 bool) error {
	if ipv6 && sc.LinkLayer() {
		return usageError{fmt.Sprintf("--ipv6 does not apply to --scenario=%s: it builds the lesson's IPv4 networks", sc)}
	}
	delaySet := false
	fs.Visit(func(f *flag.Flag) { delaySet = delaySet || f.Name == "close-delay" })
	if delaySet && !sc.UsesCloseDelay() {
		return usageError{fmt.Sprintf("--close-delay does not apply to --scenario=%s: only %s have a server that waits before it closes or answers", sc, scenarioNames(demo.Scenario.UsesCloseDelay))}
	}
	return nil
}

// scenarioNames lists the scenarios for which keep (nil: all) is true.
func scenarioNames(keep func(demo.Scenario) bool) string {
	var names []string
	for _, s := range demo.Scenarios {
		if keep == nil || keep(s) {
			names = append(names, string(s))
		}
	}
	return strings.Join(names, ", ")
}

// newRenderer draws on out, in colour only on a terminal without NO_COLOR,
// as wide as the terminal.
func newRenderer(out io.Writer, absolute bool, l lang.Lang) *ladder.Renderer {
	r := &ladder.Renderer{Out: out, Absolute: absolute, Lang: l}
	if f, ok := out.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		_, noColor := os.LookupEnv("NO_COLOR")
		r.Color = !noColor
		if w, _, err := term.GetSize(int(f.Fd())); err == nil {
			r.Width = min(w, 100)
		}
	}
	return r
}

// traceOutput is where trace's results go: the ladder or JSON, and a pcap
// file.
type traceOutput struct {
	sio      stdio
	json     bool
	pcap     string
	lang     lang.Lang
	renderer *ladder.Renderer
}

// conversation shows a demo's conversation.
func (o traceOutput) conversation(sc demo.Scenario, res *demo.Result) error {
	pcaps := []string{}
	if o.pcap != "" {
		if err := writePcap(o.pcap, res.Frames); err != nil {
			return err
		}
		pcaps = append(pcaps, o.pcap)
		// Beyond a router, each further link gets a file of its own: one
		// pcap file holds one link.
		for i, l := range res.Links {
			if i == 0 {
				continue
			}
			name := strings.TrimSuffix(o.pcap, ".pcap") + "-" + string(l.Ends[0]) + "-" + string(l.Ends[1]) + ".pcap"
			if err := writePcap(name, l.Frames); err != nil {
				return err
			}
			pcaps = append(pcaps, name)
		}
	}
	c := res.Conversation
	var link *trace.LinkView
	if len(res.Links) > 0 {
		link = &res.Links[0]
		o.renderer.Router = link.Router
	}
	if o.json {
		return writeJSON(o.sio.out, tracejson.New(string(sc), c, res.Links, o.lang))
	}
	if err := o.renderer.Title(string(sc), c, link); err != nil {
		return err
	}
	if err := o.renderer.Render(c); err != nil {
		return err
	}
	if len(res.Links) > 0 {
		fmt.Fprintln(o.sio.out)
		if err := ladder.RenderLinks(o.sio.out, res.Links, o.lang); err != nil {
			return err
		}
	}
	if err := o.renderer.Notes(c, sc.LinkLayer(), pcaps); err != nil {
		return err
	}
	return nil
}

// writePcap saves frames as a pcap file.
func writePcap(path string, frames []pcap.Frame) error {
	f, w, err := createPcap(path)
	if err != nil {
		return err
	}
	for _, fr := range frames {
		if err = w.WriteFrame(fr); err != nil {
			break
		}
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("--pcap %s: %w", path, err)
	}
	return nil
}

// createPcap starts a pcap file at path; the caller closes f.
func createPcap(path string) (f *os.File, w *pcap.Writer, err error) {
	if f, err = os.Create(path); err != nil {
		return nil, nil, fmt.Errorf("--pcap: %w", err)
	}
	if w, err = pcap.NewWriter(f); err != nil {
		f.Close()
		return nil, nil, fmt.Errorf("--pcap %s: %w", path, err)
	}
	return f, w, nil
}

// traceLive draws the connections of a local port as they happen.
func traceLive(ctx context.Context, o traceOutput, port uint16, count int) error {
	sock, err := capture.Open(capture.Config{Port: port})
	if errors.Is(err, os.ErrPermission) {
		return fmt.Errorf("--port captures this machine's real traffic on lo, which needs CAP_NET_RAW: "+
			"run it as root, or once `sudo setcap cap_net_raw+ep %s`: %w", executable(), os.ErrPermission)
	}
	if err != nil {
		return err
	}
	defer sock.Close()
	var pcap *pcap.Writer
	if o.pcap != "" {
		f, w, err := createPcap(o.pcap)
		if err != nil {
			return err
		}
		defer f.Close()
		pcap = w
	}
	fmt.Fprintf(o.sio.err, "capturing TCP and UDP on port %d of lo; Ctrl-C to stop\n", port)
	tr := &trace.Tracker{ServerPort: port}
	renderers := map[*trace.Conversation]*ladder.Renderer{}
	var current *trace.Conversation
	ended := 0
	enc := json.NewEncoder(o.sio.out)
	for count == 0 || ended < count {
		f, err := sock.Next(ctx)
		if errors.Is(err, context.Canceled) {
			return nil // Ctrl-C: what was seen has been shown
		}
		if err != nil {
			return err
		}
		if pcap != nil {
			if err := pcap.WriteFrame(f); err != nil {
				return fmt.Errorf("--pcap %s: %w", o.pcap, err)
			}
		}
		ev, err := trace.DecodeFrame(f)
		if err != nil {
			continue
		}
		c, step, err := tr.Add(ev)
		if err != nil {
			continue
		}
		if o.json {
			if err := enc.Encode(tracejson.NewRecord(c, step, o.lang)); err != nil {
				return err
			}
		} else {
			r := renderers[c]
			if r == nil {
				cp := *o.renderer // the settings; each conversation keeps its own clock
				r = &cp
				renderers[c] = r
			}
			if c != current {
				fmt.Fprintln(o.sio.out)
				if err := r.Header(c); err != nil {
					return err
				}
				current = c
			}
			if err := r.Step(step); err != nil {
				return err
			}
		}
		if c.Done() {
			ended++
			delete(renderers, c)
			current = nil
		}
	}
	return nil
}

// executable names this program for a command the user may copy.
func executable() string {
	if p, err := os.Executable(); err == nil {
		return p
	}
	return "$(which upcase)"
}
