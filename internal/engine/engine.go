// Package engine names the two ways upcase moves bytes over TCP
// connections, in the server and in bench alike (one name, one flag value,
// for both): an epoll event loop per CPU, or a goroutine per connection.
package engine

import "fmt"

// Engine is how bytes move over TCP connections, as --engine names it.
type Engine string

const (
	// Auto takes Epoll where it can run, and Goroutine elsewhere. It is the
	// zero value.
	Auto Engine = ""
	// Epoll is one event loop per CPU on Linux's epoll (internal/netpoll).
	Epoll Engine = "epoll"
	// Goroutine is a goroutine per connection, on any system.
	Goroutine Engine = "goroutine"
)

// Parse reads an engine's name as given to --engine.
func Parse(name string) (Engine, error) {
	switch name {
	case "auto", "":
		return Auto, nil
	case string(Epoll):
		return Epoll, nil
	case string(Goroutine):
		return Goroutine, nil
	}
	return "", fmt.Errorf("unknown engine %q: want auto, epoll or goroutine", name)
}

// String is the engine's name as --engine takes it.
func (e Engine) String() string {
	if e == Auto {
		return "auto"
	}
	return string(e)
}
