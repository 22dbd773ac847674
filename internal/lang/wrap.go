package lang

import (
	"strings"
	"unicode/utf8"
)

// Wrap breaks text into lines of at most width terminal cells (see Width).
// English breaks at spaces; Chinese, which has none, between any two
// characters, except that no line starts with closing punctuation (，。：)
// and none ends with opening punctuation (（「), the rule every Chinese
// typesetter follows. A run of Latin letters and digits inside Chinese
// (SYN-RECEIVED, 60) is kept whole. A word wider than width is cut. Spaces
// in text are collapsed to one; empty text gives no lines.
//
// Unicode's line-breaking algorithm (UAX #14) would also break English
// after every hyphen (three-|way); this keeps English lines as people
// expect them and adds only what Chinese needs.
func Wrap(text string, width int) []string {
	width = max(width, 2)
	var lines []string
	var line strings.Builder
	lineWidth := 0
	flush := func() {
		if line.Len() > 0 {
			lines = append(lines, line.String())
			line.Reset()
			lineWidth = 0
		}
	}
	for _, word := range strings.Fields(text) {
		for i, tok := range tokens(word) {
			w := Width(tok)
			sep := 0
			if i == 0 && line.Len() > 0 {
				sep = 1 // the space between two words
			}
			if lineWidth+sep+w > width {
				flush()
				sep = 0
				for w > width { // a token wider than a line is cut
					head := cut(tok, width)
					lines = append(lines, head)
					tok = tok[len(head):]
					w = Width(tok)
				}
			}
			if sep == 1 {
				line.WriteByte(' ')
			}
			line.WriteString(tok)
			lineWidth += sep + w
		}
	}
	flush()
	return lines
}

// tokens splits a word (no spaces) into the pieces a line may break
// between: each wide character on its own, with the closing punctuation
// after it and the opening punctuation before it; each run of narrow
// characters whole.
func tokens(word string) []string {
	var out []string
	start := 0
	for i, r := range word {
		if i == start {
			continue
		}
		prev, _ := utf8.DecodeLastRuneInString(word[:i])
		if breakBetween(prev, r) {
			out = append(out, word[start:i])
			start = i
		}
	}
	return append(out, word[start:])
}

// breakBetween reports whether a line may break between a and b.
func breakBetween(a, b rune) bool {
	switch {
	case strings.ContainsRune(closing, b), strings.ContainsRune(opening, a):
		return false
	case wide(a) || wide(b):
		return true
	}
	return false
}

// closing and opening are the punctuation a Chinese line may not start
// and may not end with.
const (
	closing = "，。、：；！？）」』》％·…—"
	opening = "（「『《"
)

// wide reports whether r takes two cells.
func wide(r rune) bool { return Width(string(r)) == 2 }

// cut gives the longest start of s at most width cells wide, at least one
// character.
func cut(s string, width int) string {
	n := 0
	for i, r := range s {
		w := Width(string(r))
		if n+w > width && i > 0 {
			return s[:i]
		}
		n += w
	}
	return s
}
