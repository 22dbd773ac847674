//go:build !linux

package bench

// preciseTimers does nothing where there is no timer slack to set.
func preciseTimers() {}
