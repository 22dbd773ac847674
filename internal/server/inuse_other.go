//go:build !linux

package server

// onlyTimeWait is unknown off Linux.
func onlyTimeWait(int) bool { return false }
