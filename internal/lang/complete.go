package lang

import (
	"fmt"
	"reflect"
	"regexp"
	"slices"
	"strings"
)

// verb is a fmt verb, with its flags, width, precision or argument index.
var verb = regexp.MustCompile(`%(\[\d+\])?[-+# 0]*[\d.*]*[a-zA-Z%]`)

// Complete checks a catalog: a struct (or pointer to one) whose fields are
// Text values, or structs, slices or maps of them, nested as deep as
// needed. It returns a line for every message that lacks a language, and
// for every one whose two languages do not use the same fmt verbs (the
// same arguments, whatever their order). A test of each package that has
// messages calls it.
func Complete(catalog any) []string {
	var problems []string
	walk(reflect.ValueOf(catalog), "catalog", &problems)
	return problems
}

var textType = reflect.TypeFor[Text]()

func walk(v reflect.Value, path string, problems *[]string) {
	switch {
	case v.Kind() == reflect.Pointer || v.Kind() == reflect.Interface:
		if !v.IsNil() {
			walk(v.Elem(), path, problems)
		}
	case v.Type() == textType:
		// Read through reflection, not Interface(): a catalog's fields may
		// be unexported.
		t := Text{En: v.Field(0).String(), Zh: v.Field(1).String()}
		switch {
		case t.En == "" && t.Zh == "":
			*problems = append(*problems, path+": empty in both languages")
		case t.En == "":
			*problems = append(*problems, fmt.Sprintf("%s: no English for %q", path, t.Zh))
		case t.Zh == "":
			*problems = append(*problems, fmt.Sprintf("%s: no Chinese for %q", path, t.En))
		default:
			if en, zh := verbs(t.En), verbs(t.Zh); !slices.Equal(en, zh) {
				*problems = append(*problems, fmt.Sprintf("%s: the English takes %v, the Chinese %v", path, en, zh))
			}
		}
	case v.Kind() == reflect.Struct:
		for i := range v.NumField() {
			walk(v.Field(i), path+"."+v.Type().Field(i).Name, problems)
		}
	case v.Kind() == reflect.Slice || v.Kind() == reflect.Array:
		for i := range v.Len() {
			walk(v.Index(i), fmt.Sprintf("%s[%d]", path, i), problems)
		}
	case v.Kind() == reflect.Map:
		for _, k := range v.MapKeys() {
			walk(v.MapIndex(k), fmt.Sprintf("%s[%v]", path, k), problems)
		}
	}
}

// verbs is the verbs of format, sorted: which arguments it takes,
// whatever the order the language puts them in. An explicit index counts
// as the verb it applies to.
func verbs(format string) []string {
	var vs []string
	for _, m := range verb.FindAllStringSubmatch(format, -1) {
		if m[0] != "%%" {
			vs = append(vs, strings.Replace(m[0], m[1], "", 1))
		}
	}
	slices.Sort(vs)
	return vs
}
