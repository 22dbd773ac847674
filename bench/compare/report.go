package main

import (
	"fmt"
	"io"
	"math"
	"slices"
	"strings"
)

// median of xs, NaN values left out; NaN when nothing is left. An even count
// gives the mean of the middle two.
func median(xs []float64) float64 {
	v := make([]float64, 0, len(xs))
	for _, x := range xs {
		if !math.IsNaN(x) {
			v = append(v, x)
		}
	}
	if len(v) == 0 {
		return math.NaN()
	}
	slices.Sort(v)
	m := len(v) / 2
	if len(v)%2 == 1 {
		return v[m]
	}
	return (v[m-1] + v[m]) / 2
}

// stat is one figure over a cell's runs: the median and the spread,
// min–max.
type stat struct{ Med, Lo, Hi float64 }

// summarize is xs's median, min and max, NaN values left out; all NaN when
// nothing is left.
func summarize(xs []float64) stat {
	nan := math.NaN()
	s := stat{Med: median(xs), Lo: nan, Hi: nan}
	for _, x := range xs {
		if math.IsNaN(x) {
			continue
		}
		if math.IsNaN(s.Lo) || x < s.Lo {
			s.Lo = x
		}
		if math.IsNaN(s.Hi) || x > s.Hi {
			s.Hi = x
		}
	}
	return s
}

// spread formats s as "median (min–max)" with f; the median alone when
// every run gave the same, "–" when there is none.
func spread(s stat, f func(float64) string) string {
	if math.IsNaN(s.Med) {
		return "–"
	}
	if s.Lo == s.Hi || math.IsNaN(s.Lo) {
		return f(s.Med)
	}
	return f(s.Med) + " (" + f(s.Lo) + "–" + f(s.Hi) + ")"
}

// pct formats a share (0..1) as whole percent.
func pct(v float64) string {
	if math.IsNaN(v) {
		return "–"
	}
	return fmt.Sprintf("%.0f", 100*v)
}

// ratio formats v/ref as "1.23×"; "–" when either is missing or ref is 0
// (a reference of zero, like the C server's RSS per idle connection, has no
// meaningful multiple).
func ratio(v, ref float64) string {
	if math.IsNaN(v) || math.IsNaN(ref) || ref == 0 || math.IsInf(ref, 0) {
		return "–"
	}
	r := v / ref
	switch {
	case r >= 100:
		return fmt.Sprintf("%.0f×", r)
	case r >= 10:
		return fmt.Sprintf("%.1f×", r)
	default:
		return fmt.Sprintf("%.2f×", r)
	}
}

// count formats a rate: 950, 12.3k, 1.23M.
func count(v float64) string {
	switch {
	case math.IsNaN(v):
		return "–"
	case v >= 1e6:
		return fmt.Sprintf("%.2fM", v/1e6)
	case v >= 1e4:
		return fmt.Sprintf("%.1fk", v/1e3)
	case v >= 1e3:
		return fmt.Sprintf("%.2fk", v/1e3)
	default:
		return fmt.Sprintf("%.0f", v)
	}
}

// num formats with three significant digits or so: 0.123, 1.23, 12.3, 123, 1234.
func num(v float64) string {
	a := math.Abs(v)
	switch {
	case math.IsNaN(v):
		return "–"
	case a >= 100:
		return fmt.Sprintf("%.0f", v)
	case a >= 10:
		return fmt.Sprintf("%.1f", v)
	case a >= 1:
		return fmt.Sprintf("%.2f", v)
	default:
		return fmt.Sprintf("%.3f", v)
	}
}

// Row is one line of the table: one peer in one cell, each figure's median
// and spread over the runs.
type Row struct {
	Cell, Peer  string
	Ref         bool // the reference of its cell: the ×C are against it
	Idle        bool
	MsgsPerSec  stat // load cells
	P99us       stat
	CPUusMsg    stat   // server CPU µs per message
	ServerBusy  stat   // server CPU share of its CPU, 0..1
	GenCPUusMsg stat   // load generator CPU µs per message
	GenBusy     stat   // load generator CPU share of its CPU, 0..1
	RSSKiBConn  stat   // idle cell
	Problems    string // errors, mismatches, failures, lost datagrams
	Note        string // reruns, disturbed runs
}

// tableHeader is the table's columns; right is true for the numbers.
var (
	tableHeader = []string{"cell", "peer", "msgs/s", "×C", "p99 µs", "×C", "srv CPU µs/msg", "×C", "srv CPU %",
		"gen CPU µs/msg", "×C", "gen CPU %", "RSS KiB/idle conn", "×C", "errors", "note"}
	tableRight = []bool{false, false, true, true, true, true, true, true, true, true, true, true, true, true, false, false}
)

// writeTable prints rows grouped by cell, each figure as "median (min–max)"
// with the ratio of its median to that of the cell's reference row (×C).
// Columns empty in every row (RSS without an idle cell) are left out.
func writeTable(w io.Writer, rows []Row) {
	refs := map[string]Row{}
	for _, r := range rows {
		if r.Ref {
			refs[r.Cell] = r
		}
	}
	none := stat{math.NaN(), math.NaN(), math.NaN()}
	var lines [][]string
	prev := ""
	for _, r := range rows {
		c, ok := refs[r.Cell]
		if !ok {
			c = Row{MsgsPerSec: none, P99us: none, CPUusMsg: none, GenCPUusMsg: none, RSSKiBConn: none}
		}
		cell := r.Cell
		if cell == prev {
			cell = ""
		}
		prev = r.Cell
		if r.Idle {
			lines = append(lines, []string{cell, r.Peer, "", "", "", "", "", "", "", "", "", "",
				spread(r.RSSKiBConn, num), ratio(r.RSSKiBConn.Med, c.RSSKiBConn.Med), r.Problems, r.Note})
			continue
		}
		lines = append(lines, []string{cell, r.Peer,
			spread(r.MsgsPerSec, count), ratio(r.MsgsPerSec.Med, c.MsgsPerSec.Med),
			spread(r.P99us, num), ratio(r.P99us.Med, c.P99us.Med),
			spread(r.CPUusMsg, num), ratio(r.CPUusMsg.Med, c.CPUusMsg.Med),
			spread(r.ServerBusy, pct),
			spread(r.GenCPUusMsg, num), ratio(r.GenCPUusMsg.Med, c.GenCPUusMsg.Med),
			spread(r.GenBusy, pct),
			"", "", r.Problems, r.Note})
	}
	// Keep cell, peer and every column that has something in some row.
	var keep []int
	for i := range tableHeader {
		used := i < 2
		for _, l := range lines {
			used = used || l[i] != ""
		}
		if used {
			keep = append(keep, i)
		}
	}
	pick := func(l []string) []string {
		out := make([]string, len(keep))
		for j, i := range keep {
			out[j] = l[i]
		}
		return out
	}
	header := pick(tableHeader)
	width := make([]int, len(header))
	for i, h := range header {
		width[i] = len([]rune(h))
	}
	for k, l := range lines {
		lines[k] = pick(l)
		for i, f := range lines[k] {
			width[i] = max(width[i], len([]rune(f)))
		}
	}
	// Numbers right-aligned (markdown "---:"), names left.
	put := func(fields []string) {
		var b strings.Builder
		b.WriteString("|")
		for i, f := range fields {
			pad := strings.Repeat(" ", width[i]-len([]rune(f)))
			if tableRight[keep[i]] {
				b.WriteString(" " + pad + f + " |")
			} else {
				b.WriteString(" " + f + pad + " |")
			}
		}
		fmt.Fprintln(w, b.String())
	}
	put(header)
	sep := make([]string, len(header))
	for i := range sep {
		d := strings.Repeat("-", width[i])
		if tableRight[keep[i]] {
			d = d[1:] + ":"
		}
		sep[i] = d
	}
	put(sep)
	for _, l := range lines {
		put(l)
	}
}

// print writes the report: the machine, tools and peers, the table and what
// its columns mean.
func (d *driver) print(w io.Writer, rep *Report) {
	m := rep.Machine
	if rep.Mode == modeClients {
		fmt.Fprintln(w, "## upcase bench vs. a minimal C load generator, against the C servers, loopback")
	} else {
		fmt.Fprintln(w, "## upcase serve vs. other upper-casing servers, loopback")
	}
	fmt.Fprintln(w)
	fmt.Fprintf(w, "- machine: %s, nproc %d, %s, %s RAM, CLK_TCK %d, IRQ time accounting %s\n", m.CPUModel, m.NProc, m.Kernel, m.MemTotal, m.ClockTck, m.IRQTime)
	var tools []string
	for _, k := range []string{"upcase", "go", "gnet", "gcc"} {
		if v, ok := rep.Tools[k]; ok {
			tools = append(tools, k+": "+v)
		}
	}
	fmt.Fprintf(w, "- %s\n", strings.Join(tools, "; "))
	if rep.Mode == modeClients {
		fmt.Fprintf(w, "- %s; the peers are load generators, each against its own instance of the server\n", strings.Replace(rep.Pinning, "load generator", "load generators", 1))
		fmt.Fprintf(w, "- median (min–max) of %d runs of %s per cell; ×C = peer ÷ %s (msgs/s: higher is better; the rest: lower is better)\n", rep.RunsPer, rep.Duration, refGen)
		for _, s := range rep.Servers {
			fmt.Fprintf(w, "- server %s\n", s)
		}
	} else {
		fmt.Fprintf(w, "- %s; load generator: %s\n", rep.Pinning, rep.Loadgen)
		fmt.Fprintf(w, "- median (min–max) of %d runs of %s per cell; ×C = peer ÷ %s (TCP) or %s (UDP) (msgs/s: higher is better; the rest: lower is better)\n", rep.RunsPer, rep.Duration, refPeer, refUDPPeer)
		for _, l := range rep.Loads {
			fmt.Fprintf(w, "- load %s\n", l)
		}
	}
	for _, n := range rep.PeerOrder {
		fmt.Fprintf(w, "- %s: %s\n", n, rep.Peers[n])
	}
	fmt.Fprintln(w)
	var rows []Row
	for _, r := range rep.Results {
		rows = append(rows, rowFor(r))
	}
	writeTable(w, rows)
	fmt.Fprintln(w)
	fmt.Fprintln(w, "pp-Nc-S: N connections ping-ponging S-byte messages; pipe-: 16 messages in flight per connection; idle-Nc: N connections held open, nothing sent; udp-Ns-Kx-S: N UDP sockets, K datagrams of S bytes in flight on each (lost: not answered within 1 s).")
	softirq := "softirq work done in the server's context is included"
	if m.IRQTime != "off" {
		softirq = "softirq work is included only where IRQ time accounting is off"
	}
	fmt.Fprintf(w, "srv CPU µs/msg: the server's utime+stime over the whole load generator run (/proc/PID/stat, clock ticks; connection set-up and warm-up included; %s) ÷ messages sent in that run (the generator's \"sent\", else \"messages\"). srv CPU %%: of its one CPU.\n", softirq)
	fmt.Fprintln(w, "gen CPU µs/msg: the load generator's own utime+stime (getrusage when it exits; the same span and softirq caveat) ÷ the same messages. gen CPU %: of its one CPU.")
	if slices.ContainsFunc(rows, func(r Row) bool { return r.Idle }) {
		fmt.Fprintln(w, "RSS KiB/idle conn: (server VmRSS with the idle connections − VmRSS before) ÷ connections; kernel socket memory is not in RSS.")
	}
	fmt.Fprintln(w, "reruns: runs repeated because other processes used more than", fmt.Sprintf("%.0f%%", 100*d.cfg.disturbed), "of the two CPUs; disturbed: still so after", d.cfg.retries, "reruns (the least disturbed attempt is kept).")
}
