package client

import (
	"bytes"
	"io"
)

// maxPendingLine bounds the partial reply line Interactive holds while it
// waits for the newline: a longer line is printed in pieces of this size.
const maxPendingLine = 64 << 10

// lineWriter passes only whole lines to w, so that a reply printed above the
// prompt never leaves the cursor in the middle of a line. Each Write hands all
// the complete lines it can to w in one call and keeps the partial line after
// them; a partial line longer than max bytes is written max bytes at a time,
// each with a newline added, so memory stays bounded whatever the server
// sends. It is not safe for concurrent use.
type lineWriter struct {
	w       io.Writer
	max     int
	pending []byte // bytes after the last newline; cap max+1 leaves room for a '\n'
}

func newLineWriter(w io.Writer, max int) *lineWriter {
	return &lineWriter{w: w, max: max, pending: make([]byte, 0, max+1)}
}

// Write writes the complete lines of p, with the pending partial line before
// them, to the underlying writer, and keeps the rest. It returns len(p) unless
// the underlying writer fails.
func (lw *lineWriter) Write(p []byte) (int, error) {
	n := len(p)
	for len(p) > 0 {
		if len(lw.pending) == lw.max && p[0] != '\n' {
			// A full line and more of it to come: print this much now.
			if err := lw.Flush(); err != nil {
				return n - len(p), err
			}
		}
		// Room for up to max bytes and their newline.
		chunk := p[:min(len(p), lw.max+1-len(lw.pending))]
		nl := bytes.LastIndexByte(chunk, '\n')
		if nl >= 0 {
			chunk = chunk[:nl+1]
		} else {
			chunk = chunk[:min(len(chunk), lw.max-len(lw.pending))]
		}
		lw.pending = append(lw.pending, chunk...)
		p = p[len(chunk):]
		if nl >= 0 {
			if err := lw.emit(); err != nil {
				return n - len(p), err
			}
		}
	}
	return n, nil
}

// Flush writes the pending partial line, if any, with a newline added.
func (lw *lineWriter) Flush() error {
	if len(lw.pending) == 0 {
		return nil
	}
	lw.pending = append(lw.pending, '\n')
	return lw.emit()
}

func (lw *lineWriter) emit() error {
	_, err := lw.w.Write(lw.pending)
	lw.pending = lw.pending[:0]
	return err
}
