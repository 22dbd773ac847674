package trace

import (
	"strings"

	"github.com/upcase/upcase/internal/lang"
)

// kernelMsg is what is said where the kernel's own states differ from
// RFC 9293's, in English and Chinese. TestExplainComplete checks it.
var kernelMsg = struct {
	NoStateYet, SynReceivedLate, ClosedNotTimeWait, KernelPath, KernelState lang.Text
}{
	NoStateYet: lang.Text{
		En: "Linux reports no state for the %s yet: it keeps a half-open connection as a small request socket, so its SYN-RECEIVED is inferred.",
		Zh: "Linux 还没有报告%s的状态：它只把半开连接作为一个轻量的 request_sock 放在半连接队列里，所以这里的 SYN-RECEIVED 是推出来的。",
	},
	SynReceivedLate: lang.Text{
		En: "Linux reports the %s's SYN-RECEIVED only now, as the handshake's last ACK arrives, and %s at once: until then the half-open connection was a request socket, not a full one.",
		Zh: "Linux 直到三次握手的最后一个 ACK 到达，才报告%s的 SYN-RECEIVED，并马上报告 %s：在那之前，这个半开连接只是半连接队列里的一个 request_sock，还不是完整的套接字。",
	},
	ClosedNotTimeWait: lang.Text{
		En: "Linux reports the %s CLOSED, not TIME-WAIT: the socket hands the connection over to a small timewait record, which Linux keeps for a fixed 60 s (`ss -tan state time-wait` shows it).",
		Zh: "Linux 报告%s是 CLOSED，而不是 TIME-WAIT：套接字把连接交给一个精简的 TIME-WAIT 记录（timewait sock），Linux 固定保留它 60 秒（`ss -tan state time-wait` 能看到）。",
	},
	KernelPath: lang.Text{
		En: "Linux reports the %s going %s, where the segments suggest %s.",
		Zh: "Linux 报告%s依次经过 %s，而从报文段推出的是 %s。",
	},
	KernelState: lang.Text{
		En: "Linux reports the %s %s, where the segments suggest %s.",
		Zh: "Linux 报告%s是 %s，而从报文段推出的是 %s。",
	},
}

// KernelNotes gives the sentences to say beside a step's explanation where
// the kernel's own view (Step.Kernel) differs from the textbook's: a state
// Linux reports late, or not at all, or a state of its own. Each is said
// once, at the step where it shows. A step without the kernel's states
// has none.
func KernelNotes(s Step, l lang.Lang) []string {
	if s.Kernel == nil {
		return nil
	}
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
func kernelNote(s Step, client bool, l lang.Lang) string {
	name := RoleServer.In(l)
	if client {
		name = RoleClient.In(l)
	}
	before, inferred := s.Side(client)
	st, changes, known := s.Kernel.Side(client)
	if !known {
		if inferred == SynReceived && before != SynReceived {
			return kernelMsg.NoStateYet.F(l, name)
		}
		return ""
	}
	for _, ch := range changes[:max(len(changes)-1, 0)] {
		if ch.New == SynReceived {
			return kernelMsg.SynReceivedLate.F(l, name, st)
		}
	}
	if st == inferred || (len(changes) == 0 && inferred == before) {
		return ""
	}
	if st == Closed && inferred == TimeWait {
		return kernelMsg.ClosedNotTimeWait.F(l, name)
	}
	if len(changes) > 1 {
		path := []string{changes[0].Old.String()}
		for _, ch := range changes {
			path = append(path, ch.New.String())
		}
		return kernelMsg.KernelPath.F(l, name, strings.Join(path, " → "), inferred)
	}
	return kernelMsg.KernelState.F(l, name, st, inferred)
}
