package engine

import "testing"

func TestParse(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want Engine
		ok   bool
	}{
		{"auto", Auto, true}, {"", Auto, true}, {"epoll", Epoll, true},
		{"goroutine", Goroutine, true}, {"Epoll", "", false}, {"kqueue", "", false},
	} {
		got, err := Parse(tc.in)
		if (err == nil) != tc.ok || got != tc.want {
			t.Errorf("Parse(%q) = %q, %v; want %q, ok %v", tc.in, got, err, tc.want, tc.ok)
		}
		if tc.ok {
			if back, _ := Parse(got.String()); back != got {
				t.Errorf("%q.String() = %q does not parse back", got, got.String())
			}
		}
	}
}
