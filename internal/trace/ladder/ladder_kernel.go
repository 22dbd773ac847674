package ladder

import (
	"strings"

	"github.com/upcase/upcase/internal/lang"
	"github.com/upcase/upcase/internal/trace"
)

// kernelLegend ends a ladder with the kernel's states.

// kernelNotes gives the sentences said under a step's explanation where
// the kernel's own view differs from the textbook's: a state Linux reports
// late, or not at all, or a state of its own. Each is said once, at the step
// where it shows.
func kernelNotes(s trace.Step, l lang.Lang) []string {
	var notes []string
	for _, client := range []bool{true, false} {
		if n := kernelNote(s, client, l); n != "" {
			notes = append(notes, n)
		}
	}
	return notes
}

// kernelNote gives the note on the client's or the server's state after s,
// or "".
func kernelNote(s trace.Step, client bool, l lang.Lang) string {
	name := side(l, client)
	before, inferred := s.Side(client)
	st, changes, known := s.Kernel.Side(client)
	if !known {
		if inferred == trace.SynReceived && before != trace.SynReceived {
			return msg.NoStateYet.F(l, name)
		}
		return ""
	}
	for _, ch := range changes[:max(len(changes)-1, 0)] {
		if ch.New == trace.SynReceived {
			return msg.SynReceivedLate.F(l, name, st)
		}
	}
	if st == inferred || (len(changes) == 0 && inferred == before) {
		return ""
	}
	if st == trace.Closed && inferred == trace.TimeWait {
		return msg.ClosedNotTimeWait.F(l, name)
	}
	if len(changes) > 1 {
		path := []string{changes[0].Old.String()}
		for _, ch := range changes {
			path = append(path, ch.New.String())
		}
		return msg.KernelPath.F(l, name, strings.Join(path, " → "), inferred)
	}
	return msg.KernelState.F(l, name, st, inferred)
}
