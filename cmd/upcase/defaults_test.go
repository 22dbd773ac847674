package main

import (
	"strconv"
	"syscall"
	"testing"
)

// TestDefaultServerTakesALocalLoadTest: `upcase serve` with its defaults
// serves `upcase bench --conns=1000` from its own machine in full. (With the
// per-address limit of 256 counting 127.0.0.1 like any remote host, it once
// closed most of them at once and said nothing without -v.)
func TestDefaultServerTakesALocalLoadTest(t *testing.T) {
	p, addr := startServe(t, "--log-format=json")
	res := waitBench(t, startBench(t, "--addr="+addr, "--conns=1000", "--duration=1s"))
	if res.exit != 0 || res.Messages == 0 || res.Errors != 0 || res.ConnFailures != 0 || res.FailedConnsTotal != 0 || res.ConnsOpened != 1000 {
		t.Errorf("1000 connections to a default server: exit %d, %d messages, %d errors, %d failed dials, %d failed connections, %d opened; want all served",
			res.exit, res.Messages, res.Errors, res.ConnFailures, res.FailedConnsTotal, res.ConnsOpened)
	}
	for _, r := range p.records() {
		if r.str("level") != "INFO" {
			t.Errorf("the server reported %v; want nothing above info", r)
		}
	}
}

// TestRefusalExplainedOnBothEnds: connections refused by a limit are
// reported by the server without -v, counted, with the flag that sets the
// limit; and bench, on the refused side, counts them as closed before any
// reply and names the likely cause.
func TestRefusalExplainedOnBothEnds(t *testing.T) {
	p, addr := startServe(t, "--max-conns=4", "--log-format=json")
	res := waitBench(t, startBench(t, "--addr="+addr, "--conns=40", "--duration=1s"))
	if res.exit == 0 || res.ClosedBeforeReply == 0 || res.ClosedBeforeReply != res.Errors || res.Mismatches != 0 {
		t.Errorf("bench: exit %d, %d closed before a reply, %d errors, %d mismatches; want the refusals counted as closed before a reply, and a failure",
			res.exit, res.ClosedBeforeReply, res.Errors, res.Mismatches)
	}
	p.signal(t, syscall.SIGTERM)
	if code := p.wait(t); code != 0 {
		t.Fatalf("the server exited %d after SIGTERM; want 0", code)
	}
	var refused int64
	for _, r := range p.records() {
		if r.str("reason") != "max_conns" {
			continue
		}
		if r.str("level") != "WARN" || r.str("flag") != "--max-conns" || r.str("limit") != "4" || r.host("last_peer") != "127.0.0.1" {
			t.Errorf("a refusal reported as %v; want a warning naming --max-conns, its limit and the client", r)
		}
		n, err := strconv.ParseInt(r.str("count"), 10, 64)
		if err != nil {
			t.Errorf("a refusal record's count %q: %v", r.str("count"), err)
		}
		refused += n
	}
	// Every refusal bench saw was reported; the server may have refused a
	// few more that bench opened as its run ended and never used.
	if refused < res.ClosedBeforeReply {
		t.Errorf("the server reported %d refusals; bench saw %d", refused, res.ClosedBeforeReply)
	}
}
