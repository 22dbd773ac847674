package lang

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestWrap(t *testing.T) {
	for _, tt := range []struct {
		name  string
		text  string
		width int
		want  []string
	}{
		{"empty", "  ", 10, nil},
		{"english at spaces", "the client sends a SYN", 10, []string{"the client", "sends a", "SYN"}},
		{"hyphens kept", "the three-way handshake", 12, []string{"the", "three-way", "handshake"}},
		{"long word cut", "abcdefghij", 4, []string{"abcd", "efgh", "ij"}},
		{"chinese between characters", "客户端发送数据", 6, []string{"客户端", "发送数", "据"}},
		{"no line starts with closing punctuation", "服务端收。然", 8, []string{"服务端", "收。然"}},
		{"no line ends with opening punctuation", "一二三（四）", 6, []string{"一二三", "（四）"}},
		{"latin inside chinese kept whole", "进入SYN-RECEIVED状态", 13, []string{"进入", "SYN-RECEIVED", "状态"}},
		{"spaces collapsed", "  spaced   out  ", 20, []string{"spaced out"}},
		{"a wide sign in english", "2×MSL wait", 5, []string{"2×MSL", "wait"}},
		{"mixed with spaces", "固定 60 秒", 6, []string{"固定", "60 秒"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got := Wrap(tt.text, tt.width)
			if strings.Join(got, "|") != strings.Join(tt.want, "|") || len(got) != len(tt.want) {
				t.Errorf("Wrap(%q, %d) = %q; want %q", tt.text, tt.width, got, tt.want)
			}
		})
	}
}

// FuzzWrap: no line is wider than asked (unless one character is), and
// the lines hold the text's characters in order, only spaces changed.
func FuzzWrap(f *testing.F) {
	f.Add("the client sends a SYN", 10)
	f.Add("客户端发送数据，服务端收到。", 5)
	f.Fuzz(func(t *testing.T, text string, width int) {
		if !utf8.ValidString(text) || width < 0 || width > 200 {
			return
		}
		lines := Wrap(text, width)
		for _, l := range lines {
			if Width(l) > max(width, 2) && utf8.RuneCountInString(l) > 1 {
				t.Fatalf("line %q is %d cells, wider than %d", l, Width(l), width)
			}
		}
		strip := func(s string) string { return strings.Join(strings.Fields(s), "") }
		if got, want := strip(strings.Join(lines, "")), strip(text); got != want {
			t.Fatalf("Wrap(%q, %d) = %q: the text changed", text, width, lines)
		}
	})
}
