package ladder

import (
	"fmt"
	"strings"

	"github.com/upcase/upcase/internal/trace"
)

// kernelLegend ends a ladder with the kernel's states.
const kernelLegend = "States are RFC 9293's, from the segments, as the explanations speak of " +
	"them; Linux's own, from its sock:inet_sock_set_state tracepoint, stand " +
	"under them in brackets where they differ, and a * marks a state Linux " +
	"had not reported. Linux differs from RFC 9293's diagram in three ways: " +
	"it reports the server's SYN-RECEIVED only as the handshake's last ACK " +
	"arrives (until then the half-open connection is a small request socket, " +
	"not a full one); it never reports TIME-WAIT (the socket goes to CLOSED " +
	"and hands over to a timewait record, which `ss -tan state time-wait` " +
	"shows for a fixed 60 s); and it reports the client's SYN-SENT with source " +
	"port 0 (the port is picked just after)."

// kernelNotes gives the sentences said under a step's explanation where
// the kernel's own view differs from the textbook's: a state Linux reports
// late, or not at all, or a state of its own. Each is said once, at the step
// where it shows.
func kernelNotes(s trace.Step) []string {
	var notes []string
	for _, client := range []bool{true, false} {
		if n := kernelNote(s, client); n != "" {
			notes = append(notes, n)
		}
	}
	return notes
}

// kernelNote gives the note on the client's or the server's state after s,
// or "".
func kernelNote(s trace.Step, client bool) string {
	name := "server"
	if client {
		name = "client"
	}
	before, inferred := s.Side(client)
	st, changes, known := s.Kernel.Side(client)
	if !known {
		if inferred == trace.SynReceived && before != trace.SynReceived {
			return fmt.Sprintf("Linux reports no state for the %s yet: it keeps a half-open connection as a small request socket, so its SYN-RECEIVED is inferred.", name)
		}
		return ""
	}
	for _, ch := range changes[:max(len(changes)-1, 0)] {
		if ch.New == trace.SynReceived {
			return fmt.Sprintf("Linux reports the %s's SYN-RECEIVED only now, as the handshake's last ACK arrives, and %s at once: until then the half-open connection was a request socket, not a full one.", name, st)
		}
	}
	if st == inferred || (len(changes) == 0 && inferred == before) {
		return ""
	}
	if st == trace.Closed && inferred == trace.TimeWait {
		return fmt.Sprintf("Linux reports the %s CLOSED, not TIME-WAIT: the socket hands the connection over to a small timewait record, which Linux keeps for a fixed 60 s (`ss -tan state time-wait` shows it).", name)
	}
	if len(changes) > 1 {
		path := []string{changes[0].Old.String()}
		for _, ch := range changes {
			path = append(path, ch.New.String())
		}
		return fmt.Sprintf("Linux reports the %s going %s, where the segments suggest %s.", name, strings.Join(path, " → "), inferred)
	}
	return fmt.Sprintf("Linux reports the %s %s, where the segments suggest %s.", name, st, inferred)
}
