package lang

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestFromEnv(t *testing.T) {
	for _, tc := range []struct {
		env  map[string]string
		want Lang
	}{
		{nil, English},
		{map[string]string{"LANG": "zh_CN.UTF-8"}, Chinese},
		{map[string]string{"LANG": "zh_TW.UTF-8"}, Chinese},
		{map[string]string{"LANG": "en_US.UTF-8"}, English},
		{map[string]string{"LANG": "C.UTF-8"}, English},
		{map[string]string{"LC_MESSAGES": "zh_CN.UTF-8", "LANG": "en_US.UTF-8"}, Chinese},
		{map[string]string{"LC_ALL": "C", "LC_MESSAGES": "zh_CN.UTF-8"}, English},
		{map[string]string{"LC_ALL": "zh_CN.UTF-8", "LANG": "C"}, Chinese},
		{map[string]string{"LC_ALL": "", "LANG": "zh_CN"}, Chinese},
	} {
		if got := FromEnv(func(k string) string { return tc.env[k] }); got != tc.want {
			t.Errorf("FromEnv(%v) = %v; want %v", tc.env, got, tc.want)
		}
	}
}

func TestParse(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want Lang
		err  bool
	}{
		{"en", English, false}, {"zh", Chinese, false}, {"ZH", Chinese, false}, {"zh-CN", Chinese, false},
		{"zh_Hans", Chinese, false}, {"en-GB", English, false}, {"fr", English, true}, {"", English, true}, {"zhx", English, true},
	} {
		got, err := Parse(tc.in)
		if got != tc.want || (err != nil) != tc.err {
			t.Errorf("Parse(%q) = %v, %v; want %v, error %v", tc.in, got, err, tc.want, tc.err)
		}
	}
}

// TestLangJSON: a language reads back as JSON gives it.
func TestLangJSON(t *testing.T) {
	for _, l := range []Lang{English, Chinese} {
		b, err := json.Marshal(l)
		if err != nil {
			t.Fatal(err)
		}
		var got Lang
		if err := json.Unmarshal(b, &got); err != nil || got != l {
			t.Errorf("%s: marshalled %s, read back %v, %v", l, b, got, err)
		}
	}
	var l Lang
	if err := json.Unmarshal([]byte(`"fr"`), &l); err == nil {
		t.Error(`"fr" read as a language`)
	}
}

func TestText(t *testing.T) {
	m := Text{En: "%s is on another subnet", Zh: "%s 在另一个子网"}
	if got := m.F(Chinese, "192.168.2.2"); got != "192.168.2.2 在另一个子网" {
		t.Errorf("Chinese: %q", got)
	}
	if got := m.F(English, "192.168.2.2"); got != "192.168.2.2 is on another subnet" {
		t.Errorf("English: %q", got)
	}
}

func TestComplete(t *testing.T) {
	good := struct {
		A Text
		B []Text
		C map[string]Text
		D struct{ E Text }
		F Text
	}{
		A: Text{En: "a %s", Zh: "甲 %s"},
		B: []Text{{En: "%d of %s", Zh: "%[2]s 的 %[1]d"}},
		C: map[string]Text{"k": {En: "100%%", Zh: "百分之百"}},
		D: struct{ E Text }{Text{En: "e", Zh: "乙"}},
		F: Text{En: "%.2f s", Zh: "%.2f 秒"},
	}
	if p := Complete(good); len(p) != 0 {
		t.Errorf("a complete catalog: %v", p)
	}
	unexported := []struct {
		note Text
		n    int
	}{{note: Text{En: "x", Zh: "甲"}}}
	if p := Complete(unexported); len(p) != 0 {
		t.Errorf("a complete catalog: %v", p)
	}
	bad := struct {
		NoZh, NoEn, Empty, Verbs Text
		Nested                   []Text
	}{
		NoZh:   Text{En: "x"},
		NoEn:   Text{Zh: "甲"},
		Verbs:  Text{En: "%s and %d", Zh: "%s"},
		Nested: []Text{{En: "y"}},
	}
	p := Complete(&bad)
	want := []string{"catalog.NoZh: no Chinese", "catalog.NoEn: no English", "catalog.Empty: empty", "catalog.Verbs: the English takes", "catalog.Nested[0]: no Chinese"}
	if len(p) != len(want) {
		t.Fatalf("Complete found %q; want %d problems", p, len(want))
	}
	for i := range want {
		if !strings.HasPrefix(p[i], want[i]) {
			t.Errorf("problem %d: %q; want %q...", i, p[i], want[i])
		}
	}
}
