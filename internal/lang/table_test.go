package lang

import (
	"strings"
	"testing"
	"text/tabwriter"
)

// Table lines up English as tabwriter does, and Chinese by terminal cells.
func TestTable(t *testing.T) {
	rows := []string{"  case\tdestination MAC\tdestination IP", "  same subnet\tthe target host's MAC\tthe target host's IP  <- this one", "no tabs here"}
	var want strings.Builder
	tw := tabwriter.NewWriter(&want, 0, 8, 2, ' ', 0)
	var tb Table
	for _, r := range rows {
		tw.Write([]byte(r + "\n"))
		tb.Row(r)
	}
	tw.Flush()
	var got strings.Builder
	tb.WriteTo(&got)
	if got.String() != want.String() {
		t.Errorf("English:\n%s\nwant, as tabwriter:\n%s", got.String(), want.String())
	}

	var zh Table
	zh.Row("  场景\t目标 MAC\t目标 IP")
	zh.Row("  同一子网\t目标主机的 MAC\t目标主机的 IP")
	got.Reset()
	zh.WriteTo(&got)
	lines := strings.Split(got.String(), "\n")
	// The second column starts at the same terminal cell on both lines.
	if a, b := Width(lines[0][:strings.Index(lines[0], "目标")]), Width(lines[1][:strings.Index(lines[1], "目标")]); a != b {
		t.Errorf("the second column starts at cell %d and %d:\n%s", a, b, got.String())
	}
}

func TestWidth(t *testing.T) {
	for s, want := range map[string]int{"": 0, "abc": 3, "子网": 4, "目标 MAC": 8, "（询问）": 8, "ff:ff": 5} {
		if got := Width(s); got != want {
			t.Errorf("Width(%q) = %d; want %d", s, got, want)
		}
	}
}
