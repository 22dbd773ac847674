package ladder

import (
	"strings"
	"unicode/utf8"
)

// runeLen is the width of s on a terminal, for the text this package
// writes: one column per rune, ANSI sequences not counted.
func runeLen(s string) int {
	n := 0
	for i := 0; i < len(s); {
		if s[i] == 0x1b { // an SGR sequence: ESC [ ... m
			j := strings.IndexByte(s[i:], 'm')
			if j < 0 {
				break
			}
			i += j + 1
			continue
		}
		_, size := utf8.DecodeRuneInString(s[i:])
		i += size
		n++
	}
	return n
}

// pad fills s with spaces to width columns, on the left when right is true
// (right-aligning it). Text wider than width is left as it is.
func pad(s string, width int, right bool) string {
	n := width - runeLen(s)
	if n <= 0 {
		return s
	}
	if right {
		return strings.Repeat(" ", n) + s
	}
	return s + strings.Repeat(" ", n)
}

// wrap breaks text into lines of at most width columns at spaces; a word
// longer than width is cut. Empty text gives no lines.
func wrap(text string, width int) []string {
	var lines []string
	var line []rune
	for _, word := range strings.Fields(text) {
		w := []rune(word)
		for len(w) > width {
			if len(line) > 0 {
				lines, line = append(lines, string(line)), nil
			}
			lines, w = append(lines, string(w[:width])), w[width:]
		}
		switch {
		case len(line) == 0:
			line = w
		case len(line)+1+len(w) <= width:
			line = append(append(line, ' '), w...)
		default:
			lines, line = append(lines, string(line)), w
		}
	}
	if len(line) > 0 {
		lines = append(lines, string(line))
	}
	return lines
}
