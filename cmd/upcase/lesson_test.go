package main

import (
	"bytes"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestLessonStyleClient behaves like the lesson's client.py: send "hello"
// with no newline, read once, expect "HELLO".
func TestLessonStyleClient(t *testing.T) {
	_, addr := startServe(t)
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.Write([]byte("hello"))
	buf := make([]byte, 1024)
	n, err := c.Read(buf)
	if err != nil || string(buf[:n]) != "HELLO" {
		t.Fatalf("one read got %q, %v; want HELLO", buf[:n], err)
	}
}

// TestLessonStyleServer: upcase client against a server that behaves like
// the lesson's server.py: one read, one upper-cased reply, close.
func TestLessonStyleServer(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		buf := make([]byte, 1024)
		n, _ := c.Read(buf)
		c.Write(bytes.ToUpper(buf[:n]))
	}()
	out, stderr, code := runClient(t, []byte("hello"), "--addr="+ln.Addr().String())
	if code != 0 || string(out) != "HELLO" {
		t.Fatalf("client printed %q, exit %d (%s); want HELLO, 0", out, code, stderr)
	}
}

// lessonDir finds the lesson's programs: $UPCASE_LESSON_DIR, or shared/lesson
// beside the repository (where CI puts it).
func lessonDir(t *testing.T) string {
	t.Helper()
	dir := os.Getenv("UPCASE_LESSON_DIR")
	if dir == "" {
		dir = filepath.Join("..", "..", "..", "shared", "lesson")
	}
	if _, err := os.Stat(filepath.Join(dir, "server.py")); err != nil {
		t.Skipf("the lesson's programs are not at %s (set UPCASE_LESSON_DIR)", dir)
	}
	if _, err := exec.LookPath("python3"); err != nil {
		t.Skip("python3 is not installed")
	}
	return dir
}

// lessonProgram copies the lesson's program name into a temporary directory
// with its fixed port 8080 replaced by port, and returns the copy's path.
func lessonProgram(t *testing.T, dir, name, port string) string {
	t.Helper()
	src, err := os.ReadFile(filepath.Join(dir, name))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(src, []byte("8080")) {
		t.Fatalf("%s no longer uses port 8080", name)
	}
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, bytes.ReplaceAll(src, []byte("8080"), []byte(port)), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestLessonClientPy runs the lesson's own client.py against upcase serve.
func TestLessonClientPy(t *testing.T) {
	dir := lessonDir(t)
	_, addr := startServe(t)
	_, port, _ := net.SplitHostPort(addr)
	out, err := exec.Command("python3", lessonProgram(t, dir, "client.py", port)).CombinedOutput()
	if err != nil {
		t.Fatalf("client.py: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "b'HELLO'") {
		t.Errorf("client.py printed:\n%s\nwant it to receive b'HELLO'", out)
	}
}

// TestLessonServerPy runs upcase client against the lesson's own server.py.
func TestLessonServerPy(t *testing.T) {
	dir := lessonDir(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	_, port, _ := net.SplitHostPort(ln.Addr().String())
	ln.Close()
	py := startCommand(t, "python3", "-u", lessonProgram(t, dir, "server.py", port))
	py.output.waitFor(t, py, regexp.MustCompile(`(?m)^start$`)) // it prints "start" once listening

	out, stderr, code := runClient(t, []byte("hello"), "--addr=127.0.0.1:"+port)
	if code != 0 || string(out) != "HELLO" {
		t.Fatalf("upcase client printed %q, exit %d (%s); want HELLO, 0", out, code, stderr)
	}
	<-py.done
	if !strings.Contains(py.output.String(), "b'hello'") {
		t.Errorf("server.py printed:\n%s\nwant it to have received b'hello'", py.output.String())
	}
}
