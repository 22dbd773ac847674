package client

import (
	"bytes"
	"fmt"
	"io"
	"sync"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/width"
)

// cursorQuery is the Device Status Report query (DSR 6) with which readline
// asks, before each prompt, where the cursor is: the prompt may follow text
// already on the line, such as a reply that had no newline.
var cursorQuery = []byte("\x1b[6n")

// cursorTracker keeps readline's cursor queries from reaching the terminal and
// answers them itself.
//
// A terminal answers a query with a Cursor Position Report (ESC [ row ; col R)
// on its input, the keyboard's stream. The answer takes a round trip, which
// over a slow link (ssh) is long, and readline v0.1.3 waits for it only 250 ms
// when it is closed, and not at all when ReadLine is called after Close, as
// the REPL can be when the server hangs up at the start of a line. An answer
// that arrives after the client has restored the terminal and exited is read
// by the shell, as if typed. The client therefore never queries: the
// terminal's output passes through the tracker, which follows the cursor's
// column in what is printed (text, the line editor's cursor movements and
// erasures) and, when readline writes a query, puts the answer on readline's
// input at once.
//
// The row is not followed: readline uses only the column. The tracker
// assumes the cursor is at the start of a line when it begins, as after the
// hint line Interactive prints first. It is safe for concurrent use.
type cursorTracker struct {
	width func() int // the terminal's width in columns; <= 0 when unknown

	out sync.Mutex // serialises writes, so that the cursor follows them in order; guards what follows
	// col is the number of cells left of the cursor. It equals the width
	// when the last cell of the line has just been written: the cursor
	// stays on it until the next character wraps the line.
	col    int
	parse  parseState
	params []int  // the numeric parameters of a control sequence
	char   []byte // the bytes of an unfinished UTF-8 character
	closed bool   // readline has been closed

	in      sync.Mutex
	answers []byte // reports readline has not read yet; guarded by in
}

type parseState int

const (
	inText     parseState = iota
	inEscape              // after ESC
	inSequence            // after ESC [: a control sequence
)

// maxParam bounds a control sequence's numeric parameter.
const maxParam = 1 << 16

func newCursorTracker(width func() int) *cursorTracker {
	return &cursorTracker{width: width}
}

// output returns the writer readline prints to in place of w.
func (c *cursorTracker) output(w io.Writer) io.Writer { return trackedOutput{c, w} }

// input returns the reader readline reads keys from in place of r: the
// answers to its queries come first.
func (c *cursorTracker) input(r io.Reader) io.Reader { return answeringInput{c, r} }

type trackedOutput struct {
	c *cursorTracker
	w io.Writer
}

// Write passes p to the terminal and follows the cursor through it; a query
// (readline writes each one alone) is answered instead of passed on.
func (o trackedOutput) Write(p []byte) (int, error) {
	o.c.out.Lock()
	defer o.c.out.Unlock()
	if bytes.Equal(p, cursorQuery) {
		if o.c.closed && o.c.col != 0 {
			// readline, closed, will not read the answer and takes the
			// prompt it is about to draw (and erase) to start at the
			// margin: start a line, or erasing it would erase the reply
			// before it.
			if _, err := o.w.Write(newline); err != nil {
				return 0, err
			}
			o.c.follow(newline)
		}
		o.c.answer()
		return len(p), nil
	}
	n, err := o.w.Write(p)
	o.c.follow(p[:n])
	return n, err
}

// answeringInput is readline's input. readline reads it only when it wants a
// key or, having written a query, its answer, never ahead: so it is not in
// the middle of a Read of the terminal when an answer is queued, and the
// answer does not wait for a key to be pressed.
type answeringInput struct {
	c *cursorTracker
	r io.Reader
}

func (in answeringInput) Read(p []byte) (int, error) {
	in.c.in.Lock()
	if len(in.c.answers) > 0 {
		n := copy(p, in.c.answers)
		in.c.answers = in.c.answers[n:]
		in.c.in.Unlock()
		return n, nil
	}
	in.c.in.Unlock()
	return in.r.Read(p)
}

var newline = []byte("\n")

// editorClosed tells the tracker readline has been, or is being, closed. A
// query written before that is answered as usual: readline's Close waits
// (250 ms at most) for the answer of a query in flight.
func (c *cursorTracker) editorClosed() {
	c.out.Lock()
	defer c.out.Unlock()
	c.closed = true
}

// atLineStart reports whether the cursor is at the start of a line.
func (c *cursorTracker) atLineStart() bool {
	c.out.Lock()
	defer c.out.Unlock()
	return c.col == 0
}

// answer queues the report a terminal would send: the cursor's 1-based
// column, which stays on the last cell while a wrap is pending.
func (c *cursorTracker) answer() {
	col := c.col
	if w := c.width(); w > 0 {
		col = min(col, w-1)
	}
	c.in.Lock()
	c.answers = fmt.Appendf(c.answers, "\x1b[1;%dR", col+1)
	c.in.Unlock()
}

// follow moves the cursor as a terminal (xterm, VT100) does for p.
func (c *cursorTracker) follow(p []byte) {
	w := c.width()
	for _, b := range p {
		switch c.parse {
		case inEscape:
			c.parse = inText
			if b == '[' {
				c.parse, c.params = inSequence, append(c.params[:0], 0)
			}
		case inSequence:
			c.sequence(b, w)
		default:
			c.text(b, w)
		}
	}
}

// text handles a byte outside escape sequences.
func (c *cursorTracker) text(b byte, w int) {
	if len(c.char) > 0 {
		if b&0xC0 == 0x80 { // a continuation byte
			c.char = append(c.char, b)
			if utf8.FullRune(c.char) {
				r, _ := utf8.DecodeRune(c.char)
				c.char = c.char[:0]
				c.advance(cells(r), w)
			}
			return
		}
		c.char = c.char[:0]
		c.advance(1, w) // an invalid sequence shows as one replacement character
	}
	switch {
	case b == 0x1b:
		c.parse = inEscape
	case b == '\r' || b == '\n': // output processing turns "\n" into "\r\n"
		c.col = 0
	case b == '\b':
		if w > 0 && c.col >= w {
			c.col = w - 1 // off the last cell, whose wrap was pending
		}
		c.col = max(c.col-1, 0)
	case b == '\t':
		c.col = (c.col/8 + 1) * 8
		if w > 0 {
			c.col = min(c.col, w-1)
		}
	case b < 0x20 || b == 0x7f: // other controls do not move the cursor
	case b < 0x80:
		c.advance(1, w)
	case b >= 0xC0: // the first byte of a multi-byte character
		c.char = append(c.char, b)
	default: // a stray continuation byte
		c.advance(1, w)
	}
}

// sequence handles a byte of a control sequence (ESC [ params final).
func (c *cursorTracker) sequence(b byte, w int) {
	last := len(c.params) - 1
	switch {
	case '0' <= b && b <= '9':
		c.params[last] = min(c.params[last]*10+int(b-'0'), maxParam)
		return
	case b == ';':
		if len(c.params) < 16 {
			c.params = append(c.params, 0)
		}
		return
	case b < 0x40: // private markers and intermediate bytes
		return
	}
	c.parse = inText
	n := max(c.params[0], 1) // a missing or zero count means one
	switch b {
	case 'G': // cursor to column n
		c.col = n - 1
	case 'H', 'f': // cursor to row; column
		c.col = 0
		if len(c.params) > 1 {
			c.col = max(c.params[1], 1) - 1
		}
	case 'C': // forward n
		c.col += n
	case 'D': // back n
		c.col = max(c.col-n, 0)
	default: // erasures, cursor up and down, colours: the column stays
		return
	}
	if w > 0 {
		c.col = min(c.col, w-1)
	}
}

// advance moves the cursor past a character n cells wide, wrapping to the
// next line when it does not fit on this one.
func (c *cursorTracker) advance(n, w int) {
	if w > 0 && c.col+n > w {
		c.col = 0
	}
	c.col += n
}

// cells is how many cells r takes on a terminal: none for combining marks and
// format characters, two for East Asian wide and fullwidth characters.
func cells(r rune) int {
	if unicode.In(r, unicode.Mn, unicode.Me, unicode.Cf) {
		return 0
	}
	switch width.LookupRune(r).Kind() {
	case width.EastAsianWide, width.EastAsianFullwidth:
		return 2
	}
	return 1
}
