package client

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/upcase/upcase/internal/server"
	"github.com/upcase/upcase/internal/server/servertest"
)

// everyByte is all 256 byte values, n times over.
func everyByte(n int) []byte {
	p := make([]byte, 0, 256*n)
	for range n {
		for v := range 256 {
			p = append(p, byte(v))
		}
	}
	return p
}

// stream is n bytes that are not a repeat of a short pattern, so a lost,
// doubled or reordered chunk shows.
func stream(n int) []byte {
	p := make([]byte, n)
	x := uint32(2463534242)
	for i := range p {
		x ^= x << 13
		x ^= x >> 17
		x ^= x << 5
		p[i] = byte(x)
	}
	return p
}

func TestPipe(t *testing.T) {
	addr := servertest.Start(t, &server.Server{})
	tests := []struct {
		name string
		in   []byte
	}{
		{"lesson", []byte("hello")},
		{"empty", nil},
		{"every byte", everyByte(64)},
		{"lines", []byte("one\ntwo\n\nthree")},
		{"multi-MiB", stream(5<<20 + 3)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			conn := connect(t, addr)
			// The limit turns a hang (say, a missing half-close) into a failure.
			ctx, cancel := context.WithTimeout(context.Background(), waitLimit)
			defer cancel()
			var out bytes.Buffer
			if err := Pipe(ctx, conn, bytes.NewReader(tt.in), &out); err != nil {
				t.Fatalf("Pipe: %v", err)
			}
			if want := upperCopy(tt.in); !bytes.Equal(out.Bytes(), want) {
				t.Errorf("got %d bytes, want %d; first difference at %d",
					out.Len(), len(want), firstDiff(out.Bytes(), want))
			}
		})
	}
}

func firstDiff(a, b []byte) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}

// TestPipeLessonServer is the lesson's client.py against its server.py: the
// server reads once, answers and closes; the reply is all there and it is
// not an error.
func TestPipeLessonServer(t *testing.T) {
	conn := connect(t, fakeServer(t, lessonServer))
	var out bytes.Buffer
	if err := Pipe(context.Background(), conn, strings.NewReader("hello"), &out); err != nil {
		t.Fatalf("Pipe: %v", err)
	}
	if got, want := out.String(), "HELLO"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

// TestPipeServerClosesFirst: the server finishes while the input has not
// ended (a terminal nobody types in); Pipe returns nil without waiting for
// the input.
func TestPipeServerClosesFirst(t *testing.T) {
	conn := connect(t, fakeServer(t, lessonServer))
	in, typing := io.Pipe()
	defer typing.Close() // ends Pipe's input goroutine, blocked in Read
	out := newSyncBuffer()
	result := make(chan error, 1)
	go func() { result <- Pipe(context.Background(), conn, in, out) }()
	if _, err := typing.Write([]byte("hello")); err != nil {
		t.Fatal(err)
	}
	if err := <-result; err != nil {
		t.Fatalf("Pipe: %v", err)
	}
	if got, want := out.String(), "HELLO"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

// failingWrites is a connection whose writes fail as if the server had gone,
// and which says when that happened.
type failingWrites struct {
	net.Conn
	failed chan struct{}
}

func (c *failingWrites) Write([]byte) (int, error) {
	close(c.failed)
	return 0, &net.OpError{Op: "write", Net: "tcp", Err: syscall.EPIPE}
}

// TestPipeServerClosedBeforeInputSent: a write to the server failed and then
// the server closed: that is an error, not a clean end.
func TestPipeServerClosedBeforeInputSent(t *testing.T) {
	failed := make(chan struct{})
	addr := fakeServer(t, func(c *net.TCPConn) { <-failed })
	conn := &failingWrites{Conn: connect(t, addr), failed: failed}
	err := Pipe(context.Background(), conn, strings.NewReader("hello"), io.Discard)
	if !errors.Is(err, ErrServerClosed) {
		t.Fatalf("got %v, want an error wrapping ErrServerClosed", err)
	}
	if !errors.Is(err, syscall.EPIPE) {
		t.Errorf("error %q does not wrap the write's cause", err)
	}
	want := "server at " + conn.RemoteAddr().String() + " closed the connection before all input was sent"
	if got := err.Error(); got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestPipeServerResets(t *testing.T) {
	conn := connect(t, fakeServer(t, resetServer))
	err := Pipe(context.Background(), conn, strings.NewReader("hello"), io.Discard)
	if !errors.Is(err, ErrServerReset) {
		t.Fatalf("got %v, want an error wrapping ErrServerReset", err)
	}
	want := "connection to " + conn.RemoteAddr().String() + " was reset by the server (RST)"
	if got := err.Error(); got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

type failingWriter struct{ err error }

func (w failingWriter) Write([]byte) (int, error) { return 0, w.err }

type failingReader struct{ err error }

func (r failingReader) Read([]byte) (int, error) { return 0, r.err }

func TestPipeLocalErrors(t *testing.T) {
	addr := servertest.Start(t, &server.Server{})
	tests := []struct {
		name    string
		in      io.Reader
		out     io.Writer
		wantErr error
		prefix  string
	}{
		{"output closed", strings.NewReader("hello"), failingWriter{syscall.EPIPE}, syscall.EPIPE, "write output: "},
		{"input fails", failingReader{syscall.EIO}, io.Discard, syscall.EIO, "read input: "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := Pipe(context.Background(), connect(t, addr), tt.in, tt.out)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("got %v, want an error wrapping %v", err, tt.wantErr)
			}
			if !strings.HasPrefix(err.Error(), tt.prefix) {
				t.Errorf("got %q, want it to start with %q", err, tt.prefix)
			}
		})
	}
}

func TestPipeCancel(t *testing.T) {
	conn := connect(t, servertest.Start(t, &server.Server{}))
	in, typing := io.Pipe()
	defer typing.Close()
	out := newSyncBuffer()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	result := make(chan error, 1)
	go func() { result <- Pipe(ctx, conn, in, out) }()
	if _, err := typing.Write([]byte("hi")); err != nil {
		t.Fatal(err)
	}
	out.waitFor(t, "HI") // Pipe is running
	cancel()
	if err := <-result; !errors.Is(err, context.Canceled) {
		t.Errorf("got %v, want context.Canceled", err)
	}
}

// TestCopyStreamAllocs: copying allocates nothing per chunk.
func TestCopyStreamAllocs(t *testing.T) {
	data := stream(1 << 20)
	src := bytes.NewReader(data)
	buf := make([]byte, 4<<10) // 256 chunks per run
	allocs := testing.AllocsPerRun(10, func() {
		src.Reset(data)
		copyStream(io.Discard, src, buf)
	})
	if allocs != 0 {
		t.Errorf("got %v allocations per 1 MiB copy, want 0", allocs)
	}
}

func BenchmarkPipe(b *testing.B) {
	addr := servertest.Start(b, &server.Server{})
	for _, size := range []int{1 << 10, 1 << 20} {
		data := stream(size)
		b.Run(byteSize(size), func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(size))
			for b.Loop() {
				conn, err := Dial(context.Background(), addr, 0)
				if err != nil {
					b.Fatal(err)
				}
				if err := Pipe(context.Background(), conn, bytes.NewReader(data), io.Discard); err != nil {
					b.Fatal(err)
				}
				conn.Close()
			}
		})
	}
}

func byteSize(n int) string {
	if n >= 1<<20 {
		return strconv.Itoa(n>>20) + "MiB"
	}
	return strconv.Itoa(n>>10) + "KiB"
}

// endless is input that never ends, like `yes`.
type endless struct{}

func (endless) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = 'y'
	}
	return len(p), nil
}

// TestPipeServerFinishesMidInput: the server answers part of the input and
// then finishes (FIN) while the client is still sending: the output is a
// reply to part of the input, so Pipe must not report success.
func TestPipeServerFinishesMidInput(t *testing.T) {
	addr := fakeServer(t, func(c *net.TCPConn) {
		buf := make([]byte, 5)
		io.ReadFull(c, buf)
		c.Write(bytes.ToUpper(buf))
		c.CloseWrite()
		io.Copy(io.Discard, c) // no RST: read what still comes until the client leaves
	})
	conn := connect(t, addr)
	out := newSyncBuffer()
	err := Pipe(context.Background(), conn, endless{}, out)
	conn.Close()
	if !errors.Is(err, ErrServerClosed) {
		t.Fatalf("got %v, want an error wrapping ErrServerClosed", err)
	}
	if got, want := out.String(), "YYYYY"; got != want {
		t.Errorf("output %q, want %q", got, want)
	}
}
