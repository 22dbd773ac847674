package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
)

// benchJSON is the part of the load generator's JSON the table needs. This
// file reads that JSON from the load generator's output.
type benchJSON struct {
	Messages     *float64 `json:"messages"`      // answered while measuring
	Sent         *float64 `json:"sent"`          // sent in all, warm-up included
	ConnFailures float64  `json:"conn_failures"` // connections that could not be opened
	MsgsPerSec   *float64 `json:"msgs_per_sec"`
	P99us        *float64 `json:"p99_us"`
	Errors       float64  `json:"errors"`
	Mismatches   float64  `json:"mismatches"`
	Lost         float64  `json:"lost"` // UDP: not answered within the timeout
}

// parseBenchOutput finds the JSON object in the load generator's output
// (the last line that is one, so stray lines before it do no harm).
func parseBenchOutput(out []byte) (benchJSON, map[string]any, error) {
	lines := bytes.Split(bytes.TrimSpace(out), []byte("\n"))
	for i := len(lines) - 1; i >= 0; i-- {
		l := bytes.TrimSpace(lines[i])
		if len(l) == 0 || l[0] != '{' {
			continue
		}
		b, raw, ok := decodeBenchJSON(l)
		if !ok {
			continue
		}
		if b.MsgsPerSec == nil {
			return b, raw, errors.New("load generator JSON has no msgs_per_sec")
		}
		return b, raw, nil
	}
	// Maybe indented over several lines.
	if i := bytes.IndexByte(out, '{'); i >= 0 {
		var obj json.RawMessage
		if json.NewDecoder(bytes.NewReader(out[i:])).Decode(&obj) == nil {
			if b, raw, ok := decodeBenchJSON(obj); ok && b.MsgsPerSec != nil {
				return b, raw, nil
			}
		}
	}
	return benchJSON{}, nil, fmt.Errorf("no JSON object with msgs_per_sec in the load generator's output: %q", truncate(string(out), 300))
}

// decodeBenchJSON decodes one JSON object twice: the fields the table needs,
// and the whole of it, kept in the report.
func decodeBenchJSON(obj []byte) (b benchJSON, raw map[string]any, ok bool) {
	ok = json.Unmarshal(obj, &b) == nil && json.Unmarshal(obj, &raw) == nil
	return b, raw, ok
}

// truncate shortens s to n bytes, marking the cut with an ellipsis.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
