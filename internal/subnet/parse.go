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

// Parse reads ADDR, ADDR/LEN or ADDR/DOTTED-MASK (IPv4 only), for example
// 172.16.10.1/24, 172.16.10.1/255.255.255.0 or 2001:db8::1/64. The address
// keeps its host bits; without a mask the prefix covers the address alone
// (/32 or /128) and masked reports false.
func Parse(s string) (p netip.Prefix, masked bool, err error) {
	addrPart, maskPart, masked := strings.Cut(s, "/")
	if strings.TrimSpace(s) == "" {
		return netip.Prefix{}, false, parseError("", newError(errMsg.Empty))
	}
	if addrPart == "" {
		return netip.Prefix{}, false, parseError(s, newError(errMsg.NoAddress))
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
		var why *Error
		if bits, why = parseMask(addr, maskPart); why != nil {
			return netip.Prefix{}, false, parseError(s, why)
		}
	}
	return netip.PrefixFrom(addr, bits), masked, nil
}

// ParseAddr reads an IPv4 address in dotted decimal or an IPv6 address.
// Its errors name the part that is wrong ("300 is not 0-255"). Zones
// (fe80::1%eth0) are refused: they name a link, not an address.
func ParseAddr(s string) (netip.Addr, error) {
	if s == "" {
		return netip.Addr{}, parseError("", newError(errMsg.Empty))
	}
	if strings.Contains(s, ":") {
		if i := strings.IndexByte(s, '%'); i >= 0 {
			return netip.Addr{}, parseError(s, newError(errMsg.Zone, s[i:]))
		}
		a, err := netip.ParseAddr(s)
		if err != nil {
			msg := err.Error()
			if _, after, ok := strings.Cut(msg, "): "); ok {
				msg = after
			}
			return netip.Addr{}, parseError(s, newError(errMsg.NotIPv6, msg))
		}
		return a, nil
	}
	if !strings.Contains(s, ".") {
		if _, err := strconv.ParseUint(s, 10, 64); err == nil {
			return netip.Addr{}, parseError(s, newError(errMsg.NotDotted))
		}
		return netip.Addr{}, parseError(s, newError(errMsg.NotAnAddress))
	}
	var b [4]byte
	if err := parseDotted(s, &b); err != nil {
		return netip.Addr{}, parseError(s, err)
	}
	return netip.AddrFrom4(b), nil
}

// parseDotted reads four decimal numbers 0-255 separated by dots.
func parseDotted(s string, b *[4]byte) *Error {
	parts := strings.Split(s, ".")
	if len(parts) != 4 {
		return newError(errMsg.Count, len(parts))
	}
	for i, p := range parts {
		if p == "" {
			return newError(errMsg.EmptyNumber, i+1)
		}
		for _, c := range []byte(p) {
			if c < '0' || c > '9' {
				return newError(errMsg.NotANumber, p)
			}
		}
		if len(p) > 1 && p[0] == '0' {
			plain := strings.TrimLeft(p, "0")
			if plain == "" {
				plain = "0"
			}
			return newError(errMsg.LeadingZero, p, plain)
		}
		n, err := strconv.ParseUint(p, 10, 16)
		if err != nil || n > 255 {
			return newError(errMsg.Not0to255, p)
		}
		b[i] = byte(n)
	}
	return nil
}

// parseMask reads a prefix length (24) or, for IPv4, a dotted mask
// (255.255.255.0), which must be contiguous ones then zeros.
func parseMask(addr netip.Addr, s string) (int, *Error) {
	maxBits := addr.BitLen()
	if s == "" {
		ex := 24
		if maxBits == 128 {
			ex = 64
		}
		return 0, newError(errMsg.NoMask, ex)
	}
	if strings.Contains(s, ".") {
		if addr.Is6() {
			return 0, newError(errMsg.DottedMask6)
		}
		var b [4]byte
		if err := parseDotted(s, &b); err != nil {
			return 0, newError(errMsg.Mask, s, err)
		}
		v := uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])
		ones := 0
		for ones < 32 && v&(1<<(31-ones)) != 0 {
			ones++
		}
		if ones < 32 && v<<ones != 0 {
			return 0, newError(errMsg.NotContiguous, s, binary(b[:]))
		}
		return ones, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || strings.HasPrefix(s, "+") || (len(s) > 1 && s[0] == '0') {
		return 0, newError(errMsg.NotAPrefix, s, maxBits)
	}
	if n < 0 || n > maxBits {
		return 0, newError(errMsg.PrefixRange, n, maxBits)
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
