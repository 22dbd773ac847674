package trace

import (
	"regexp"
	"strings"
	"testing"

	"github.com/upcase/upcase/internal/lang"
)

// TestExplainComplete: every sentence of Explain, and every state's
// gloss, exists in English and Chinese, with the same arguments.
func TestExplainComplete(t *testing.T) {
	for _, catalog := range []any{explainMsg, stateText, kernelMsg} {
		for _, p := range lang.Complete(catalog) {
			t.Error(p)
		}
	}
	if len(stateText) != len(stateNames) {
		t.Errorf("%d states glossed, %d states", len(stateText), len(stateNames))
	}
	for st := range State(len(stateNames)) {
		if got := stateIn(lang.English, st); got != st.String() {
			t.Errorf("%v in English is %q: the ladder's name, as it is, is wanted", st, got)
		}
		if got := stateIn(lang.Chinese, st); !strings.HasPrefix(got, st.String()+"（") || !strings.HasSuffix(got, "）") {
			t.Errorf("%v in Chinese is %q; want its name and its gloss", st, got)
		}
	}
}

var (
	// previewOrMAC is what a Chinese sentence quotes as it is: a payload's
	// preview, a MAC address.
	previewOrMAC = regexp.MustCompile(`"(?:[^"\\]|\\.)*"(?:\.\.\.)?|(?:[0-9a-f]{2}:){5}[0-9a-f]{2}`)
	asciiWord    = regexp.MustCompile(`[A-Za-z][A-Za-z0-9_-]*`)
	// asciiPunct is ASCII punctuation touching a Chinese character, where
	// Chinese punctuation is due.
	asciiPunct = regexp.MustCompile(`\p{Han}[,;:()?!.]|[,;:()?!.]\p{Han}`)
	// badSpace is a space between two Chinese characters, or beside
	// Chinese punctuation.
	badSpace = regexp.MustCompile(`\p{Han} \p{Han}| [，。：；？、（）]|[，。：；？、（）] `)
)

// asciiInChinese is every ASCII word a Chinese explanation may use: flags
// and fields, protocols, states as the ladder shows them.
var asciiInChinese = map[string]bool{
	"SYN": true, "ACK": true, "FIN": true, "RST": true, "ISN": true, "seq": true,
	"TCP": true, "UDP": true, "IP": true, "ARP": true, "MAC": true, "RFC": true,
	"MSL": true, "Linux": true, "SO_LINGER": true,
}

func init() {
	for _, n := range stateNames {
		asciiInChinese[n] = true
	}
}

// checkChinese fails t unless e reads as one Chinese sentence: Chinese
// punctuation, ending in 。 or ？, spaces only between Chinese and ASCII,
// no English word left but flags, protocols and state names, the lesson's
// 服务端, and every state glossed as stateText glosses it.
func checkChinese(t *testing.T, e string) {
	t.Helper()
	if n := strings.Count(e, "。") + strings.Count(e, "？"); n != 1 || !strings.HasSuffix(e, "。") && !strings.HasSuffix(e, "？") {
		t.Errorf("%q is not one sentence ending in 。 or ？", e)
	}
	plain := previewOrMAC.ReplaceAllString(e, "0")
	if m := asciiPunct.FindString(plain); m != "" {
		t.Errorf("%q: ASCII punctuation in Chinese, at %q", e, m)
	}
	if m := badSpace.FindString(plain); m != "" {
		t.Errorf("%q: a space where Chinese has none, at %q", e, m)
	}
	for _, w := range asciiWord.FindAllString(plain, -1) {
		if !asciiInChinese[w] {
			t.Errorf("%q: English word %q left in the Chinese", e, w)
		}
	}
	for _, w := range []string{"服务器", "半开"} {
		if strings.Contains(e, w) {
			t.Errorf("%q says %s: the lesson says 服务端, and the state after one FIN is 半关闭", e, w)
		}
	}
	for st := range State(len(stateNames)) {
		if n, glossed := strings.Count(e, st.String()+"（"), strings.Count(e, stateIn(lang.Chinese, st)); n != glossed {
			t.Errorf("%q glosses %v otherwise than %q", e, st, stateIn(lang.Chinese, st))
		}
	}
}
