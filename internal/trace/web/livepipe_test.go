package web

import (
	"bufio"
	"encoding/json"
	"io"
	"testing"
)

// TestPipe: lines go out as JSON Lines, events come back from JSON Lines
// (a line that is not one becomes an error event), and Close ends the
// input, waits for the other end and for its output's end.
func TestPipe(t *testing.T) {
	inR, inW := io.Pipe()
	outR, outW := io.Pipe()
	ended := make(chan error, 1)
	go func() { // the other end: answers each line, ends at the end of its input
		sc := bufio.NewScanner(inR)
		enc := json.NewEncoder(outW)
		for sc.Scan() {
			var l LiveLine
			if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
				ended <- err
				return
			}
			reply := l.Line + "!"
			enc.Encode(LiveEvent{Conversation: l.Conversation, Reply: &reply})
			io.WriteString(outW, "garbage\n")
		}
		outW.Close()
		ended <- nil
	}()
	p := NewPipe(inW, outR, func() error { return <-ended })
	if err := p.Play(7, "hi"); err != nil {
		t.Fatal(err)
	}
	if ev := <-p.Events(); ev.Conversation != 7 || ev.Reply == nil || *ev.Reply != "hi!" {
		t.Errorf("first event %+v; want the reply hi! to conversation 7", ev)
	}
	if ev := <-p.Events(); ev.Error == "" {
		t.Errorf("a line that is not an event gave %+v; want an error event", ev)
	}
	closed := make(chan error, 1)
	go func() { closed <- p.Close() }()
	for range p.Events() { // drain until the end, as the Server does
	}
	if err := <-closed; err != nil {
		t.Errorf("Close: %v", err)
	}
	if err := p.Play(8, "late"); err == nil {
		t.Errorf("Play after Close: no error")
	}
}
