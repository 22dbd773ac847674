package client

import (
	"io"
	"unicode/utf8"
)

// replyWriter passes the server's bytes on as they come, newline or not, so a
// reply without one (a server's own prompt, a line cut short) shows at once.
// It holds back only the start of a UTF-8 character cut in two by the
// network, at most 3 bytes, so that the prompt redrawn after the bytes does
// not land in the middle of a character. It is not safe for concurrent use.
type replyWriter struct {
	w    io.Writer
	held []byte // an unfinished character
}

// Write writes p, with the bytes held before it, except an unfinished
// character at its end. It returns len(p) unless the underlying writer fails.
func (rw *replyWriter) Write(p []byte) (int, error) {
	buf := p
	if len(rw.held) > 0 {
		buf = append(rw.held, p...)
		rw.held = nil
	}
	cut := len(buf) - unfinished(buf)
	if cut > 0 {
		if _, err := rw.w.Write(buf[:cut]); err != nil {
			return 0, err
		}
	}
	rw.held = append(rw.held, buf[cut:]...)
	return len(p), nil
}

// Flush writes the bytes held, once the stream has ended.
func (rw *replyWriter) Flush() error {
	if len(rw.held) == 0 {
		return nil
	}
	_, err := rw.w.Write(rw.held)
	rw.held = nil
	return err
}

// unfinished is the length of the incomplete UTF-8 character at the end of
// p: 0 unless p ends with the first 1 to 3 bytes of a valid multi-byte
// character.
func unfinished(p []byte) int {
	for i := 1; i <= min(len(p), utf8.UTFMax-1); i++ {
		b := p[len(p)-i]
		if b&0xC0 == 0x80 { // a continuation byte: look further back
			continue
		}
		if utf8.FullRune(p[len(p)-i:]) { // complete, ASCII, or not UTF-8
			return 0
		}
		return i
	}
	return 0
}
