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

// Row is one line of the table: one peer in one cell, figures as medians.
type Row struct {
	Cell, Peer string
	Idle       bool
	MsgsPerSec float64 // load cells
	P99us      float64
	CPUusMsg   float64 // server CPU µs per message
	ServerBusy float64 // server CPU share of its CPU, 0..1
	RSSKiBConn float64 // idle cell
	Problems   string  // errors, mismatches, failures
	Note       string  // reruns, disturbed runs
}

// writeTable prints rows grouped by cell, each figure with its ratio to the
// row of peer ref in the same cell.
func writeTable(w io.Writer, rows []Row, ref string) {
	refs := map[string]Row{}
	for _, r := range rows {
		if r.Peer == ref {
			refs[r.Cell] = r
		}
	}
	nan := math.NaN()
	header := []string{"cell", "peer", "msgs/s", "×C", "p99 µs", "×C", "srv CPU µs/msg", "×C", "srv CPU %", "RSS KiB/idle conn", "×C", "errors", "note"}
	var lines [][]string
	prev := ""
	for _, r := range rows {
		c, ok := refs[r.Cell]
		if !ok {
			c = Row{MsgsPerSec: nan, P99us: nan, CPUusMsg: nan, RSSKiBConn: nan}
		}
		cell := r.Cell
		if cell == prev {
			cell = ""
		}
		prev = r.Cell
		if r.Idle {
			lines = append(lines, []string{cell, r.Peer, "", "", "", "", "", "", "",
				num(r.RSSKiBConn), ratio(r.RSSKiBConn, c.RSSKiBConn), r.Problems, r.Note})
			continue
		}
		busy := "–"
		if !math.IsNaN(r.ServerBusy) {
			busy = fmt.Sprintf("%.0f", 100*r.ServerBusy)
		}
		lines = append(lines, []string{cell, r.Peer,
			count(r.MsgsPerSec), ratio(r.MsgsPerSec, c.MsgsPerSec),
			num(r.P99us), ratio(r.P99us, c.P99us),
			num(r.CPUusMsg), ratio(r.CPUusMsg, c.CPUusMsg),
			busy, "", "", r.Problems, r.Note})
	}
	width := make([]int, len(header))
	for i, h := range header {
		width[i] = len([]rune(h))
	}
	for _, l := range lines {
		for i, f := range l {
			width[i] = max(width[i], len([]rune(f)))
		}
	}
	// Numbers right-aligned (markdown "---:"), names left.
	right := []bool{false, false, true, true, true, true, true, true, true, true, true, false, false}
	put := func(fields []string) {
		var b strings.Builder
		b.WriteString("|")
		for i, f := range fields {
			pad := strings.Repeat(" ", width[i]-len([]rune(f)))
			if right[i] {
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
		if right[i] {
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
	fmt.Fprintln(w, "## upcase serve vs. other upper-casing servers, loopback")
	fmt.Fprintln(w)
	fmt.Fprintf(w, "- machine: %s, nproc %d, %s, %s RAM, CLK_TCK %d, IRQ time accounting %s\n", m.CPUModel, m.NProc, m.Kernel, m.MemTotal, m.ClockTck, m.IRQTime)
	var tools []string
	for _, k := range []string{"upcase", "go", "gnet", "gcc"} {
		if v, ok := rep.Tools[k]; ok {
			tools = append(tools, k+": "+v)
		}
	}
	fmt.Fprintf(w, "- %s\n", strings.Join(tools, "; "))
	fmt.Fprintf(w, "- %s; load generator: %s\n", rep.Pinning, rep.Loadgen)
	fmt.Fprintf(w, "- median of %d runs of %s per cell; ×C = peer ÷ %s (msgs/s: higher is better; the rest: lower is better)\n", rep.RunsPer, rep.Duration, refPeer)
	for _, n := range rep.PeerOrder {
		fmt.Fprintf(w, "- %s: %s\n", n, rep.Peers[n])
	}
	fmt.Fprintln(w)
	var rows []Row
	for _, r := range rep.Results {
		rows = append(rows, rowFor(r))
	}
	writeTable(w, rows, refPeer)
	fmt.Fprintln(w)
	fmt.Fprintln(w, "pp-Nc-S: N connections ping-ponging S-byte messages; pipe-: 16 messages in flight per connection; idle-Nc: N connections held open, nothing sent.")
	softirq := "softirq work done in the server's context is included"
	if m.IRQTime != "off" {
		softirq = "softirq work is included only where IRQ time accounting is off"
	}
	fmt.Fprintf(w, "srv CPU µs/msg: the server's utime+stime over the whole load generator run (/proc/PID/stat, clock ticks; connection set-up and warm-up included; %s) ÷ messages sent in that run (the generator's \"sent\", else \"messages\"). srv CPU %%: of its one CPU.\n", softirq)
	fmt.Fprintln(w, "RSS KiB/idle conn: (server VmRSS with the idle connections − VmRSS before) ÷ connections; kernel socket memory is not in RSS.")
	fmt.Fprintln(w, "reruns: runs repeated because other processes used more than", fmt.Sprintf("%.0f%%", 100*d.cfg.disturbed), "of the two CPUs; disturbed: still so after", d.cfg.retries, "reruns (the least disturbed attempt is kept).")
}
