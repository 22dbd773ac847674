package lang

import (
	"io"
	"strings"

	"golang.org/x/text/width"
)

// Table lines up tab-separated cells in columns as text/tabwriter does
// (each cell but a line's last padded to its column's widest, plus two
// spaces), measuring in terminal cells: a Chinese character takes two, so
// 目标 MAC is as wide as "destination" is long, which tabwriter, counting
// runes, gets wrong.
type Table struct {
	rows [][]string
}

// Row adds a line: its cells separated by tabs, as for tabwriter.
func (t *Table) Row(line string) {
	t.rows = append(t.rows, strings.Split(line, "\t"))
}

// WriteTo writes the lines, aligned, each ending in a newline.
func (t *Table) WriteTo(w io.Writer) (int64, error) {
	var widths []int
	for _, r := range t.rows {
		for i, c := range r[:len(r)-1] {
			if i == len(widths) {
				widths = append(widths, 0)
			}
			widths[i] = max(widths[i], Width(c))
		}
	}
	var b strings.Builder
	for _, r := range t.rows {
		for i, c := range r {
			b.WriteString(c)
			if i < len(r)-1 {
				b.WriteString(strings.Repeat(" ", widths[i]-Width(c)+2))
			}
		}
		b.WriteByte('\n')
	}
	n, err := io.WriteString(w, b.String())
	return int64(n), err
}

// Width is how many terminal cells s takes: two for each wide or
// full-width character (CJK ideographs, full-width punctuation), one for
// the others.
func Width(s string) int {
	n := 0
	for _, r := range s {
		switch width.LookupRune(r).Kind() {
		case width.EastAsianWide, width.EastAsianFullwidth:
			n += 2
		default:
			n++
		}
	}
	return n
}
