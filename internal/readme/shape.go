package readme

import (
	"fmt"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/upcase/upcase/internal/lang"
)

// number is what changes from run to run: a count, a time or rate with its
// unit (µs and ms trade places as the machine's speed varies), a port, a
// sequence number, a dotted address's parts.
var number = regexp.MustCompile(`\d+(\.\d+)?(\s?(ns|µs|us|ms|s)\b)?`)

// Shape is text's structure, the part that does not change from run to run:
// its words in order, with every number (and a time's unit) as "#",
// box-drawing lines dropped and arrows kept as "<─" or "─>". Wrapping does
// not matter: a paragraph wrapped at another width, because a number grew a
// digit, has the same shape. Chinese, which a line may break anywhere, is a
// word per character.
func Shape(text string) []string {
	text = number.ReplaceAllString(text, "#")
	text = strings.NewReplacer("│", " ", "<─", " <─ ", "─>", " ─> ").Replace(text)
	var words []string
	for _, w := range strings.Fields(text) {
		if strings.Trim(w, "─") == "" {
			continue // the rest of an arrow's line
		}
		words = append(words, splitWide(w)...)
	}
	return words
}

// splitWide splits a word after every wide (Chinese) character and before
// one, keeping runs of narrow characters whole.
func splitWide(w string) []string {
	var out []string
	start := 0
	for i, r := range w {
		if lang.Width(string(r)) == 2 {
			if i > start {
				out = append(out, w[start:i])
			}
			out = append(out, string(r))
			start = i + utf8.RuneLen(r)
		}
	}
	if start < len(w) {
		out = append(out, w[start:])
	}
	return out
}

// SameShape compares want and got by Shape. When they differ it says where,
// with a few words of each around the first difference.
func SameShape(want, got string) (bool, string) {
	w, g := Shape(want), Shape(got)
	i := 0
	for i < len(w) && i < len(g) && w[i] == g[i] {
		i++
	}
	if i == len(w) && i == len(g) {
		return true, ""
	}
	return false, fmt.Sprintf("they differ at word %d:\n  README:  %s\n  now:     %s", i+1, around(w, i), around(g, i))
}

// around is the words of ws near i, with i marked.
func around(ws []string, i int) string {
	from, to := max(0, i-8), min(len(ws), i+8)
	var b strings.Builder
	for k := from; k < to; k++ {
		if k == i {
			b.WriteString(">>>")
		}
		b.WriteString(ws[k])
		b.WriteByte(' ')
	}
	if i >= len(ws) {
		b.WriteString(">>>(end)")
	}
	return strings.TrimSpace(b.String())
}
