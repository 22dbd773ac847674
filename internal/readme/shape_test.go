package readme

import (
	"strings"
	"testing"
)

func TestSameShape(t *testing.T) {
	ladder := "client 127.0.0.1:56734      server 127.0.0.1:46683\n" +
		"      CLOSED │ SYN seq=0 len=0 win=65495          │ LISTEN\n" +
		"    SYN-SENT │───────────────────────────────────>│ SYN-RECEIVED\n" +
		"             │ a random initial sequence number   │\n" +
		"             │ (ISN), 2039700797: random.    +6µs │\n"
	for _, tc := range []struct {
		name, other string
		same        bool
	}{
		{"ports, ISNs and times", strings.NewReplacer("56734", "41000", "2039700797", "893461647", "+6µs", "+44.0ms").Replace(ladder), true},
		{"wrapped at another width", strings.Replace(ladder, "number   │\n             │ (ISN)", "number (ISN)", 1), true},
		{"a longer arrow", strings.Replace(ladder, "───>", "──────>", 1), true},
		{"the arrow turned", strings.Replace(ladder, "│───────────────────────────────────>│", "│<───────────────────────────────────│", 1), false},
		{"another state", strings.Replace(ladder, "SYN-RECEIVED", "ESTABLISHED", 1), false},
		{"other flags", strings.Replace(ladder, "SYN seq", "SYN, ACK seq", 1), false},
		{"a word less", strings.Replace(ladder, "random initial", "initial", 1), false},
		{"a unit is not a word", strings.Replace(ladder, "+6µs", "+6 s", 1), true},
		{"a word starting with s after a number", strings.Replace(ladder, "+6µs", "6 segments", 1), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			same, where := SameShape(ladder, tc.other)
			if same != tc.same {
				t.Errorf("SameShape = %v (%s); want %v", same, where, tc.same)
			}
			if !same && where == "" {
				t.Error("no word on where they differ")
			}
		})
	}
}

// TestShapeOfChinese: Chinese wrapped at another place, because a number
// grew a digit, has the same shape; another character does not.
func TestShapeOfChinese(t *testing.T) {
	a := "│ 并带上自己的初始序号  │\n│ （ISN）416847952；这个数外人猜不到 │\n"
	b := "│ 并带上自己的初始序号（ISN）  │\n│ 4168479521；这个数外 │\n│ 人猜不到 │\n"
	if same, where := SameShape(a, b); !same {
		t.Error(where)
	}
	if same, _ := SameShape(a, strings.Replace(a, "外人", "别人", 1)); same {
		t.Error("a changed character is the same shape")
	}
}

func TestShapeOfBench(t *testing.T) {
	a := "  throughput   95734 msgs/s, 1.532 MB/s\n  latency      p50 80.96 µs, p99.9 2720 µs\n"
	b := "  throughput   101 msgs/s, 0.002 MB/s\n  latency      p50 1.2 ms, p99.9 9 s\n"
	if same, where := SameShape(a, b); !same {
		t.Error(where)
	}
}
