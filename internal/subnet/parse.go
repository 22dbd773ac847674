// Package subnet is the lesson's address arithmetic: an IP address and its
// mask as bits, the network address as address AND mask, the broadcast
// address and the host range, the kind of address (private, loopback, ...),
// and the ARP decision (same subnet: ask for the target's MAC; otherwise ask
// for the gateway's; a broadcast or multicast destination needs no ARP, its
// MAC is known; a loopback one no frame at all). It also lists this machine's interfaces with their
// makers (from the IEEE registry, where the system has it) and default
// gateways. The arithmetic is pure; only Local and Vendors read the system.
package subnet

import (
	"fmt"
	"net/netip"
	"strconv"
	"strings"
)

// ParseError says exactly what is wrong with an address or a mask.
type ParseError struct {
	Input string // what was given
	Msg   string // what is wrong with it
}

func (e *ParseError) Error() string {
	if e.Input == "" {
		return e.Msg
	}
	return e.Input + ": " + e.Msg
}

// Parse reads ADDR, ADDR/LEN or ADDR/DOTTED-MASK (IPv4 only), for example
// 172.16.10.1/24, 172.16.10.1/255.255.255.0 or 2001:db8::1/64. The address
// keeps its host bits; without a mask the prefix covers the address alone
// (/32 or /128) and masked reports false.
func Parse(s string) (p netip.Prefix, masked bool, err error) {
	addrPart, maskPart, masked := strings.Cut(s, "/")
	if strings.TrimSpace(s) == "" {
		return netip.Prefix{}, false, &ParseError{Msg: "empty address"}
	}
	if addrPart == "" {
		return netip.Prefix{}, false, &ParseError{s, "missing the address before the /"}
	}
	addr, err := ParseAddr(addrPart)
	if err != nil {
		if pe, ok := err.(*ParseError); ok {
			pe.Input = s
		}
		return netip.Prefix{}, false, err
	}
	bits := addr.BitLen()
	if masked {
		bits, err = parseMask(addr, maskPart)
		if err != nil {
			return netip.Prefix{}, false, &ParseError{s, err.Error()}
		}
	}
	return netip.PrefixFrom(addr, bits), masked, nil
}

// ParseAddr reads an IPv4 address in dotted decimal or an IPv6 address.
// Its errors name the part that is wrong ("300 is not 0-255"). Zones
// (fe80::1%eth0) are refused: they name a link, not an address.
func ParseAddr(s string) (netip.Addr, error) {
	if s == "" {
		return netip.Addr{}, &ParseError{Msg: "empty address"}
	}
	if strings.Contains(s, ":") {
		if i := strings.IndexByte(s, '%'); i >= 0 {
			return netip.Addr{}, &ParseError{s, fmt.Sprintf("the zone %q names a link, not part of the address; leave it out", s[i:])}
		}
		a, err := netip.ParseAddr(s)
		if err != nil {
			msg := err.Error()
			if _, after, ok := strings.Cut(msg, "): "); ok {
				msg = after
			}
			return netip.Addr{}, &ParseError{s, "not an IPv6 address: " + msg}
		}
		return a, nil
	}
	if !strings.Contains(s, ".") {
		if _, err := strconv.ParseUint(s, 10, 64); err == nil {
			return netip.Addr{}, &ParseError{s, "write an IPv4 address as four numbers 0-255 separated by dots (a.b.c.d)"}
		}
		return netip.Addr{}, &ParseError{s, "not an IPv4 or IPv6 address"}
	}
	var b [4]byte
	if err := parseDotted(s, &b); err != nil {
		return netip.Addr{}, &ParseError{s, err.Error()}
	}
	return netip.AddrFrom4(b), nil
}

// parseDotted reads four decimal numbers 0-255 separated by dots.
func parseDotted(s string, b *[4]byte) error {
	parts := strings.Split(s, ".")
	if len(parts) != 4 {
		return fmt.Errorf("an IPv4 address has 4 numbers separated by dots, not %d", len(parts))
	}
	for i, p := range parts {
		if p == "" {
			return fmt.Errorf("number %d is empty", i+1)
		}
		for _, c := range []byte(p) {
			if c < '0' || c > '9' {
				return fmt.Errorf("%q is not a number", p)
			}
		}
		if len(p) > 1 && p[0] == '0' {
			plain := strings.TrimLeft(p, "0")
			if plain == "" {
				plain = "0"
			}
			return fmt.Errorf("%q has a leading zero, which some tools read as octal; write %s", p, plain)
		}
		n, err := strconv.ParseUint(p, 10, 16)
		if err != nil || n > 255 {
			return fmt.Errorf("%s is not 0-255", p)
		}
		b[i] = byte(n)
	}
	return nil
}

// parseMask reads a prefix length (24) or, for IPv4, a dotted mask
// (255.255.255.0), which must be contiguous ones then zeros.
func parseMask(addr netip.Addr, s string) (int, error) {
	maxBits := addr.BitLen()
	if s == "" {
		ex := 24
		if maxBits == 128 {
			ex = 64
		}
		return 0, fmt.Errorf("missing the mask after the / (for example /%d)", ex)
	}
	if strings.Contains(s, ".") {
		if addr.Is6() {
			return 0, fmt.Errorf("a dotted mask is for IPv4; write an IPv6 prefix length, as /64")
		}
		var b [4]byte
		if err := parseDotted(s, &b); err != nil {
			return 0, fmt.Errorf("mask %s: %v", s, err)
		}
		v := uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])
		ones := 0
		for ones < 32 && v&(1<<(31-ones)) != 0 {
			ones++
		}
		if ones < 32 && v<<ones != 0 {
			return 0, fmt.Errorf("mask %s is not contiguous: its 1 bits must all come first (%s)", s, binary(b[:]))
		}
		return ones, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || strings.HasPrefix(s, "+") || (len(s) > 1 && s[0] == '0') {
		return 0, fmt.Errorf("mask %q is not a prefix length (/0-/%d) or a dotted mask", s, maxBits)
	}
	if n < 0 || n > maxBits {
		return 0, fmt.Errorf("/%d is not 0-%d", n, maxBits)
	}
	return n, nil
}

// binary writes bytes as 8-bit groups separated by dots.
func binary(b []byte) string {
	var sb strings.Builder
	for i, x := range b {
		if i > 0 {
			sb.WriteByte('.')
		}
		fmt.Fprintf(&sb, "%08b", x)
	}
	return sb.String()
}
