package main

import (
	"bufio"
	"context"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/upcase/upcase/internal/trace/tracejson"
)

// TestTraceWeb: upcase trace --web serves the demo's document and live
// mode through the page's API, refuses a request for another Host, and at
// SIGTERM exits 0 leaving no child behind; as root and as an ordinary user
// (from a user namespace of its own).
func TestTraceWeb(t *testing.T) {
	t.Run("root", func(t *testing.T) {
		needTraceRoot(t)
		checkTraceWeb(t, startUpcase(t, "trace", "--web=127.0.0.1:0"))
	})
	t.Run("unprivileged", func(t *testing.T) {
		needTraceRoot(t)
		// The default address: 127.0.0.1 and a free port.
		wrapper := unprivileged(t)
		checkTraceWeb(t, startCommand(t, wrapper[0], append(wrapper[1:], "upcase", "trace", "--web")...))
	})
}

var pageURLLine = regexp.MustCompile(`(http://127\.0\.0\.1:[0-9]+)/`)

func checkTraceWeb(t *testing.T, p *proc) {
	base := p.output.waitFor(t, p, pageURLLine)[1]

	// A scenario's document, as upcase trace --json prints it.
	resp, err := http.Get(base + "/api/trace?scenario=normal&lang=en")
	if err != nil {
		t.Fatal(err)
	}
	var doc tracejson.Document
	err = json.NewDecoder(resp.Body).Decode(&doc)
	resp.Body.Close()
	if err != nil || resp.StatusCode != 200 || !sameSegments(flagsOf(doc), normalFlags) || doc.Scenario != "normal" {
		t.Errorf("GET /api/trace?scenario=normal: %s, segments %q, %v; want 200 and the segments of normal", resp.Status, flagsOf(doc), err)
	}

	// Live mode: a line's steps, from its SYN, then its reply.
	ctx, cancel := context.WithTimeout(t.Context(), waitLimit) // a reply that never comes fails, not hangs
	defer cancel()
	ereq, _ := http.NewRequestWithContext(ctx, "GET", base+"/api/live/events?lang=zh", nil)
	events, err := http.DefaultClient.Do(ereq)
	if err != nil {
		t.Fatal(err)
	}
	defer events.Body.Close()
	sc := bufio.NewScanner(events.Body)
	sc.Buffer(nil, 1<<20)
	if !sc.Scan() { // the stream's first comment: it is registered
		t.Fatalf("the event stream ended at once: %v", sc.Err())
	}
	req, _ := http.NewRequest("POST", base+"/api/live", strings.NewReader(`{"line":"hello web"}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Origin", base)
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusAccepted {
		t.Fatalf("POST /api/live: %s; want 202", resp.Status)
	}
	var (
		flags []string
		reply string
		name  string
	)
	for reply == "" && sc.Scan() {
		line := sc.Text()
		if v, ok := strings.CutPrefix(line, "event: "); ok {
			name = v
			continue
		}
		data, ok := strings.CutPrefix(line, "data: ")
		if !ok {
			continue
		}
		switch name {
		case "step":
			var rec tracejson.Record
			if err := json.Unmarshal([]byte(data), &rec); err != nil || rec.Lang.String() != "zh" {
				t.Fatalf("a step event %q: %v; want a Record in Chinese", data, err)
			}
			flags = append(flags, strings.Join(rec.Step.Flags, ","))
		case "reply":
			var r struct{ Reply string }
			json.Unmarshal([]byte(data), &r)
			reply = r.Reply
		case "error":
			t.Fatalf("live mode: %s", data)
		}
	}
	if reply != "HELLO WEB" || len(flags) < 7 || flags[0] != "SYN" || flags[1] != "SYN,ACK" {
		t.Errorf("live mode: reply %q, segments %q; want HELLO WEB after the handshake and the rest", reply, flags)
	}

	// Another Host: refused, whatever the path.
	req, _ = http.NewRequest("GET", base+"/api/scenarios", nil)
	req.Host = "rebound.example" + base[strings.LastIndex(base, ":"):]
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMisdirectedRequest {
		t.Errorf("GET with Host %s: %s; want 421", req.Host, resp.Status)
	}

	children := childrenOf(t, p.cmd.Process.Pid)
	if len(children) == 0 {
		t.Errorf("no live demo child runs")
	}
	p.signal(t, syscall.SIGTERM)
	if code := p.wait(t); code != 0 {
		t.Errorf("exit %d after SIGTERM; want 0", code)
	}
	for _, pid := range children {
		if _, err := os.Stat("/proc/" + strconv.Itoa(pid)); err == nil {
			t.Errorf("the child %d outlived upcase trace --web", pid)
		}
	}
}

// childrenOf lists the processes whose parent is pid: each of its threads'
// children (a child belongs to the thread that started it).
func childrenOf(t *testing.T, pid int) []int {
	t.Helper()
	files, err := filepath.Glob("/proc/" + strconv.Itoa(pid) + "/task/*/children")
	if err != nil || len(files) == 0 {
		t.Fatalf("no /proc/%d/task/*/children: %v", pid, err)
	}
	var pids []int
	for _, f := range files {
		b, _ := os.ReadFile(f)
		for _, w := range strings.Fields(string(b)) {
			n, _ := strconv.Atoi(w)
			pids = append(pids, n)
		}
	}
	return pids
}
