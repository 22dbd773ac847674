package trace

// The named values marshal as their names, so that Steps and Events encode
// to JSON (or any text format) that a person or a program can read: "state":
// "TIME-WAIT", "flags": "SYN, ACK", "src": "02:00:00:00:00:01". Only
// marshalling is provided: the encodings are for output.

// MarshalText gives the RFC 9293 name.
func (s State) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// MarshalText gives "client→server" or "server→client".
func (d Direction) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// MarshalText gives "TCP", "UDP", "ARP" or "other".
func (k Kind) MarshalText() ([]byte, error) { return []byte(k.String()), nil }

// MarshalText gives the flags' names, as "SYN, ACK".
func (f TCPFlag) MarshalText() ([]byte, error) { return []byte(f.String()), nil }

// MarshalText gives the address in colon-separated hex.
func (m MAC) MarshalText() ([]byte, error) { return []byte(m.String()), nil }

// MarshalText gives "IPv4", "ARP", "IPv6" or the number in hex.
func (t EtherType) MarshalText() ([]byte, error) { return []byte(t.String()), nil }

// MarshalText gives "request" or "reply".
func (o ARPOp) MarshalText() ([]byte, error) { return []byte(o.String()), nil }
