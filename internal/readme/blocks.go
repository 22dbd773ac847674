package readme

import (
	"bytes"
	"fmt"
	"regexp"
	"strings"
)

// Block is one marked sample of a document.
type Block struct {
	Name string // from the marker: <!-- sample NAME -->
	Text string // the fenced block's content, each line ending in "\n", without the fence's indent
	Line int    // 1-based line of the marker, for messages

	// Indent is the fence's indentation (a block inside a list item):
	// every line of the block but an empty one starts with it.
	Indent string

	start, end int // byte offsets of Text in the document
}

// marker is a sample's marker line, indented as its block; NAME is
// letters, digits and dashes.
var marker = regexp.MustCompile(`^ *<!-- sample ([a-z0-9-]+) -->$`)

// Blocks returns the document's marked samples in order. A marker not
// followed by a fenced block on its next line, an unclosed block, or a name
// marked twice is an error naming the line.
func Blocks(doc []byte) ([]Block, error) {
	var blocks []Block
	seen := map[string]int{}
	lines := splitLines(doc)
	off := 0
	for i := 0; i < len(lines); i++ {
		line := lines[i]
		off += len(line)
		m := marker.FindStringSubmatch(strings.TrimRight(line, "\n"))
		if m == nil {
			continue
		}
		name := m[1]
		if prev, ok := seen[name]; ok {
			return nil, fmt.Errorf("line %d: sample %q is already marked at line %d", i+1, name, prev)
		}
		seen[name] = i + 1
		if i+1 >= len(lines) || !isFence(lines[i+1]) {
			return nil, fmt.Errorf("line %d: sample %q: the marker must be followed by a line of ``` opening its block", i+1, name)
		}
		indent := lines[i+1][:len(lines[i+1])-len(strings.TrimLeft(lines[i+1], " "))]
		off += len(lines[i+1])
		start := off
		var text strings.Builder
		j := i + 2
		for ; j < len(lines) && !isFence(lines[j]); j++ {
			off += len(lines[j])
			switch l := lines[j]; {
			case l == "\n":
				text.WriteString(l)
			case strings.TrimSpace(l) == "":
				return nil, fmt.Errorf("line %d: sample %q: a line of spaces only; leave it empty", j+1, name)
			case !strings.HasPrefix(l, indent):
				return nil, fmt.Errorf("line %d: sample %q: the line is not indented as its fence (%d spaces)", j+1, name, len(indent))
			default:
				text.WriteString(l[len(indent):])
			}
		}
		if j >= len(lines) {
			return nil, fmt.Errorf("line %d: sample %q: its block is never closed with ```", i+1, name)
		}
		blocks = append(blocks, Block{Name: name, Text: text.String(), Line: i + 1, Indent: indent, start: start, end: off})
		off += len(lines[j])
		i = j
	}
	return blocks, nil
}

// Replace returns doc with the block of sample name holding text instead,
// indented as the block's fence. text must not contain a fence line, which
// would end the block early, nor a line of spaces only.
func Replace(doc []byte, name, text string) ([]byte, error) {
	if text != "" && !strings.HasSuffix(text, "\n") {
		text += "\n"
	}
	for _, l := range splitLines([]byte(text)) {
		if isFence(l) {
			return nil, fmt.Errorf("sample %q: the new text holds a ``` line, which would end its block", name)
		}
		if l != "\n" && strings.TrimSpace(l) == "" {
			return nil, fmt.Errorf("sample %q: the new text holds a line of spaces only", name)
		}
	}
	blocks, err := Blocks(doc)
	if err != nil {
		return nil, err
	}
	for _, b := range blocks {
		if b.Name == name {
			var out bytes.Buffer
			out.Write(doc[:b.start])
			for _, l := range splitLines([]byte(text)) {
				if l != "\n" {
					out.WriteString(b.Indent)
				}
				out.WriteString(l)
			}
			out.Write(doc[b.end:])
			return out.Bytes(), nil
		}
	}
	return nil, fmt.Errorf("no sample %q is marked (<!-- sample %s --> before a ``` block)", name, name)
}

// isFence reports whether line opens or closes a fenced block.
func isFence(line string) bool {
	return strings.HasPrefix(strings.TrimLeft(line, " "), "```")
}

// splitLines cuts doc after each "\n"; the last line may lack one.
func splitLines(doc []byte) []string {
	var lines []string
	for len(doc) > 0 {
		i := bytes.IndexByte(doc, '\n')
		if i < 0 {
			lines = append(lines, string(doc))
			break
		}
		lines = append(lines, string(doc[:i+1]))
		doc = doc[i+1:]
	}
	return lines
}
