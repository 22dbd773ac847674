package ladder

import (
	"strings"
	"unicode/utf8"

	"github.com/upcase/upcase/internal/lang"
)

// runeLen is the width of s on a terminal, for the text this package
// writes: two columns for a wide (Chinese) character, one for the others,
// ANSI sequences not counted.
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
		n += lang.Width(s[i : i+size])
		i += size
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
