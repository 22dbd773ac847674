package lang

import (
	"fmt"
	"strings"
)

// Lang is a language of explanations. Its zero value is English.
type Lang uint8

const (
	// English is the default.
	English Lang = iota
	// Chinese is Simplified Chinese, in the lesson's terms.
	Chinese
)

// String is the language's code, as --lang takes it: en or zh.
func (l Lang) String() string {
	if l == Chinese {
		return "zh"
	}
	return "en"
}

// MarshalText gives the code, so that JSON says "en" or "zh".
func (l Lang) MarshalText() ([]byte, error) { return []byte(l.String()), nil }

// UnmarshalText reads a code as Parse does, so that a document written
// with MarshalText reads back.
func (l *Lang) UnmarshalText(b []byte) error {
	v, err := Parse(string(b))
	if err != nil {
		return err
	}
	*l = v
	return nil
}

// Parse reads --lang's value: en or zh (a region or script such as zh-CN
// or zh_Hans is allowed).
func Parse(s string) (Lang, error) {
	switch code := strings.ToLower(s); {
	case code == "en" || strings.HasPrefix(code, "en-") || strings.HasPrefix(code, "en_"):
		return English, nil
	case code == "zh" || strings.HasPrefix(code, "zh-") || strings.HasPrefix(code, "zh_"):
		return Chinese, nil
	}
	return English, fmt.Errorf("language %q: choose en (English) or zh (中文)", s)
}

// FromEnv is the language the locale asks for: the first of LC_ALL,
// LC_MESSAGES and LANG that is set decides (POSIX's order), and Chinese
// is chosen when it begins with zh (zh_CN.UTF-8, zh_TW). Anything else,
// C and POSIX included, is English.
func FromEnv(getenv func(string) string) Lang {
	for _, name := range []string{"LC_ALL", "LC_MESSAGES", "LANG"} {
		if v := getenv(name); v != "" {
			if strings.HasPrefix(strings.ToLower(v), "zh") {
				return Chinese
			}
			return English
		}
	}
	return English
}

// Text is one message in both languages. It may hold fmt verbs, the same
// in both, in the same order (use explicit indexes, %[2]s, where Chinese
// needs another order).
type Text struct {
	En, Zh string
}

// In is the message in l.
func (t Text) In(l Lang) string {
	if l == Chinese {
		return t.Zh
	}
	return t.En
}

// F is the message in l with args formatted into it, as fmt.Sprintf.
func (t Text) F(l Lang, args ...any) string {
	return fmt.Sprintf(t.In(l), args...)
}
