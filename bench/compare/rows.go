package main

import (
	"fmt"
	"strings"
)

// rowFor reduces one result to medians and spreads for the table, with its
// problems and notes. This file turns results into the table's rows.
func rowFor(r Result) Row {
	row := Row{Cell: r.Cell.Name, Peer: r.Peer, Ref: r.Ref, Idle: r.Cell.Idle}
	var mps, p99, cpu, busy, gcpu, gbusy, rss []float64
	var errs, mism, lost int64
	var sent float64
	failed, reruns, disturbed, notIdle, estimated := 0, 0, 0, 0, false
	for _, run := range r.Runs {
		if run.Error != "" {
			failed++
			continue
		}
		reruns += run.Attempts - 1
		if run.Disturbed {
			disturbed++
		}
		if run.NotIdleBefore {
			notIdle++
		}
		estimated = estimated || run.MessagesEstimated
		errs += run.Errors
		mism += run.Mismatches
		lost += run.Lost
		sent += run.CPUMessages
		if r.Cell.Idle {
			rss = append(rss, run.RSSKiBPerConn)
			continue
		}
		mps = append(mps, run.MsgsPerSec)
		p99 = append(p99, run.P99us)
		cpu = append(cpu, run.ServerCPUusPerMsg)
		busy = append(busy, run.ServerBusy)
		gcpu = append(gcpu, run.LoadgenCPUusPerMsg)
		gbusy = append(gbusy, run.LoadgenBusy)
	}
	row.MsgsPerSec, row.P99us, row.CPUusMsg = summarize(mps), summarize(p99), summarize(cpu)
	row.ServerBusy, row.GenCPUusMsg, row.GenBusy = summarize(busy), summarize(gcpu), summarize(gbusy)
	row.RSSKiBConn = summarize(rss)
	var probs, notes []string
	if errs > 0 {
		probs = append(probs, plural(int(errs), "error"))
	}
	if mism > 0 {
		probs = append(probs, plural(int(mism), "mismatch"))
	}
	if lost > 0 {
		probs = append(probs, fmt.Sprintf("%d lost (%s%%)", lost, num(100*float64(lost)/sent)))
	}
	if failed > 0 {
		probs = append(probs, fmt.Sprintf("%d/%d runs failed", failed, len(r.Runs)))
	}
	if len(r.Runs) == 0 {
		probs = append(probs, "not run")
	}
	if reruns > 0 {
		notes = append(notes, plural(reruns, "rerun"))
	}
	if disturbed > 0 {
		notes = append(notes, fmt.Sprintf("%d/%d disturbed", disturbed, len(r.Runs)))
	}
	if notIdle > 0 {
		notes = append(notes, fmt.Sprintf("%d/%d started busy", notIdle, len(r.Runs)))
	}
	if estimated {
		notes = append(notes, "msgs estimated")
	}
	if len(r.Notes) > 0 {
		notes = append(notes, "see JSON notes")
	}
	row.Problems = strings.Join(probs, ", ")
	row.Note = strings.Join(notes, ", ")
	return row
}

// plural is n and what, with what's plural unless n is 1.
func plural(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	if strings.HasSuffix(what, "ch") {
		return fmt.Sprintf("%d %ses", n, what)
	}
	return fmt.Sprintf("%d %ss", n, what)
}
