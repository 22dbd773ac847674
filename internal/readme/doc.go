// Package readme keeps the README's samples of command output true to the
// binary. A sample is a fenced code block that follows a marker line
//
//	<!-- sample NAME -->
//
// Blocks finds them, Replace rewrites one with what the command prints now
// (the generator: go generate ./cmd/upcase), and Shape reduces output to
// its structure (words, flags, states, arrows, in order), without the
// numbers that change from run to run (ports, sequence numbers, times,
// rates), so a test can compare a sample with a fresh run.
package readme
