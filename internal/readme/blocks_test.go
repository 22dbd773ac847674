package readme

import (
	"strings"
	"testing"
)

const doc = "# Title\n\ntext\n<!-- sample one -->\n```\nold 1\nold 2\n```\nmiddle\n<!-- sample two-b -->\n```text\n```\nend\n"

func TestBlocks(t *testing.T) {
	bs, err := Blocks([]byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	if len(bs) != 2 || bs[0].Name != "one" || bs[0].Text != "old 1\nold 2\n" || bs[0].Line != 4 ||
		bs[1].Name != "two-b" || bs[1].Text != "" || bs[1].Line != 10 {
		t.Fatalf("blocks %+v", bs)
	}
}

func TestBlocksErrors(t *testing.T) {
	for _, tc := range []struct{ doc, want string }{
		{"<!-- sample a -->\ntext\n", "line 1: sample \"a\": the marker must be followed by a line of ```"},
		{"<!-- sample a -->\n", "line 1: sample \"a\": the marker must be followed"},
		{"<!-- sample a -->\n```\nnever closed\n", "line 1: sample \"a\": its block is never closed"},
		{"<!-- sample a -->\n```\n```\n<!-- sample a -->\n```\n```\n", "line 4: sample \"a\" is already marked at line 1"},
		{"  <!-- sample a -->\n  ```\n  in\n out\n  ```\n", "line 4: sample \"a\": the line is not indented as its fence (2 spaces)"},
		{"<!-- sample a -->\n```\n  \n```\n", "line 3: sample \"a\": a line of spaces only"},
	} {
		_, err := Blocks([]byte(tc.doc))
		if err == nil || !strings.HasPrefix(err.Error(), tc.want) {
			t.Errorf("Blocks(%q) = %v; want %q...", tc.doc, err, tc.want)
		}
	}
}

// A block inside a list item is indented: its text is read without the
// indent and written back with it.
func TestIndentedBlock(t *testing.T) {
	d := "1. step\n\n   <!-- sample i -->\n   ```\n   old\n\n   more\n   ```\n2. next\n"
	bs, err := Blocks([]byte(d))
	if err != nil || len(bs) != 1 || bs[0].Text != "old\n\nmore\n" || bs[0].Indent != "   " {
		t.Fatalf("Blocks = %+v, %v", bs, err)
	}
	got, err := Replace([]byte(d), "i", "a\n\nb\n")
	if want := "1. step\n\n   <!-- sample i -->\n   ```\n   a\n\n   b\n   ```\n2. next\n"; err != nil || string(got) != want {
		t.Errorf("Replace = %q, %v; want %q", got, err, want)
	}
}

func TestReplace(t *testing.T) {
	for _, tc := range []struct{ name, text, want, err string }{
		{name: "one", text: "new\n", want: strings.Replace(doc, "old 1\nold 2\n", "new\n", 1)},
		{name: "one", text: "no newline", want: strings.Replace(doc, "old 1\nold 2\n", "no newline\n", 1)},
		{name: "two-b", text: "a\nb\n", want: strings.Replace(doc, "```text\n```", "```text\na\nb\n```", 1)},
		{name: "one", text: "", want: strings.Replace(doc, "old 1\nold 2\n", "", 1)},
		{name: "three", text: "x", err: `no sample "three" is marked`},
		{name: "one", text: "a\n```\nb\n", err: "holds a ``` line"},
	} {
		got, err := Replace([]byte(doc), tc.name, tc.text)
		switch {
		case tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)):
			t.Errorf("Replace(%q, %q) error %v; want %q", tc.name, tc.text, err, tc.err)
		case tc.err == "" && (err != nil || string(got) != tc.want):
			t.Errorf("Replace(%q, %q) = %q, %v; want %q", tc.name, tc.text, got, err, tc.want)
		}
	}
}

// FuzzBlocks: any document either fails to parse or round-trips: putting
// back each block's own text changes nothing, and a block replaced reads
// back as the new text.
func FuzzBlocks(f *testing.F) {
	f.Add([]byte(doc), "replacement\n")
	f.Add([]byte("<!-- sample a -->\n```\n```"), "")
	f.Add([]byte("<!-- sample a -->\r\n```\r\nx\r\n```\r\n"), "y")
	f.Add([]byte("  <!-- sample a -->\n  ```\n  x\n\n  y\n  ```\n"), "z\n\nw")
	f.Fuzz(func(t *testing.T, d []byte, text string) {
		bs, err := Blocks(d)
		if err != nil {
			return
		}
		for _, b := range bs {
			same, err := Replace(d, b.Name, b.Text)
			if err != nil || string(same) != string(d) {
				t.Fatalf("putting back %q's own text: %v, changed the document", b.Name, err)
			}
			changed, err := Replace(d, b.Name, text)
			if err != nil {
				continue // text holds a fence
			}
			again, err := Blocks(changed)
			if err != nil {
				t.Fatalf("after replacing %q: %v", b.Name, err)
			}
			want := text
			if want != "" && !strings.HasSuffix(want, "\n") {
				want += "\n"
			}
			for _, a := range again {
				if a.Name == b.Name && a.Text != want {
					t.Fatalf("block %q reads back %q; want %q", b.Name, a.Text, want)
				}
			}
		}
	})
}
