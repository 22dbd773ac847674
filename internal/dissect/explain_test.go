package dissect

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"unicode"

	"github.com/upcase/upcase/internal/lang"
)

// notes is the catalog of the capture's artefacts, for TestExplainComplete.
var notes = []lang.Text{NoteNoFCS, NoteShortFrame, NoteChecksumOffload, NoteLoopbackMAC}

// TestExplainComplete: every explanation of a field, a layer, a level or
// an artefact exists in English and Chinese, with the same arguments.
func TestExplainComplete(t *testing.T) {
	for _, catalog := range []any{fieldText, layers, notes} {
		for _, p := range lang.Complete(catalog) {
			t.Error(p)
		}
	}
}

// explainFrames are hand-built frames that neither the scenarios nor the
// other tests show: ARP for addresses that are not a MAC and an IPv4
// address (a hardware size of 8, a protocol of 0x86dd and size 16).
var explainFrames = []string{
	ethARP + "0001 86dd 08 10 0001" + "0200ac100a0a0000" + strings.Repeat("00", 15) + "01" + strings.Repeat("00", 8) + strings.Repeat("00", 15) + "02",
}

// testFrames is every frame the package's tests know: the scenarios' pcaps
// in testdata and the hand-built frames, by where they come from.
func testFrames(t *testing.T) map[string][]byte {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("testdata", "*.pcap"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no pcaps in testdata: %v", err)
	}
	frames := map[string][]byte{}
	for _, file := range files {
		for i, b := range readPcap(t, file) {
			frames[fmt.Sprintf("%s frame %d", filepath.Base(file), i+1)] = b
		}
	}
	hand := append([]string{ethARP + arpReq, ethIPv4 + ipv4TCP + tcpSYN, ethIPv6 + ipv6TCP + tcpSYNACK, ethIPv4 + ipv4UDP + udpHello}, handFrames...)
	for _, s := range append(hand, explainFrames...) {
		frames["hand-built "+s] = frameHex(t, s)
	}
	return frames
}

// derivedFields are the names FieldText knows that Dissect does not
// produce: what a trace works out from the TCP header.
var derivedFields = []string{"tcp.seq", "tcp.ack", "tcp.len", "tcp.window_size"}

// TestFieldTextCoversDissect: every field and layer Dissect produces from
// every frame the tests know has an explanation, every layer a level, and
// every explanation is of a field some frame has (or one a trace derives).
func TestFieldTextCoversDissect(t *testing.T) {
	seen, unexplained := map[string]bool{}, map[string]string{}
	for where, b := range testFrames(t) {
		f, _ := Dissect(b)
		for _, l := range f.Layers {
			if _, ok := LayerText(l.Name); !ok {
				t.Errorf("%s: layer %s has no explanation", where, l.Name)
			}
			if _, ok := LayerLevel(l.Name); !ok {
				t.Errorf("%s: layer %s has no level", where, l.Name)
			}
		}
		f.Walk(func(_ Layer, fd Field) {
			seen[fd.Name] = true
			if _, ok := FieldText(fd.Name); !ok {
				unexplained[fd.Name] = where
			}
		})
	}
	for name, where := range unexplained {
		t.Errorf("field %s (in %s, among others) has no explanation", name, where)
	}
	for name := range fieldText {
		if !seen[name] && !slices.Contains(derivedFields, name) {
			t.Errorf("%s is explained, but no frame of the tests has it", name)
		}
	}
	t.Logf("%d field names seen in the tests' frames, %d explained", len(seen), len(fieldText))
	if _, ok := FieldText("eth.nonesuch"); ok {
		t.Error("FieldText knows eth.nonesuch")
	}
	if _, ok := LayerText("icmp"); ok {
		t.Error("LayerText knows icmp")
	}
}

// TestLayerLevel: layers are grouped as the lesson groups them.
func TestLayerLevel(t *testing.T) {
	for name, want := range map[string]string{
		"eth": "数据链路层", "eth.padding": "数据链路层", "arp": "网络层", "ip": "网络层", "ipv6": "网络层",
		"tcp": "传输层", "udp": "传输层", "data": "应用层",
	} {
		if got, ok := LayerLevel(name); !ok || got.In(lang.Chinese) != want {
			t.Errorf("LayerLevel(%s) = %q, %v; want %s", name, got.Zh, ok, want)
		}
	}
	if _, ok := LayerLevel("icmp"); ok {
		t.Error("LayerLevel knows icmp")
	}
}

// TestLessonCorrection: where the Ethernet header is explained, the
// lesson's 18 bytes are put right, in both languages: 14 bytes of header,
// a 2-byte type, and the 4-byte FCS that makes 18.
func TestLessonCorrection(t *testing.T) {
	eth, _ := LayerText("eth")
	typ, _ := FieldText("eth.type")
	for _, tc := range []struct {
		what string
		text lang.Text
		want []string
	}{
		{"eth", eth, []string{"14 + 4 = 18", "FCS", "46-1500", "64-1518"}},
		{"eth.type", typ, []string{"6 + 6 + 2 = 14", "2"}},
	} {
		for _, l := range []lang.Lang{lang.English, lang.Chinese} {
			for _, w := range tc.want {
				if !strings.Contains(tc.text.In(l), w) {
					t.Errorf("%s in %s lacks %q: %s", tc.what, l, w, tc.text.In(l))
				}
			}
		}
	}
}

// TestExplainStyle: every explanation is one or two sentences, and its
// Chinese is written as the rest of the project's: Chinese punctuation, a
// space between a Chinese character and a Latin letter or digit, none
// beside Chinese punctuation.
func TestExplainStyle(t *testing.T) {
	all := map[string]lang.Text{}
	for name, text := range fieldText {
		all["field "+name] = text
	}
	for name, l := range layers {
		all["layer "+name] = l.text
	}
	for i, text := range notes {
		all[fmt.Sprint("note ", i)] = text
	}
	for what, text := range all {
		for _, p := range styleProblems(text) {
			t.Errorf("%s: %s", what, p)
		}
	}
}

// TestStyleProblems: the style check finds what it is for.
func TestStyleProblems(t *testing.T) {
	for _, tc := range []struct {
		text lang.Text
		bad  bool
	}{
		{lang.Text{En: "Port: the program.", Zh: "端口：哪个程序（TCP 或 UDP）；0 表示 ff:ff。"}, false},
		{lang.Text{En: "Port: the program.", Zh: "端口:哪个程序。"}, true},
		{lang.Text{En: "Port: the program.", Zh: "端口（TCP)。"}, true},
		{lang.Text{En: "Port: the program.", Zh: "TCP端口。"}, true},
		{lang.Text{En: "Port: the program.", Zh: "端口是 80。"}, false},
		{lang.Text{En: "Port: the program.", Zh: "端口是80。"}, true},
		{lang.Text{En: "Port: the program.", Zh: "端口： 80。"}, true},
		{lang.Text{En: "Port: the program.", Zh: "端口"}, true},
		{lang.Text{En: "Port: the program", Zh: "端口。"}, true},
		{lang.Text{En: "Port：the program.", Zh: "端口。"}, true},
		{lang.Text{En: "Port. The program. Its number.", Zh: "端口。"}, true},
		{lang.Text{En: "Port.", Zh: "端口。程序。编号。"}, true},
	} {
		if p := styleProblems(tc.text); (len(p) > 0) != tc.bad {
			t.Errorf("%+v: problems %q; want some: %v", tc.text, p, tc.bad)
		}
	}
}

// fullWidth is the Chinese punctuation the explanations use.
const fullWidth = "，。：；（）、“”？"

// styleProblems is what is wrong with text's style: more than two
// sentences, English not ending in a full stop or using Chinese
// punctuation, Chinese not ending in 。, using ASCII punctuation beside a
// Chinese character, or spaced otherwise than the project's Chinese.
func styleProblems(text lang.Text) []string {
	var p []string
	en, zh := text.En, text.Zh
	if !strings.HasSuffix(en, ".") || strings.ContainsAny(en, fullWidth) || strings.ContainsFunc(en, isHan) {
		p = append(p, "the English should end in a full stop and use no Chinese: "+en)
	}
	if n := strings.Count(en+" ", ". "); n > 2 {
		p = append(p, "the English has more than two sentences: "+en)
	}
	if !strings.HasSuffix(zh, "。") || strings.Count(zh, "。") > 2 {
		p = append(p, "the Chinese should be one or two sentences ending in 。: "+zh)
	}
	if strings.Count(zh, "（") != strings.Count(zh, "）") {
		p = append(p, "unbalanced （）: "+zh)
	}
	rs := []rune(zh)
	for i, r := range rs {
		var prev, next rune
		if i > 0 {
			prev = rs[i-1]
		}
		if i+1 < len(rs) {
			next = rs[i+1]
		}
		switch {
		case strings.ContainsRune(",.:;()?", r) && (isHan(prev) || isHan(next)),
			strings.ContainsRune("()", r) && (strings.ContainsRune(fullWidth, prev) || strings.ContainsRune(fullWidth, next)):
			p = append(p, "ASCII "+string(r)+" beside Chinese: "+zh)
		case isHan(r) && (isLatin(prev) || isLatin(next)):
			p = append(p, "no space between "+string(prev)+string(r)+string(next)+": "+zh)
		case r == ' ' && (strings.ContainsRune(fullWidth, prev) || strings.ContainsRune(fullWidth, next)):
			p = append(p, "a space beside Chinese punctuation: "+zh)
		}
	}
	return p
}

func isHan(r rune) bool   { return unicode.Is(unicode.Han, r) }
func isLatin(r rune) bool { return r < unicode.MaxASCII && (unicode.IsLetter(r) || unicode.IsDigit(r)) }
