package bench

import (
	"fmt"
	"io"
	"strings"
	"time"
)

// WriteText writes r for people: a few labelled lines with a unit on every
// number.
func (r *Result) WriteText(w io.Writer) error {
	var b strings.Builder
	mode := "closed loop"
	from := "send"
	if r.Rate > 0 {
		mode = fmt.Sprintf("open loop at %s msgs/s", num(r.Rate))
		from = "intended send"
	}
	unit := "connection" // what carries the load; UDP has no connections
	if r.Network == "udp" {
		unit = "socket"
	}
	engine := ""
	if r.Engine != "" {
		engine = ", " + r.Engine.String() + " engine"
	}
	fmt.Fprintf(&b, "%s over %s%s: %s, %s in flight on each, %d-byte messages, %s",
		r.Addr, strings.ToUpper(r.Network), engine, plural(r.Conns, unit), plural(r.Pipeline, "message"), r.Size, mode)
	if r.MsgsPerConn > 0 {
		fmt.Fprintf(&b, ", a new connection every %s", plural(r.MsgsPerConn, "message"))
	}
	if len(r.Source) > 0 {
		fmt.Fprintf(&b, ", from %s", strings.Join(r.Source, ", "))
	}
	b.WriteString("\n")
	if r.Interrupted {
		fmt.Fprintf(&b, "  interrupted  %s\n", r.interruption())
	}
	fmt.Fprintf(&b, "  duration     %.2f s", r.Duration.Seconds())
	if tail := r.Duration - r.Sending; tail >= minTailShown {
		fmt.Fprintf(&b, ": load sent for %.2f s, then replies still in flight came in over %.2f s", r.Sending.Seconds(), tail.Seconds())
	}
	b.WriteString("\n")
	fmt.Fprintf(&b, "  replies      %d msgs (%d sent), %s MB each way\n", r.Messages, r.Sent, num(float64(r.Bytes)/1e6))
	fmt.Fprintf(&b, "  throughput   %s msgs/s, %s MB/s\n", num(r.MsgsPerSec), num(r.MBPerSec))
	if r.Rate > 0 && !r.Interrupted && r.MsgsPerSec < rateShortfall*r.Rate {
		fmt.Fprintf(&b, "  note         asked for %s msgs/s, reached %s: the server or this machine could not keep up (latency counts from each message's intended send time, so the backlog shows there)\n",
			num(r.Rate), num(r.MsgsPerSec))
	}
	fmt.Fprintf(&b, "  latency      p50 %s µs, p90 %s µs, p99 %s µs, p99.9 %s µs, max %s µs (from the %s time)\n",
		num(r.P50us), num(r.P90us), num(r.P99us), num(r.P999us), num(r.MaxUs), from)
	switch r.Expect {
	case ExpectUpper:
		fmt.Fprintf(&b, "  checked      every byte against the message upper-cased: %d mismatches\n", r.Mismatches)
	case ExpectEcho:
		fmt.Fprintf(&b, "  checked      every byte against the message echoed: %d mismatches\n", r.Mismatches)
	default:
		fmt.Fprintf(&b, "  checked      lengths only: %d mismatches\n", r.Mismatches)
	}
	if r.Network == "udp" {
		fmt.Fprintf(&b, "  lost         %d datagrams (%s%%), %d replies late\n", r.Lost, num(percent(r.Lost, r.Sent)), r.Late)
	}
	fmt.Fprintf(&b, "  errors       %d errors, %d %s failures\n", r.Errors, r.ConnFailures, unit)
	for _, c := range r.causes() {
		fmt.Fprintf(&b, "  cause        %s\n", c)
	}
	if r.FirstError != "" {
		fmt.Fprintf(&b, "  first error  %s\n", r.FirstError)
	}
	if r.ConnsOpened != int64(r.Conns) || r.FailedConnsTotal > 0 {
		fmt.Fprintf(&b, "  connections  %d opened, %d failed\n", r.ConnsOpened, r.FailedConnsTotal)
	}
	for i, f := range r.FailedConns {
		if i == maxFailedShown {
			fmt.Fprintf(&b, "  failed       … and %d more (--json lists up to %d)\n", r.FailedConnsTotal-maxFailedShown, maxFailedConns)
			break
		}
		local := f.Local
		if local == "" {
			local = "?"
		}
		fmt.Fprintf(&b, "  failed       %s → %s at %.3f s: %s\n", local, f.Remote, f.At.Seconds(), f.Error)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// causes says, one line each, what the failures whose cause is likely
// were, what the cause likely is, and where to look.
func (r *Result) causes() []string {
	var out []string
	if n := r.ClosedBeforeReply; n > 0 {
		out = append(out, fmt.Sprintf("the server closed %s before answering: a connection limit on the server? "+
			"(upcase serve --max-conns, --max-conns-per-ip; its log and upcase_connections_rejected_total say which)", plural(n, "connection")))
	}
	if n := r.DialsRefused; n > 0 {
		out = append(out, fmt.Sprintf("%s refused at %s: nothing listening there? "+
			"(a server stopped or not started yet, another port, or a firewall that rejects)", plural(n, "connection"), r.Addr))
	}
	if n := r.DialsTimedOut; n > 0 {
		out = append(out, fmt.Sprintf("%s timed out opening: a server that does not accept them fast enough? "+
			"(its listen backlog full; or a firewall that drops packets)", plural(n, "connection")))
	}
	return out
}

// interruption says when a run that was stopped early stopped, against
// what was planned, so that a reader knows what the counts cover.
func (r *Result) interruption() string {
	switch {
	case r.Sending == 0:
		return "stopped before measuring started (opening the connections, or in the warmup): nothing was measured"
	case r.Sending >= r.Planned:
		return fmt.Sprintf("stopped after the planned %.2f s, while waiting for the last replies", r.Planned.Seconds())
	}
	return fmt.Sprintf("stopped after %.2f s of the planned %.2f s", r.Sending.Seconds(), r.Planned.Seconds())
}

// minTailShown is how long the replies in flight when sending stopped
// must have taken for the report to say so: what shows at two decimals.
const minTailShown = 5 * time.Millisecond

// rateShortfall is how far below --rate an open-loop run may stay before
// the report says it could not keep up.
const rateShortfall = 0.9

// maxFailedShown is how many failed connections the text report lists.
const maxFailedShown = 5

// num formats x with about four significant digits, never in e-notation.
func num(x float64) string {
	switch {
	case x >= 1000 || x == 0:
		return fmt.Sprintf("%.0f", x)
	case x >= 100:
		return fmt.Sprintf("%.1f", x)
	case x >= 10:
		return fmt.Sprintf("%.2f", x)
	}
	return fmt.Sprintf("%.3f", x)
}

// plural is "1 message" or "n messages".
func plural[N int | int64](n N, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

func percent(n, of int64) float64 {
	if of == 0 {
		return 0
	}
	return 100 * float64(n) / float64(of)
}

// String is p as one short line for a live display:
// "3.2 s, 123456 msgs/s, 0 errors".
func (p Progress) String() string {
	if p.Elapsed < 0 {
		return fmt.Sprintf("warming up, %.1f s to go", -p.Elapsed.Seconds())
	}
	return fmt.Sprintf("%.1f s, %s msgs/s, %d errors", p.Elapsed.Seconds(), num(p.MsgsPerSec), p.Errors)
}
