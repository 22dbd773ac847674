package bench

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
)

// CheckSource reports whether connections to addr ("host:port") can be
// opened from the local address src: src must be a plain IP address (no
// zone) of the family of addr's host when that is an IP address. A host
// name is resolved only when dialling, which then picks its addresses of
// src's family.
func CheckSource(src netip.Addr, addr string) error {
	switch {
	case !src.IsValid():
		return errors.New("an empty source address")
	case src.Zone() != "":
		return fmt.Errorf("%s: a source address takes no zone", src)
	}
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return nil // the dial says what is wrong with addr
	}
	dst, err := netip.ParseAddr(host)
	if err != nil {
		return nil // a name
	}
	if src.Unmap().Is4() != dst.Unmap().Is4() {
		return fmt.Errorf("%s is %s but %s is %s: a connection cannot go from one family to the other", src, family(src), host, family(dst))
	}
	return nil
}

func family(a netip.Addr) string {
	if a.Unmap().Is4() {
		return "IPv4"
	}
	return "IPv6"
}
