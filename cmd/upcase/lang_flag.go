package main

import (
	"flag"
	"os"

	"github.com/upcase/upcase/internal/lang"
)

// langFlag declares --lang, the language of a command's explanations, and
// returns what decides it: the flag when given, else the locale (LC_ALL,
// LC_MESSAGES, LANG beginning with zh: Chinese), else English.
func langFlag(fs *flag.FlagSet) func() (lang.Lang, error) {
	v := fs.String("lang", "", "the `language` of the explanations: en (English) or zh (中文); default: from LC_ALL, LC_MESSAGES or LANG (zh_CN.UTF-8 chooses Chinese), else English")
	return func() (lang.Lang, error) {
		if *v == "" {
			return lang.FromEnv(os.Getenv), nil
		}
		l, err := lang.Parse(*v)
		if err != nil {
			return lang.English, usageError{"--lang: " + err.Error()}
		}
		return l, nil
	}
}
