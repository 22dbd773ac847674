//go:build !linux

package bench

import "time"

// preciseTimers does nothing where there is no timer slack to set.
func preciseTimers() {}

// sleep is time.Sleep where there is no nanosleep.
func sleep(d time.Duration) { time.Sleep(d) }
