package bench

import (
	"context"
	"time"
)

// progressEvery is how often Config.Progress is called.
const progressEvery = 250 * time.Millisecond

// watch is what Run's own goroutine does while the connections run: every
// cfg.Interval after measuring starts it adds a step to the throughput
// timeline, it calls cfg.Progress, and when ctx is done it stops the
// connections. It returns the timeline once finished is closed. Its steps
// stop with the sending; a last step then ends where Result.Duration does,
// with the last reply counted, so the timeline covers what the counts
// cover and does not run on while the workers wait for replies that never
// come.
func (r *run) watch(ctx context.Context, ws []*worker, finished <-chan struct{}) []Sample {
	interval := int64(r.cfg.Interval)
	step := time.NewTimer(time.Duration(r.measure + interval - r.now()))
	defer step.Stop()
	var tick <-chan time.Time
	if r.cfg.Progress != nil {
		t := time.NewTicker(progressEvery)
		defer t.Stop()
		tick = t.C
	}
	var samples []Sample
	last, lastN := r.measure, int64(0) // the end of the last step
	prev, prevN := r.now(), int64(0)   // the last progress report
	done := ctx.Done()
	for {
		select {
		case <-finished:
			end, n := r.measured(), messages(r.tallies)
			if end-last >= interval/2 && n > lastN { // a last, partial step
				samples = append(samples, sample(last, end, n-lastN, r.measure))
			}
			return samples
		case <-done:
			r.cancel(ws)
			done = nil
		case <-step.C:
			now, n := r.now(), messages(r.tallies)
			if now > r.stopped {
				continue // the last step, on finished, ends where Result.Duration does
			}
			samples = append(samples, sample(last, now, n-lastN, r.measure))
			last, lastN = now, n
			k := (now-r.measure)/interval + 1 // the next step ends on a multiple of interval
			step.Reset(time.Duration(r.measure + k*interval - now))
		case <-tick:
			now, n := r.now(), messages(r.tallies)
			p := Progress{Elapsed: time.Duration(now - r.measure), Messages: n, Errors: failures(r.tallies)}
			if now > prev {
				p.MsgsPerSec = float64(n-prevN) / time.Duration(now-prev).Seconds()
			}
			prev, prevN = now, n
			r.cfg.Progress(p)
		}
	}
}

// sample is the timeline step from from to to (ns after the epoch) in which
// n messages were answered.
func sample(from, to, n, measure int64) Sample {
	return Sample{
		At:         time.Duration(to - measure),
		Messages:   n,
		MsgsPerSec: float64(n) / time.Duration(to-from).Seconds(),
	}
}

// messages is the replies counted so far.
func messages(ts []*tally) int64 {
	var n int64
	for _, t := range ts {
		n += t.done.Load()
	}
	return n
}

// failures is the errors and mismatches so far, for progress.
func failures(ts []*tally) int64 {
	var n int64
	for _, t := range ts {
		n += t.errs.Load() + t.mismatches.Load() + t.connFailures.Load()
	}
	return n
}
