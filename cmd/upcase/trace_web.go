package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/netip"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/upcase/upcase/internal/lang"
	"github.com/upcase/upcase/internal/netns"
	"github.com/upcase/upcase/internal/trace"
	"github.com/upcase/upcase/internal/trace/demo"
	"github.com/upcase/upcase/internal/trace/tracejson"
	"github.com/upcase/upcase/internal/trace/web"
)

// defaultWebAddr is where --web serves without an address: loopback only,
// on a port the kernel picks.
const defaultWebAddr = "127.0.0.1:0"

// webFlag is --web[=HOST:PORT]: a flag that may be given alone, as a
// boolean is (--web, --web=true), or with the address to serve on, or a
// port alone (--web=8099), which serves on loopback.
type webFlag struct {
	on   bool
	addr string
}

func (f *webFlag) IsBoolFlag() bool { return true }

func (f *webFlag) String() string {
	if f == nil || !f.on {
		return ""
	}
	return f.addr
}

func (f *webFlag) Set(s string) error {
	if b, err := strconv.ParseBool(s); err == nil {
		f.on, f.addr = b, defaultWebAddr
		return nil
	}
	if n, err := strconv.ParseUint(s, 10, 16); err == nil {
		// A port alone: on loopback, as without an address.
		f.on, f.addr = true, net.JoinHostPort("127.0.0.1", strconv.FormatUint(n, 10))
		return nil
	}
	if _, port, err := net.SplitHostPort(s); err != nil {
		return fmt.Errorf("want HOST:PORT, such as 127.0.0.1:8099: %w", err)
	} else if n, err := strconv.ParseUint(port, 10, 16); err != nil || (n == 0 && port != "0") {
		return fmt.Errorf("the port %q is not a number from 0 to 65535", port)
	}
	f.on, f.addr = true, s
	return nil
}

// webConflicts are the flags --web cannot honour: the page chooses its
// scenarios and plays them its own way.
var webConflicts = []string{"port", "count", "json", "pcap", "ipv6", "close-delay", "absolute"}

// checkWebFlags refuses flags given with --web that it would ignore, as
// scenarioFlags does, and returns what the page's URL carries of the
// others: --scenario and --lang, when given.
func checkWebFlags(fs *flag.FlagSet) (url.Values, error) {
	q := url.Values{}
	var err error
	fs.Visit(func(f *flag.Flag) {
		switch {
		case err != nil:
		case f.Name == "scenario" || f.Name == "lang":
			q.Set(f.Name, f.Value.String())
		case slices.Contains(webConflicts, f.Name):
			err = usageError{fmt.Sprintf("--%s does not apply with --web: the page plays the scenarios itself", f.Name)}
		}
	})
	return q, err
}

// traceWeb serves the page until ctx ends (Ctrl-C, SIGTERM). The server
// listens on the host, where the browser is; each demo runs in a private
// network namespace, a child process as `upcase trace` runs it.
func traceWeb(ctx context.Context, sio stdio, addr string, query url.Values) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("--web: %w", err)
	}
	host, _, _ := net.SplitHostPort(addr)
	name := ""
	if _, err := netip.ParseAddr(host); err != nil && host != "" {
		name = host // a name the user chose: Host headers may say it
	}
	srv := &web.Server{
		Demo:   demoChild,
		Live:   liveChild(sio.err),
		Name:   name,
		Logger: slog.New(slog.NewTextHandler(sio.err, &slog.HandlerOptions{Level: slog.LevelWarn})),
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	fmt.Fprintf(sio.out, "serving the trace page at %s (Ctrl-C to stop)\n", pageURL(ln.Addr().(*net.TCPAddr).AddrPort(), name, query))
	select {
	case <-ctx.Done():
	case err := <-served:
		return err
	}
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	err = srv.Shutdown(sctx)
	<-served
	return err
}

// pageURL is the page's address for the user to open: on a wildcard
// address, this machine's loopback.
func pageURL(bound netip.AddrPort, name string, query url.Values) string {
	host := name
	if host == "" {
		ip := bound.Addr().Unmap()
		if ip.IsUnspecified() {
			ip = netip.AddrFrom4([4]byte{127, 0, 0, 1})
		}
		host = ip.String()
	}
	u := url.URL{Scheme: "http", Host: net.JoinHostPort(host, strconv.Itoa(int(bound.Port()))), Path: "/", RawQuery: query.Encode()}
	return u.String()
}

// demoChild plays a scenario as `upcase trace --json` does, in a child in
// a private network namespace, and returns its document.
func demoChild(ctx context.Context, sc demo.Scenario, l lang.Lang) ([]byte, error) {
	var out, errb bytes.Buffer
	args := []string{os.Args[0], "trace", "--json", "--scenario=" + string(sc), "--lang=" + l.String()}
	code, err := netns.Run(ctx, args, nil, &out, &errb)
	if err != nil {
		return nil, err
	}
	if code != 0 {
		return nil, fmt.Errorf("%s", strings.TrimSpace(lastLine(errb.String())))
	}
	return out.Bytes(), nil
}

// lastLine is the last line of s that is not empty.
func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return lines[len(lines)-1]
}

// liveChild starts the live demo as a child in a private network
// namespace (`upcase trace --web-live`), talking JSON Lines on its stdin
// and stdout; its stderr is ours.
func liveChild(stderr io.Writer) func(context.Context) (web.LiveSession, error) {
	return func(ctx context.Context) (web.LiveSession, error) {
		inR, inW, err := os.Pipe()
		if err != nil {
			return nil, fmt.Errorf("start the live demo: %w", err)
		}
		outR, outW, err := os.Pipe()
		if err != nil {
			inR.Close()
			inW.Close()
			return nil, fmt.Errorf("start the live demo: %w", err)
		}
		done := make(chan error, 1)
		go func() {
			code, err := netns.Run(ctx, []string{os.Args[0], "trace", "--web-live"}, inR, outW, stderr)
			inR.Close()
			outW.Close() // the child's copy is closed too: the reader sees the end
			if errors.Is(err, context.Canceled) && ctx.Err() != nil {
				err = nil // stopped as the server shuts down (and told so by SIGINT)
			}
			if err == nil && code != 0 {
				err = fmt.Errorf("the live demo exited with status %d", code)
			}
			done <- err
		}()
		return web.NewPipe(inW, outR, func() error { return <-done }), nil
	}
}

// traceWebLive is the live demo's child (--web-live, which only
// traceWeb's liveChild passes): in a private network namespace, the
// upper-casing server and a capture of its port; each line of stdin
// (a web.LiveLine) is one conversation, whose steps, reply and errors go to
// stdout as web.LiveEvent lines, each step in both languages. It ends at
// the end of stdin, or when ctx ends.
func traceWebLive(ctx context.Context, sio stdio) error {
	if !netns.Inside() {
		return rerunInNamespace(ctx, sio)
	}
	if err := netns.LoopbackUp(); err != nil {
		return err
	}
	lv, err := demo.StartLive()
	if err != nil {
		return fmt.Errorf("trace: %w", err)
	}
	defer lv.Close()
	lines := make(chan web.LiveLine)
	go func() {
		defer close(lines)
		dec := json.NewDecoder(sio.in)
		for {
			var l web.LiveLine
			if dec.Decode(&l) != nil {
				return // the end of stdin, or garbage: the parent has gone
			}
			select {
			case lines <- l:
			case <-ctx.Done():
				return
			}
		}
	}()
	enc := json.NewEncoder(sio.out)
	for {
		var l web.LiveLine
		select {
		case <-ctx.Done():
			return nil
		case line, ok := <-lines:
			if !ok {
				return nil
			}
			l = line
		}
		var werr error
		emit := func(ev web.LiveEvent) {
			if err := enc.Encode(ev); err != nil && werr == nil {
				werr = err
			}
		}
		reply, err := lv.Play(ctx, l.Line, func(c *trace.Conversation, s trace.Step) {
			emit(web.LiveEvent{Conversation: l.Conversation, Steps: []tracejson.Record{
				tracejson.NewRecord(c, s, lang.English), tracejson.NewRecord(c, s, lang.Chinese),
			}})
		})
		if err == nil || reply != "" {
			emit(web.LiveEvent{Conversation: l.Conversation, Reply: &reply})
		}
		if err != nil && ctx.Err() == nil {
			emit(web.LiveEvent{Conversation: l.Conversation, Error: err.Error()})
		}
		if werr != nil {
			return nil // the parent has stopped reading: it is going
		}
	}
}
