// Package lang is the learner's language: English or Simplified Chinese,
// chosen by --lang or else by the locale (LC_ALL, LC_MESSAGES, LANG, as
// POSIX orders them), and Text, one message in both.
//
// The catalog is Go code: each package declares its messages as Text
// values, English and Chinese side by side, so that a reviewer reads the
// translation next to its source, the compiler checks every use, and
// Complete fails a test when a message has one language only or its two
// languages take different arguments. golang.org/x/text/message and
// go-i18n bring extraction tools and message files for what is, here, two
// languages written by hand.
package lang
