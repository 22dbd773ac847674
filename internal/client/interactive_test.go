package client

import (
	"context"
	"errors"
	"io"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/upcase/upcase/internal/server"
	"github.com/upcase/upcase/internal/server/servertest"
)

// startInteractive runs Interactive on a fake terminal against addr and
// returns the terminal and a channel that receives Interactive's result. If
// the test ends first, the cleanup cancels Interactive and waits for it.
func startInteractive(t *testing.T, ctx context.Context, addr string, opts Options) (*fakeTerminal, <-chan error) {
	t.Helper()
	ft := newFakeTerminal(t)
	conn := connect(t, addr)
	opts.Stdin = ft.stdin(t)
	opts.Stdout, opts.Stderr = ft.tty, ft.tty
	if opts.Prompt == "" {
		opts.Prompt = addr + "> "
	}
	ft.prompt = opts.Prompt
	ctx, cancel := context.WithCancel(ctx)
	result := make(chan error, 1)
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		result <- Interactive(ctx, conn, opts)
	}()
	t.Cleanup(func() {
		cancel()
		<-finished
	})
	return ft, result
}

// wait returns Interactive's result, failing the test if it does not come.
func wait(t *testing.T, ft *fakeTerminal, result <-chan error) error {
	t.Helper()
	timer := time.NewTimer(waitLimit)
	defer timer.Stop()
	select {
	case err := <-result:
		return err
	case <-timer.C:
		t.Fatalf("timed out waiting for Interactive to return; the terminal shows %q", ft.String())
		return nil
	}
}

// step is keys typed at a prompt and, unless empty, what the terminal must
// then show before the next step.
type step struct{ keys, want string }

func TestInteractive(t *testing.T) {
	addr := servertest.Start(t, &server.Server{})
	tests := []struct {
		name    string
		steps   []step
		want    []string // shown once Interactive has returned
		notWant []string // never shown
	}{
		// Replies end in "\r\n": the terminal still turns "\n" into a new
		// line at the left margin while a line is being read.
		{name: "lines", steps: []step{{"hello\r", "HELLO\r\n"}, {"world\r", "WORLD\r\n"}, {"\x04", ""}},
			want: []string{"connected to " + addr + ": type a line and press Enter; Ctrl-D or exit quits\r\n"}},
		{name: "empty line does not hang", steps: []step{{"\r", ""}, {"after\r", "AFTER\r\n"}, {"\x04", ""}}},
		{name: "ctrl-c clears the line", steps: []step{{"abc\x03", "^C"}, {"def\r", "DEF\r\n"}, {"\x04", ""}},
			notWant: []string{"ABC"}},
		{name: "exit", steps: []step{{"one\r", "ONE\r\n"}, {"  exit \r", ""}}, notWant: []string{"EXIT"}},
		{name: "editing", steps: []step{{"helo\x02l\r", "HELLO\r\n"}, {"\x04", ""}}}, // Ctrl-B: left
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ft, result := startInteractive(t, context.Background(), addr, Options{})
			for _, st := range tt.steps {
				ft.typeAtPrompt(t, st.keys)
				if st.want != "" {
					ft.waitFor(t, st.want)
				}
			}
			if err := wait(t, ft, result); err != nil {
				t.Fatalf("Interactive: got %v, want nil", err)
			}
			ft.barrier(t)
			for _, s := range tt.want {
				if !ft.shows(s) {
					t.Errorf("terminal does not show %q", s)
				}
			}
			for _, s := range tt.notWant {
				if ft.shows(s) {
					t.Errorf("terminal shows %q; want it not to", s)
				}
			}
			assertCooked(t, ft.tty)
		})
	}
}

// TestInteractiveDrains: leaving half-closes the connection and prints the
// replies that arrive after that, here all of them: the server answers only
// once it has read the client's FIN.
func TestInteractiveDrains(t *testing.T) {
	for _, leave := range []string{"\x04", "exit\r"} {
		t.Run(strconv.Quote(leave), func(t *testing.T) {
			ft, result := startInteractive(t, context.Background(), fakeServer(t, batchServer), Options{})
			ft.typeAtPrompt(t, "first\r")
			ft.typeAtPrompt(t, "second\r")
			ft.typeAtPrompt(t, leave)
			if err := wait(t, ft, result); err != nil {
				t.Fatalf("Interactive: got %v, want nil", err)
			}
			ft.barrier(t)
			if !ft.shows("FIRST\r\nSECOND\r\n") {
				t.Errorf("terminal does not show the replies; it shows %q", ft.String())
			}
			if ft.shows("closed the connection") {
				t.Errorf("terminal reports the server's close; want it quiet after the user left")
			}
		})
	}
}

func TestInteractiveServerGoesAway(t *testing.T) {
	tests := []struct {
		name   string
		handle func(*net.TCPConn)
		is     error
		msg    string // what the command prints, after "upcase client: "
	}{
		{"closes", lessonServer, ErrServerClosed, "closed the connection (FIN)"},
		{"resets", resetServer, ErrServerReset, "was reset by the server (RST)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ft, result := startInteractive(t, context.Background(), fakeServer(t, tt.handle), Options{})
			ft.typeAtPrompt(t, "bye\r")
			err := wait(t, ft, result)
			if !errors.Is(err, tt.is) {
				t.Fatalf("Interactive: got %v, want an error wrapping %v", err, tt.is)
			}
			if !strings.Contains(err.Error(), tt.msg) {
				t.Errorf("error %q does not say %q", err, tt.msg)
			}
			assertCooked(t, ft.tty)
		})
	}
}

// TestInteractiveServerClosesAtPrompt: the server goes away while the user is
// at the prompt, typing; the pending line is abandoned.
func TestInteractiveServerClosesAtPrompt(t *testing.T) {
	closeNow := make(chan struct{})
	addr := fakeServer(t, func(c *net.TCPConn) { <-closeNow })
	ft, result := startInteractive(t, context.Background(), addr, Options{})
	ft.typeAtPrompt(t, "half a li")
	ft.waitFor(t, "half a li")
	close(closeNow)
	err := wait(t, ft, result)
	if !errors.Is(err, ErrServerClosed) {
		t.Fatalf("Interactive: got %v, want an error wrapping ErrServerClosed", err)
	}
	if got, want := err.Error(), "server at "+addr+" closed the connection (FIN)"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	assertCooked(t, ft.tty)
}

// TestInteractivePartialReply: bytes that come without a newline show at once,
// and the line being typed is drawn again after them, whole.
func TestInteractivePartialReply(t *testing.T) {
	send := make(chan struct{})
	got := make(chan string, 1)
	addr := fakeServer(t, func(c *net.TCPConn) {
		select { // a test that fails first must not leave its cleanup waiting here
		case <-send:
		case <-t.Context().Done():
			return
		}
		c.Write([]byte("Name: "))
		all, _ := io.ReadAll(c)
		got <- string(all)
	})
	ft, result := startInteractive(t, context.Background(), addr, Options{})
	ft.typeAtPrompt(t, "Ann")
	ft.waitFor(t, "Ann")
	close(send)
	ft.waitFor(t, "Name: "+addr+"> \x1b[0KAnn")
	if _, err := ft.ptmx.Write([]byte("e\r")); err != nil {
		t.Fatal(err)
	}
	ft.typeAtPrompt(t, "\x04")
	if err := wait(t, ft, result); err != nil {
		t.Fatalf("Interactive: got %v, want nil", err)
	}
	if sent := <-got; sent != "Anne\n" {
		t.Errorf("the server got %q; want %q", sent, "Anne\n")
	}
}

// TestInteractiveEndsTheLine: when the last reply had no newline, what is
// printed after Interactive (the command's error, the shell's prompt) starts
// on a line of its own.
func TestInteractiveEndsTheLine(t *testing.T) {
	tests := []struct {
		name   string
		handle func(c *net.TCPConn)
		keys   string
	}{
		{"server closes", func(c *net.TCPConn) { c.Write([]byte("partial")) }, ""},
		// The server answers once the client has left (half-closed).
		{"ctrl-d", partialAtEnd, "\x04"},
		{"exit", partialAtEnd, "exit\r"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ft, result := startInteractive(t, context.Background(), fakeServer(t, tt.handle), Options{})
			if tt.keys != "" {
				ft.typeAtPrompt(t, tt.keys)
			}
			wait(t, ft, result)
			ft.waitFor(t, "partial")
			ft.barrier(t)
			// The mark's line: the reply is not on it, and it is empty (only
			// cursor movements) or erased (back to column 1, erase to the
			// end), so the mark starts at the left margin.
			out := strings.TrimSuffix(ft.String(), "--barrier--")
			last := out[strings.LastIndexByte(out, '\n')+1:]
			empty := regexp.MustCompile(`^(\x1b\[[0-9;]*[A-Za-z]| \x08)*$`).MatchString(last)
			if strings.Contains(last, "partial") || !empty && !strings.HasSuffix(last, "\x1b[1G\x1b[J") {
				t.Errorf("what follows Interactive does not start a line of its own: the terminal shows %q", ft.String())
			}
		})
	}
}

// partialAtEnd reads until the client's FIN and then sends a reply with no
// newline.
func partialAtEnd(c *net.TCPConn) {
	io.Copy(io.Discard, c)
	c.Write([]byte("partial"))
}

func TestInteractiveCancel(t *testing.T) {
	addr := servertest.Start(t, &server.Server{})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ft, result := startInteractive(t, ctx, addr, Options{})
	ft.typeAtPrompt(t, "hi\r")
	ft.waitFor(t, "HI")
	ft.waitUntil(t, "the second prompt", func(out []byte) bool { return ft.prompts(out) >= 2 })
	cancel()
	if err := wait(t, ft, result); !errors.Is(err, context.Canceled) {
		t.Fatalf("Interactive: got %v, want context.Canceled", err)
	}
	assertCooked(t, ft.tty)
}

func TestInteractiveHistory(t *testing.T) {
	addr := servertest.Start(t, &server.Server{})
	dir := t.TempDir()
	notDir := filepath.Join(dir, "file")
	if err := os.WriteFile(notDir, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		path    string
		warning bool
	}{
		{"directory created", filepath.Join(dir, "a", "b", "history"), false},
		{"directory cannot be made", filepath.Join(notDir, "history"), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ft, result := startInteractive(t, context.Background(), addr, Options{HistoryFile: tt.path})
			ft.typeAtPrompt(t, "remember me\r")
			ft.typeAtPrompt(t, "\x10\r") // Ctrl-P: the previous line again
			ft.typeAtPrompt(t, "\x04")
			if err := wait(t, ft, result); err != nil {
				t.Fatalf("Interactive: got %v, want nil", err)
			}
			ft.barrier(t)
			if got := ft.shows("warning: going on without history"); got != tt.warning {
				t.Errorf("warning shown: got %v, want %v", got, tt.warning)
			}
			if strings.Count(ft.String(), "REMEMBER ME") != 2 {
				t.Errorf("the line recalled from history was not sent again; terminal shows %q", ft.String())
			}
			saved, err := os.ReadFile(tt.path)
			switch {
			case tt.warning && err == nil:
				t.Errorf("history file %s exists; want none", tt.path)
			case !tt.warning && err != nil:
				t.Errorf("history file: %v", err)
			case !tt.warning && !strings.Contains(string(saved), "remember me\n"):
				t.Errorf("history file holds %q; want the line typed", saved)
			}
		})
	}
}

func (ft *fakeTerminal) String() string {
	ft.mu.Lock()
	defer ft.mu.Unlock()
	return string(ft.out)
}

// TestInteractiveNotATerminal: on input that is not a terminal, the loop
// still works, and the terminal hooks leave the process's own terminal alone.
func TestInteractiveNotATerminal(t *testing.T) {
	addr := servertest.Start(t, &server.Server{})
	conn := connect(t, addr)
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	if _, err := w.WriteString("hello\nexit\n"); err != nil {
		t.Fatal(err)
	}
	out := newSyncBuffer()
	if err := Interactive(context.Background(), conn, Options{Stdin: r, Stdout: out, Stderr: out}); err != nil {
		t.Fatalf("Interactive: got %v, want nil", err)
	}
	if !strings.Contains(out.String(), "HELLO\n") {
		t.Errorf("output %q does not hold the reply", out.String())
	}
	if strings.Contains(out.String(), "connected to") {
		t.Errorf("output %q has the terminal's hint", out.String())
	}
}

func TestInteractiveNeedsStdin(t *testing.T) {
	if err := Interactive(context.Background(), nil, Options{}); err == nil {
		t.Error("Interactive with no Stdin: got nil, want an error")
	}
}
