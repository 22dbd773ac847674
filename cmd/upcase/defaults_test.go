package main

import (
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
