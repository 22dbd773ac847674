package server

import (
	"log/slog"
	"strconv"
)

// refused tells the operator of a connection closed without being served,
// without -v: a warning that names the reason, the count, the flag that
// sets the limit and the last client refused, at most one line a second per
// reason (tallyLog). With -v each refusal also has its own debug line
// (logRejected).
func (s *Server) refused(reason RejectReason, peer string, err error) {
	attrs := []any{"reason", string(reason), "last_peer", peer}
	attrs = append(attrs, s.refusalHint(string(reason))...)
	if err != nil {
		attrs = append(attrs, "err", err)
	}
	s.tallies().add("refused:"+string(reason), slog.LevelWarn, "refused connections", attrs...)
}

// refusedDatagram tells the operator of a datagram dropped by a limit or an
// access list, as refused does for connections.
func (s *Server) refusedDatagram(reason DropReason, peer string) {
	attrs := []any{"reason", string(reason), "last_peer", peer}
	attrs = append(attrs, s.refusalHint("udp_"+string(reason))...)
	s.tallies().add("dropped:"+string(reason), slog.LevelWarn, "refused datagrams", attrs...)
}

// refusalHint names the flag that sets the limit behind a refusal, and the
// limit in force, for the operator who reads the warning.
func (s *Server) refusalHint(reason string) []any {
	switch reason {
	case string(RejectMaxConns):
		return []any{"flag", "--max-conns", "limit", strconv.Itoa(s.maxConns())}
	case string(RejectMaxConnsPerIP):
		return []any{"flag", "--max-conns-per-ip", "limit", strconv.Itoa(s.maxConnsPerIP())}
	case string(RejectDenied), "udp_" + string(DropDenied):
		return []any{"flag", "--allow, --deny"}
	case string(RejectProxyUntrusted):
		return []any{"flag", "--proxy-trusted"}
	case string(RejectProxyHeader):
		return []any{"flag", "--proxy-protocol"}
	case "udp_" + string(DropRate):
		return []any{"flag", "--udp-rate", "limit", strconv.Itoa(s.udpRate())}
	}
	return nil
}

// tallies is the server's tallyLog, made on first use.
func (s *Server) tallies() *tallyLog {
	s.talliesOnce.Do(func() { s.tallyLog = newTallyLog(s.logger()) })
	return s.tallyLog
}
