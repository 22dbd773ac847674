package client

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"testing"
)

// TestCursorTracker: a query is answered with the column a terminal 10 cells
// wide would report after the output written before it, and never reaches
// the terminal.
func TestCursorTracker(t *testing.T) {
	tests := []struct {
		name   string
		width  int // <= 0: unknown
		output []string
		col    int // 1-based, as reported
	}{
		{"start", 10, nil, 1},
		{"text", 10, []string{"abc"}, 4},
		{"across writes", 10, []string{"ab", "c"}, 4},
		{"newline", 10, []string{"abc\n"}, 1},
		{"carriage return", 10, []string{"abc\rd"}, 2},
		{"after the last newline", 10, []string{"HELLO\npartial"}, 8},
		{"backspace", 10, []string{"abc\b"}, 3},
		{"backspace at the margin", 10, []string{"\b"}, 1},
		{"tab", 10, []string{"a\t"}, 9},
		{"tab near the edge", 10, []string{"abcdefgh\t"}, 10},
		{"last cell: wrap pending", 10, []string{"0123456789"}, 10},
		{"wrapped", 10, []string{"0123456789ab"}, 3},
		{"readline leaves a pending wrap", 10, []string{"0123456789", " \b"}, 1},
		{"backspace off a pending wrap", 10, []string{"0123456789\b"}, 9},
		{"no width: no wrap", 0, []string{"0123456789ab"}, 13},
		{"UTF-8", 10, []string{"héllo"}, 6},
		{"UTF-8 cut across writes", 10, []string{"h\xc3", "\xa9"}, 3},
		{"wide characters", 10, []string{"你好"}, 5},
		{"wide character does not fit", 10, []string{"012345678你"}, 3},
		{"combining mark", 10, []string{"e\u0301"}, 2},
		{"invalid UTF-8", 10, []string{"\xff\xc3x"}, 4},
		{"colour", 10, []string{"\x1b[1;31mred\x1b[0m"}, 4},
		{"cursor to column", 10, []string{"abcdef\x1b[3G"}, 3},
		{"cursor to column, default", 10, []string{"abcdef\x1b[G"}, 1},
		{"cursor to column past the edge", 10, []string{"\x1b[99G"}, 10},
		{"cursor forward and back", 10, []string{"ab\x1b[3C\x1b[D"}, 5},
		{"cursor position", 10, []string{"abc\x1b[5;7H"}, 7},
		{"erase keeps the column", 10, []string{"abc\x1b[J\x1b[0K"}, 4},
		{"sequence across writes", 10, []string{"abcdef\x1b[", "2G"}, 2},
		{"private sequence", 10, []string{"ab\x1b[?25l"}, 3},
		{"other escape", 10, []string{"ab\x1b7c"}, 4},
		{"readline's redraw", 10, []string{"partial> x", "\x1b[1G\x1b[J", "MORE\r\n", "> x"}, 4},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var screen bytes.Buffer
			c := newCursorTracker(func() int { return tt.width })
			out := c.output(&screen)
			for _, s := range tt.output {
				if n, err := out.Write([]byte(s)); n != len(s) || err != nil {
					t.Fatalf("Write(%q) = %d, %v", s, n, err)
				}
			}
			if got, want := screen.String(), strings.Join(tt.output, ""); got != want {
				t.Fatalf("the terminal got %q; want %q", got, want)
			}
			if n, err := out.Write(cursorQuery); n != len(cursorQuery) || err != nil {
				t.Fatalf("Write(query) = %d, %v", n, err)
			}
			if bytes.Contains(screen.Bytes(), cursorQuery) {
				t.Errorf("the query reached the terminal")
			}
			got, err := io.ReadAll(c.input(strings.NewReader("keys")))
			if err != nil {
				t.Fatal(err)
			}
			if want := fmt.Sprintf("\x1b[1;%dRkeys", tt.col); string(got) != want {
				t.Errorf("readline read %q; want %q", got, want)
			}
			if c.atLineStart() != (tt.col == 1) {
				t.Errorf("atLineStart() = %v at column %d", c.atLineStart(), tt.col)
			}
		})
	}
}

// TestCursorTrackerClosed: once readline is closed it will not read the
// answer to a query it still writes, and takes its prompt to start at the
// margin; the tracker puts the cursor there, so that erasing that prompt
// does not erase a reply before it.
func TestCursorTrackerClosed(t *testing.T) {
	tests := []struct {
		name   string
		output string
		screen string
	}{
		{"mid-line", "partial \b", "partial \b\n"},
		{"at the margin", "HELLO\n \b", "HELLO\n \b"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var screen bytes.Buffer
			c := newCursorTracker(func() int { return 80 })
			out := c.output(&screen)
			out.Write([]byte(tt.output))
			c.editorClosed()
			out.Write(cursorQuery)
			if got := screen.String(); got != tt.screen {
				t.Errorf("the terminal got %q; want %q", got, tt.screen)
			}
			if !c.atLineStart() {
				t.Errorf("the cursor is not at the start of a line")
			}
		})
	}
}
