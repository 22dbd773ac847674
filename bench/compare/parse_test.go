package main

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"math"
	"os"
	"slices"
	"strings"
	"testing"
)

func TestParseProcStat(t *testing.T) {
	// The command name may hold spaces and parentheses.
	line := "4242 (we ird) (name)) S 1 4242 4242 0 -1 4194560 1234 0 0 0 " +
		"731 52 9 4 20 0 3 0 98765 123456789 2048 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 0 0 0 0 0 0\n"
	got, err := parseProcStat(line)
	if err != nil {
		t.Fatal(err)
	}
	want := ProcTicks{Comm: "we ird) (name)", Utime: 731, Stime: 52, CUtime: 9, CStime: 4, Start: 98765}
	if got != want {
		t.Errorf("parseProcStat = %+v, want %+v", got, want)
	}
	if got.Total() != 783 || got.WithChildren() != 796 {
		t.Errorf("Total, WithChildren = %d, %d; want 783, 796", got.Total(), got.WithChildren())
	}
	for _, bad := range []string{"", "1 (x S 1 2", "1 (x) S 1 2 3", "1 (x) S 1 1 1 0 -1 0 0 0 0 0 u 1 1 1 1 1 1 1 1 1\n"} {
		if _, err := parseProcStat(bad); err == nil {
			t.Errorf("parseProcStat(%q) gave no error", bad)
		}
	}
}

func TestReadProcTicksSelf(t *testing.T) {
	// Burn a little CPU so there is something to see.
	x := 0
	for i := range 50_000_000 {
		x += i
	}
	_ = x
	pt, err := readProcTicks(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	if pt.Start == 0 || pt.Comm == "" {
		t.Errorf("readProcTicks(self) = %+v", pt)
	}
	if rss, err := readVmRSS(os.Getpid()); err != nil || rss == 0 {
		t.Errorf("readVmRSS(self) = %d, %v", rss, err)
	}
	if n, err := countFDs(os.Getpid()); err != nil || n < 3 {
		t.Errorf("countFDs(self) = %d, %v", n, err)
	}
}

func TestParseVmRSS(t *testing.T) {
	status := "Name:\tcepoll\nVmPeak:\t    2712 kB\nVmRSS:\t    1644 kB\nThreads:\t1\n"
	if got, err := parseVmRSS(status); err != nil || got != 1644 {
		t.Errorf("parseVmRSS = %d, %v; want 1644", got, err)
	}
	if _, err := parseVmRSS("Name:\tx\n"); err == nil {
		t.Error("no VmRSS line: no error")
	}
	if _, err := parseVmRSS("VmRSS:\t12 MB\n"); err == nil {
		t.Error("unknown unit: no error")
	}
	if v, ok := parseStatusField("Cpus_allowed_list:\t0\n", "Cpus_allowed_list"); !ok || v != "0" {
		t.Errorf("Cpus_allowed_list = %q, %v", v, ok)
	}
}

func TestParseSystemStat(t *testing.T) {
	text := "cpu  428508 0 152186 958538 1989 0 12455 485 0 0\n" +
		"cpu0 205422 1 75384 489236 526 2 6175 239 0 0\n" +
		"cpu1 223086 0 76801 469302 1462 0 6280 246 0 0\n" +
		"intr 1 2 3\nctxt 99\n"
	got, err := parseSystemStat(text)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 {
		t.Fatalf("got %d CPUs, want 2", len(got))
	}
	want := CPUTicks{205422, 1, 75384, 489236, 526, 2, 6175, 239}
	if got[0] != want {
		t.Errorf("cpu0 = %+v, want %+v", got[0], want)
	}
	d := got[1].Sub(got[0])
	if d.User != 223086-205422 || d.Idle != uint64(469302-489236+1<<64) {
		// Sub wraps like the counters; only differences of later samples matter.
		t.Errorf("Sub = %+v", d)
	}
	if _, err := parseSystemStat("intr 1\n"); err == nil {
		t.Error("no cpu lines: no error")
	}
}

func TestBusyTicks(t *testing.T) {
	a := cpuSample{cpus: map[int]CPUTicks{0: {Idle: 1000}}}
	a.at = a.at.AddDate(2026, 0, 0)
	b := cpuSample{at: a.at.Add(2e9), cpus: map[int]CPUTicks{0: {Idle: 1150, IOWait: 10}}}
	// 2 s at 100 ticks/s is 200 ticks, 160 of them idle.
	if got := busyTicks(a, b, 0, 100); math.Abs(got-40) > 1e-9 {
		t.Errorf("busyTicks = %v, want 40", got)
	}
	if got := busyShare(a, b, 0, 100); math.Abs(got-0.2) > 1e-9 {
		t.Errorf("busyShare = %v, want 0.2", got)
	}
}

func TestOtherTicks(t *testing.T) {
	before := map[int]ProcTicks{
		1:   {Comm: "init", Utime: 10},
		50:  {Comm: "ksoftirqd/0", Stime: 5},
		100: {Comm: "sh", Utime: 1},
		101: {Comm: "go", Utime: 40, Stime: 10}, // exits and is waited for by sh
		200: {Comm: "server", Utime: 1000},      // ours
	}
	after := map[int]ProcTicks{
		1:   {Comm: "init", Utime: 11},                                 // +1
		50:  {Comm: "ksoftirqd/0", Stime: 500},                         // left out
		100: {Comm: "sh", Utime: 1, CUtime: 70, CStime: 30},            // go ended at 70+15, plus a compile of 15 it waited for
		102: {Comm: "vet", Utime: 7},                                   // started in between: +7
		200: {Comm: "server", Utime: 5000},                             // ours
		300: {Comm: "loadgen", Utime: 400},                             // ours
		301: {Comm: "short", Utime: 3, CUtime: 0, CStime: 0, Start: 9}, // +3
	}
	own := map[int]bool{200: true, 300: true}
	// init +1, sh's children 100 - go's 50 before = +50, vet +7, short +3.
	if got := otherTicks(before, after, own); got != 61 {
		t.Errorf("otherTicks = %d, want 61", got)
	}
	// A process that vanished without its parent counting it cannot make
	// the sum negative.
	if got := otherTicks(map[int]ProcTicks{7: {Utime: 100}}, map[int]ProcTicks{}, nil); got != 0 {
		t.Errorf("otherTicks with a lost process = %d, want 0", got)
	}
}

func TestParseCPUInfoAuxvConfig(t *testing.T) {
	model, n := parseCPUInfo("processor\t: 0\nmodel name\t: AMD EPYC 7B13\nflags\t: fpu\n\nprocessor\t: 1\nmodel name\t: AMD EPYC 7B13\n")
	if model != "AMD EPYC 7B13" || n != 2 {
		t.Errorf("parseCPUInfo = %q, %d", model, n)
	}
	var auxv bytes.Buffer
	for _, kv := range [][2]uint64{{6, 4096}, {17, 250}, {0, 0}} {
		_ = binary.Write(&auxv, binary.LittleEndian, kv)
	}
	if v, ok := parseAuxv(auxv.Bytes(), 17); !ok || v != 250 {
		t.Errorf("parseAuxv(AT_CLKTCK) = %d, %v", v, ok)
	}
	if _, ok := parseAuxv(auxv.Bytes(), 99); ok {
		t.Error("parseAuxv found a missing key")
	}
	if clk := clockTicks(); clk < 1 || clk > 10000 {
		t.Errorf("clockTicks = %d", clk)
	}
	for text, want := range map[string]string{
		"CONFIG_A=y\nCONFIG_IRQ_TIME_ACCOUNTING=y\n":          "on",
		"# CONFIG_IRQ_TIME_ACCOUNTING is not set\n":           "off",
		"CONFIG_HAVE_IRQ_TIME_ACCOUNTING=y\nCONFIG_NO_HZ=y\n": "off",
	} {
		if got := kernelConfigValue(strings.NewReader(text), "CONFIG_IRQ_TIME_ACCOUNTING"); got != want {
			t.Errorf("kernelConfigValue(%q) = %q, want %q", text, got, want)
		}
	}
}

func TestMedian(t *testing.T) {
	nan := math.NaN()
	for _, tc := range []struct {
		in   []float64
		want float64
	}{
		{[]float64{3, 1, 2}, 2},
		{[]float64{4, 1, 3, 2}, 2.5},
		{[]float64{7}, 7},
		{[]float64{5, nan, 1, 3}, 3},
	} {
		if got := median(tc.in); got != tc.want {
			t.Errorf("median(%v) = %v, want %v", tc.in, got, tc.want)
		}
	}
	if !math.IsNaN(median(nil)) || !math.IsNaN(median([]float64{nan})) {
		t.Error("median of nothing is not NaN")
	}
	in := []float64{3, 1, 2}
	median(in)
	if in[0] != 3 {
		t.Error("median sorted its argument")
	}
}

func TestRatioAndNumbers(t *testing.T) {
	nan := math.NaN()
	for _, tc := range []struct {
		v, ref float64
		want   string
	}{
		{100, 100, "1.00×"},
		{50, 200, "0.25×"},
		{123, 10, "12.3×"},
		{81.4, 0.046, "1770×"},
		{1, 0, "–"},
		{nan, 1, "–"},
		{1, nan, "–"},
	} {
		if got := ratio(tc.v, tc.ref); got != tc.want {
			t.Errorf("ratio(%v, %v) = %q, want %q", tc.v, tc.ref, got, tc.want)
		}
	}
	for v, want := range map[float64]string{950: "950", 1234: "1.23k", 15300: "15.3k", 153800: "153.8k", 1234567: "1.23M"} {
		if got := count(v); got != want {
			t.Errorf("count(%v) = %q, want %q", v, got, want)
		}
	}
	for v, want := range map[float64]string{0.0456: "0.046", 3.741: "3.74", 41.63: "41.6", 174.4: "174", 10879: "10879"} {
		if got := num(v); got != want {
			t.Errorf("num(%v) = %q, want %q", v, got, want)
		}
	}
	if plural(1, "rerun") != "1 rerun" || plural(2, "error") != "2 errors" || plural(3, "mismatch") != "3 mismatches" {
		t.Error("plural")
	}
	if count(nan) != "–" || num(nan) != "–" {
		t.Error("NaN not shown as –")
	}
}

func TestSelectCells(t *testing.T) {
	all := defaultCells(10000)
	if len(all) != 10 || all[0].Name != "pp-1c-16B" || all[1].Name != "pp-1c-1KiB" || all[7].Name != "idle-10000c" ||
		all[8].Name != "udp-50s-1x-64B" || !all[9].UDP || all[9].Pipeline != 8 {
		t.Fatalf("defaultCells = %+v", all)
	}
	got, err := selectCells(all, "pp-50c-*,idle-*,pp-50c-16B")
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, c := range got {
		names = append(names, c.Name)
	}
	if strings.Join(names, " ") != "pp-50c-16B pp-50c-1KiB idle-10000c" {
		t.Errorf("selected %v", names)
	}
	if _, err := selectCells(all, "nope"); err == nil {
		t.Error("a pattern matching nothing gave no error")
	}
	if got, _ := selectCells(all, "all"); len(got) != 10 {
		t.Error(`"all" did not select all`)
	}
}

func TestParseBenchOutput(t *testing.T) {
	out := "connecting...\n{\"messages\":150,\"sent\":160,\"msgs_per_sec\":30.5,\"p99_us\":12.5,\"errors\":1,\"mismatches\":2,\"conn_failures\":3}\n"
	b, raw, err := parseBenchOutput([]byte(out))
	if err != nil {
		t.Fatal(err)
	}
	if *b.Messages != 150 || *b.Sent != 160 || *b.MsgsPerSec != 30.5 || *b.P99us != 12.5 || b.Errors != 1 || b.Mismatches != 2 || b.ConnFailures != 3 {
		t.Errorf("parsed %+v", b)
	}
	if raw["msgs_per_sec"] != 30.5 {
		t.Errorf("raw = %v", raw)
	}
	// Indented over several lines.
	b, _, err = parseBenchOutput([]byte("{\n  \"msgs_per_sec\": 7,\n  \"p99_us\": 1\n}\n"))
	if err != nil || *b.MsgsPerSec != 7 || b.Messages != nil {
		t.Errorf("indented: %+v, %v", b, err)
	}
	if _, _, err := parseBenchOutput([]byte(`{"p99_us":1}`)); err == nil {
		t.Error("no msgs_per_sec: no error")
	}
	if _, _, err := parseBenchOutput([]byte("upcase: connection refused\n")); err == nil {
		t.Error("no JSON: no error")
	}
}

func TestRowForAndTable(t *testing.T) {
	load := Cell{Name: "pp-1c-16B", Conns: 1, Size: 16, Pipeline: 1}
	idle := Cell{Name: "idle-10000c", Idle: true, Conns: 10000}
	udp := Cell{Name: "udp-50s-1x-64B", UDP: true, Conns: 50, Size: 64, Pipeline: 1}
	results := []Result{
		{Cell: load, Peer: "upcase", Runs: []RunResult{
			{Attempts: 1, MsgsPerSec: 100, P99us: 50, ServerCPUusPerMsg: 4, ServerBusy: 0.5, LoadgenCPUusPerMsg: 9, LoadgenBusy: 0.9},
			{Attempts: 3, MsgsPerSec: 300, P99us: 70, ServerCPUusPerMsg: 6, ServerBusy: 0.7, LoadgenCPUusPerMsg: 11, LoadgenBusy: 0.9, Disturbed: true, Errors: 2},
			{Attempts: 1, MsgsPerSec: 200, P99us: 60, ServerCPUusPerMsg: 5, ServerBusy: 0.6, LoadgenCPUusPerMsg: 10, LoadgenBusy: 0.9},
			{Error: "server exited"},
		}},
		{Cell: load, Peer: refPeer, Ref: true, Runs: []RunResult{{Attempts: 1, MsgsPerSec: 400, P99us: 30, ServerCPUusPerMsg: 2.5, ServerBusy: 0.4, LoadgenCPUusPerMsg: 5, LoadgenBusy: 1}}},
		{Cell: idle, Peer: "upcase", Runs: []RunResult{{Attempts: 1, RSSKiBPerConn: 0.5}, {Attempts: 1, RSSKiBPerConn: 0.7}}},
		{Cell: idle, Peer: refPeer, Ref: true, Runs: []RunResult{{Attempts: 1, RSSKiBPerConn: 0.05}}},
		{Cell: udp, Peer: refUDPPeer, Ref: true, Runs: []RunResult{{Attempts: 1, MsgsPerSec: 1000, P99us: 10, ServerCPUusPerMsg: 1, ServerBusy: 1, LoadgenCPUusPerMsg: 2, LoadgenBusy: 1, Lost: 5, CPUMessages: 1000}}},
	}
	r := rowFor(results[0])
	if r.MsgsPerSec != (stat{200, 100, 300}) || r.P99us != (stat{60, 50, 70}) || r.CPUusMsg != (stat{5, 4, 6}) ||
		r.GenCPUusMsg != (stat{10, 9, 11}) || r.ServerBusy.Med != 0.6 || r.GenBusy != (stat{0.9, 0.9, 0.9}) {
		t.Errorf("medians and spreads: %+v", r)
	}
	if r.Problems != "2 errors, 1/4 runs failed" || r.Note != "2 reruns, 1/4 disturbed" {
		t.Errorf("problems %q, note %q", r.Problems, r.Note)
	}
	var rows []Row
	for _, res := range results {
		rows = append(rows, rowFor(res))
	}
	var buf bytes.Buffer
	writeTable(&buf, rows)
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if len(lines) != 7 {
		t.Fatalf("table has %d lines, want 7:\n%s", len(lines), buf.String())
	}
	cols := func(l string) []string {
		f := strings.Split(l, "|")
		for i := range f {
			f[i] = strings.TrimSpace(f[i])
		}
		return f[1 : len(f)-1]
	}
	for i, want := range map[int][]string{
		0: {"cell", "peer", "msgs/s", "×C", "p99 µs", "×C", "srv CPU µs/msg", "×C", "srv CPU %", "gen CPU µs/msg", "×C", "gen CPU %", "RSS KiB/idle conn", "×C", "errors", "note"},
		2: {"pp-1c-16B", "upcase", "200 (100–300)", "0.50×", "60.0 (50.0–70.0)", "2.00×", "5.00 (4.00–6.00)", "2.00×", "60 (50–70)", "10.0 (9.00–11.0)", "2.00×", "90", "", "", "2 errors, 1/4 runs failed", "2 reruns, 1/4 disturbed"},
		3: {"", refPeer, "400", "1.00×", "30.0", "1.00×", "2.50", "1.00×", "40", "5.00", "1.00×", "100", "", "", "", ""},
		4: {"idle-10000c", "upcase", "", "", "", "", "", "", "", "", "", "", "0.600 (0.500–0.700)", "12.0×", "", ""},
		5: {"", refPeer, "", "", "", "", "", "", "", "", "", "", "0.050", "1.00×", "", ""},
		6: {"udp-50s-1x-64B", refUDPPeer, "1.00k", "1.00×", "10.0", "1.00×", "1.00", "1.00×", "100", "2.00", "1.00×", "100", "", "", "5 lost (0.500%)", ""},
	} {
		if got := cols(lines[i]); strings.Join(got, ";") != strings.Join(want, ";") {
			t.Errorf("line %d = %q\nwant %q", i, got, want)
		}
	}
	// Every line has the same width and number of columns.
	for _, l := range lines {
		if len([]rune(l)) != len([]rune(lines[0])) || strings.Count(l, "|") != strings.Count(lines[0], "|") {
			t.Errorf("ragged table:\n%s", buf.String())
			break
		}
	}
	// Without an idle cell the RSS columns go; the ratios follow each
	// cell's own reference.
	buf.Reset()
	writeTable(&buf, []Row{rows[0], rows[1], rows[4]})
	lines = strings.Split(strings.TrimSpace(buf.String()), "\n")
	if got := cols(lines[0]); len(got) != 14 || slices.Contains(got, "RSS KiB/idle conn") {
		t.Errorf("header without idle rows: %q", got)
	}
	if got := cols(lines[2]); got[3] != "0.50×" {
		t.Errorf("ratio against the cell's reference: %q", got)
	}
}

func TestSpread(t *testing.T) {
	nan := math.NaN()
	for _, tc := range []struct {
		in   []float64
		want string
	}{
		{[]float64{3, 1, 2}, "2.00 (1.00–3.00)"},
		{[]float64{5, nan, 4, 6, 100}, "5.50 (4.00–100)"},
		{[]float64{7, 7}, "7.00"},
		{nil, "–"},
		{[]float64{nan}, "–"},
	} {
		if got := spread(summarize(tc.in), num); got != tc.want {
			t.Errorf("spread(%v) = %q, want %q", tc.in, got, tc.want)
		}
	}
	if got := spread(summarize([]float64{12345, 9000, 15000}), count); got != "12.3k (9.00k–15.0k)" {
		t.Errorf("spread of rates = %q", got)
	}
}

// A run with no messages has no CPU per message (NaN): -json still writes
// it, without that figure.
func TestRunResultJSONWithoutFigure(t *testing.T) {
	b, err := json.Marshal(RunResult{Attempts: 1, ServerCPUusPerMsg: math.NaN(), LoadgenCPUusPerMsg: math.NaN(), Error: "no messages"})
	if err != nil {
		t.Fatalf("Marshal: %v", err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	if _, ok := m["server_cpu_us_per_msg"]; ok || m["error"] != "no messages" {
		t.Errorf("JSON %s; want the error and no server_cpu_us_per_msg", b)
	}
}
