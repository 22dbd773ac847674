package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// TestTraceWebBrowser drives the page of upcase trace --web in a real
// browser (Debian's chromium, which .ci/run installs), as a learner would:
// in English and, from the browser's Accept-Language, in Chinese; it clicks
// a segment and a field and checks which bytes light up, clicks a byte and
// checks which field is chosen, switches to the gateway scenario, sends a
// line in live mode and sees its segments and reply, and fails on any
// JavaScript exception. With -update-readme (go generate ./cmd/upcase) it
// also takes the README's screenshot, docs/trace-web.png.
func TestTraceWebBrowser(t *testing.T) {
	needTraceRoot(t)
	browser := ""
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			browser = p
			break
		}
	}
	if browser == "" {
		skipUnlessCI(t, fmt.Errorf("no chromium on PATH (.ci/run installs it)"))
	}
	p := startUpcase(t, "trace", "--web=127.0.0.1:0")
	base := p.output.waitFor(t, p, pageURLLine)[1]

	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(browser),
		chromedp.NoSandbox,              // root in CI; the page is ours
		chromedp.WindowSize(1600, 1160), // the ladder shows the hosts and the first four steps at once
		chromedp.UserDataDir(t.TempDir()),
	)
	actx, cancelAlloc := chromedp.NewExecAllocator(t.Context(), opts...)
	defer cancelAlloc()
	ctx, cancelBrowser := chromedp.NewContext(actx)
	defer cancelBrowser()
	if err := chromedp.Do(ctx); err != nil { // the browser and its tab
		t.Fatalf("start %s: %v", browser, err)
	}

	var mu sync.Mutex
	var exceptions []string
	if err := chromedp.Listen(ctx, func(ev any) {
		if e, ok := ev.(*runtime.EventExceptionThrown); ok {
			mu.Lock()
			exceptions = append(exceptions, (&chromedp.ExceptionError{ExceptionDetails: e.ExceptionDetails}).Error())
			mu.Unlock()
		}
	}); err != nil {
		t.Fatal(err)
	}
	defer func() {
		mu.Lock()
		defer mu.Unlock()
		for _, e := range exceptions {
			t.Errorf("JavaScript exception: %s", e)
		}
	}()
	// Each step is bounded: a page that never shows what is waited for
	// fails the test instead of hanging it.
	do := func(what string, actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		sctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		defer cancel()
		if err := chromedp.Do(sctx, actions...); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	evalInts := func(what, js string) []int {
		t.Helper()
		v, err := chromedp.Run(ctx, chromedp.Evaluate[[]int](js))
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		return v
	}
	evalString := func(what, js string) string {
		t.Helper()
		v, err := chromedp.Run(ctx, chromedp.Evaluate[string](js))
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		return v
	}

	// English, the normal conversation: a segment per step, each a
	// data-step, numbered in order. (13 as a rule; 14 when the server is
	// slower to answer "second line" than its delayed ACK: the kernel's
	// choice, not the page's.)
	do("load the page in English", chromedp.Navigate(base+"/?lang=en"), chromedp.WaitVisible(`body[data-loaded="normal"]`))
	lang := evalString("the page's language", `document.documentElement.lang`)
	steps := evalInts("the segments", `[...document.querySelectorAll('#ladder [data-step]')].map(e => +e.dataset.step)`)
	if lang != "en" || len(steps) < 13 || !slices.Equal(steps, sequence(len(steps))) {
		t.Errorf("in English: lang %q, segments %v; want en and the steps of normal, from 0 in order", lang, steps)
	}

	// A segment, then a field: exactly the field's bytes light up. The
	// client's "hello" (step 3); its sequence number as sent, the 4 bytes
	// at 38 (Ethernet 14 + IPv4 20 + 4).
	hello := evalString("the client's hello", `[...document.querySelectorAll('#ladder [data-step]')].find(e => e.textContent.includes('hello'))?.dataset.step ?? ''`)
	do("choose the segment with the data", chromedp.Click(`#ladder [data-step="`+hello+`"]`), chromedp.WaitVisible(`.field[data-field="tcp.seq_raw"]`))
	do("choose tcp.seq_raw", chromedp.Click(`.field[data-field="tcp.seq_raw"]`))
	const litBytes = `[...document.querySelectorAll('#hex [data-off].hl')].map(e => +e.dataset.off)`
	lit := evalInts("the lit bytes", litBytes)
	if !slices.Equal(lit, []int{38, 39, 40, 41}) {
		t.Errorf("tcp.seq_raw lights bytes %v; want 38-41", lit)
	}
	if *updateREADME {
		// The picture shows the ladder from its top, the hosts' names
		// and states, down to the chosen step, whole.
		const fromTop = `(() => {
			const box = document.getElementById('ladder-scroll'); box.scrollTop = 0;
			const b = box.getBoundingClientRect(), r = document.querySelector('#ladder .seg.sel .band').getBoundingClientRect();
			return r.top >= b.top && r.bottom <= b.bottom; })()`
		if whole, err := chromedp.Run(ctx, chromedp.Evaluate[bool](fromTop)); err != nil || !whole {
			t.Fatalf("the ladder from its top does not show the chosen step whole (%v): the screenshot would cut it", err)
		}
		png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
		if err != nil {
			t.Fatalf("the screenshot: %v", err)
		}
		if err := os.WriteFile(filepath.Join("..", "..", "docs", "trace-web.png"), png, 0o644); err != nil {
			t.Fatal(err)
		}
	}

	// A byte chooses its field: byte 23 is IPv4's protocol.
	do("choose byte 23", chromedp.Click(`#hex [data-off="23"]`))
	chosen := evalString("the chosen field", `document.querySelector('.field.sel')?.dataset.field ?? ''`)
	lit = evalInts("the lit bytes", litBytes)
	if chosen != "ip.proto" || !slices.Equal(lit, []int{23}) {
		t.Errorf("byte 23 chooses %q and lights %v; want ip.proto and byte 23", chosen, lit)
	}

	// Another scenario: through a router, two links.
	do("switch to gateway", chromedp.Click(`[data-scenario="gateway"]`), chromedp.WaitVisible(`body[data-loaded="gateway"]`))
	if n := evalInts("the server's link", `[...document.querySelectorAll('#ladder [data-link="1"]')].map(e => 1)`); len(n) == 0 {
		t.Error("gateway shows no segment of the router's second link")
	}

	// Live mode: a line typed in the page goes through the real client and
	// server; its segments appear, the SYN first, and the reply comes back.
	do("live mode", chromedp.Click(`[data-scenario="live"]`), chromedp.WaitVisible(`#live-line`))
	do("send a line", chromedp.SendKeys(`#live-line`, "hello page"), chromedp.Click(`#live button[type=submit]`))
	if _, err := chromedp.Run(ctx, chromedp.Poll[chromedp.Void](`document.querySelector('#live-log')?.textContent.includes('HELLO PAGE')`, chromedp.WithPollingTimeout(30*time.Second))); err != nil {
		t.Fatalf("live mode: no reply in the page: %v", err)
	}
	first := evalString("the first live segment", `document.querySelector('#ladder [data-step="0"]')?.textContent ?? ''`)
	if !strings.Contains(first, "SYN") {
		t.Errorf("the first live segment reads %q; want the SYN", first)
	}

	// Chinese, chosen by the browser's language alone.
	do("load the page as a Chinese browser", acceptLanguage("zh-CN,zh"),
		chromedp.Navigate(base+"/"), chromedp.WaitVisible(`body[data-loaded="normal"]`))
	lang = evalString("the page's language", `document.documentElement.lang`)
	level := evalString("the layers", `document.querySelector('#tree')?.textContent ?? ''`)
	if lang != "zh" || !strings.Contains(level, "数据链路层") {
		t.Errorf("as a Chinese browser: lang %q, layers %.60q; want zh and 数据链路层", lang, level)
	}
}

// acceptLanguage makes the browser ask for pages in the languages al, as a
// browser set up for them does.
func acceptLanguage(al string) chromedp.Action[chromedp.Void] {
	return func(ctx context.Context, t *chromedp.Target) (chromedp.Void, error) {
		_, err := cdp.Call(ctx, t, emulation.SetUserAgentOverride, emulation.SetUserAgentOverrideParams{UserAgent: "Mozilla/5.0 (upcase test)", AcceptLanguage: al})
		return chromedp.Void{}, err
	}
}

// sequence gives 0, 1, ..., n-1.
func sequence(n int) []int {
	s := make([]int, n)
	for i := range s {
		s[i] = i
	}
	return s
}
