//go:build !linux

package bench

import "time"

// sleep is time.Sleep where there is no nanosleep.
func sleep(d time.Duration) { time.Sleep(d) }
