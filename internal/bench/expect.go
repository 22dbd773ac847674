package bench

import "fmt"

// Expect is what a reply must be for Run to count it correct.
type Expect int

const (
	// ExpectUpper: the message upper-cased as upcase does (upper.ASCII).
	ExpectUpper Expect = iota
	// ExpectEcho: the message unchanged, as from an RFC 862 echo server.
	ExpectEcho
	// ExpectNone: any bytes, as long as there are as many as were sent.
	ExpectNone
)

var expectNames = [...]string{ExpectUpper: "upper", ExpectEcho: "echo", ExpectNone: "none"}

// String returns the name of e as ParseExpect and the --expect flag take it.
func (e Expect) String() string {
	if e < 0 || int(e) >= len(expectNames) {
		return fmt.Sprintf("Expect(%d)", int(e))
	}
	return expectNames[e]
}

// MarshalText returns e's name, so that e is a string in JSON.
func (e Expect) MarshalText() ([]byte, error) { return []byte(e.String()), nil }

// UnmarshalText sets e from its name: upper, echo or none.
func (e *Expect) UnmarshalText(text []byte) error {
	for i, name := range expectNames {
		if string(text) == name {
			*e = Expect(i)
			return nil
		}
	}
	return fmt.Errorf("want upper, echo or none, not %q", text)
}
