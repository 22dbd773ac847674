package bench

import "golang.org/x/sys/unix"

// preciseTimers sets the calling thread's timer slack to 1ns: Linux lets a
// sleep overshoot by 50µs by default, to batch wake-ups.
func preciseTimers() { unix.Prctl(unix.PR_SET_TIMERSLACK, 1, 0, 0, 0) }
