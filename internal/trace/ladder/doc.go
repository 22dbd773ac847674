// Package ladder draws a trace's conversation for a terminal: a ladder
// (sequence) diagram with a column per side, each side's TCP state between
// the arrows, a label per segment and one sentence explaining it; and, for
// the lan and gateway scenarios, the first SYN as each link carried it. It
// is one view of the model in package trace; it knows no scenario.
package ladder
