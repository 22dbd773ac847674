package main

import (
	"fmt"

	"golang.org/x/text/language"
)

// unicodeValue is --unicode: off by default; --unicode turns on the default
// Unicode rules, --unicode=LANG the rules of a language (tr for Turkish
// dotted and dotless i).
type unicodeValue struct {
	on  bool
	tag language.Tag
}

func (u *unicodeValue) IsBoolFlag() bool { return true }

func (u *unicodeValue) String() string {
	switch {
	case u == nil || !u.on:
		return "false"
	case u.tag == language.Und:
		return "true"
	}
	return u.tag.String()
}

func (u *unicodeValue) Set(s string) error {
	switch s {
	case "true", "1":
		*u = unicodeValue{on: true, tag: language.Und}
		return nil
	case "false", "0":
		*u = unicodeValue{}
		return nil
	}
	tag, err := language.Parse(s)
	if err != nil {
		return fmt.Errorf("%q is not a language tag (e.g. tr, az, lt, el)", s)
	}
	*u = unicodeValue{on: true, tag: tag}
	return nil
}
