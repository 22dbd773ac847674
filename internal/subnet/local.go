package subnet

import (
	"bufio"
	"encoding/hex"
	"errors"
	"io"
	"net"
	"net/netip"
	"os"
	"strconv"
	"strings"
)

// Interface is one of this machine's network interfaces.
type Interface struct {
	Name      string      `json:"name"`
	Index     int         `json:"index"`
	MTU       int         `json:"mtu"`
	Flags     string      `json:"flags"`
	MAC       string      `json:"mac,omitempty"`
	Vendor    string      `json:"vendor,omitempty"`
	MACNote   string      `json:"mac_note,omitempty"`
	Addresses []LocalAddr `json:"addresses"`
}

// LocalAddr is an address on an interface, with its mask in both notations.
type LocalAddr struct {
	Address   string `json:"address"`
	PrefixLen int    `json:"prefix_len"`
	Mask      string `json:"mask,omitempty"` // dotted, IPv4 only
	Network   string `json:"network"`
	Kind      string `json:"kind"`
}

// Route is a default route: where packets for other subnets go.
type Route struct {
	Version   int    `json:"version"`
	Gateway   string `json:"gateway"`
	Interface string `json:"interface"`
}

// Local lists this machine's interfaces, naming each MAC's maker with v
// (nil: no lookup). A registry that is missing is not an error: Vendor
// stays empty and vendorErr says why.
func Local(v *Vendors) (ifs []Interface, vendorErr error, err error) {
	list, err := net.Interfaces()
	if err != nil {
		return nil, nil, err
	}
	for _, ni := range list {
		it := Interface{Name: ni.Name, Index: ni.Index, MTU: ni.MTU, Flags: ni.Flags.String(), Addresses: []LocalAddr{}}
		if len(ni.HardwareAddr) > 0 {
			it.MAC = strings.ToUpper(ni.HardwareAddr.String())
			it.MACNote = MACNote(ni.HardwareAddr)
			if v != nil && it.MACNote == "" && !allZero(ni.HardwareAddr) {
				name, verr := v.Lookup(ni.HardwareAddr)
				if verr != nil {
					vendorErr = verr
				}
				it.Vendor = name
			}
		}
		addrs, err := ni.Addrs()
		if err != nil {
			return nil, vendorErr, err
		}
		for _, a := range addrs {
			ipn, ok := a.(*net.IPNet)
			if !ok {
				continue
			}
			ip, ok := netip.AddrFromSlice(ipn.IP)
			if !ok {
				continue
			}
			ip = ip.Unmap()
			ones, _ := ipn.Mask.Size()
			la := LocalAddr{Address: ip.String(), PrefixLen: ones, Network: netip.PrefixFrom(ip, ones).Masked().String()}
			la.Kind, _ = Kind(ip)
			if ip.Is4() {
				la.Mask = netip.AddrFrom4([4]byte(maskBytes(32, ones))).String()
			}
			it.Addresses = append(it.Addresses, la)
		}
		ifs = append(ifs, it)
	}
	return ifs, vendorErr, nil
}

func allZero(b []byte) bool {
	for _, x := range b {
		if x != 0 {
			return false
		}
	}
	return true
}

// DefaultRoutes reads the default gateways from Linux's /proc/net/route and
// /proc/net/ipv6_route. Elsewhere, or where /proc is missing, it returns
// ErrNoRoutes.
func DefaultRoutes() ([]Route, error) {
	f, err := os.Open("/proc/net/route")
	if err != nil {
		return nil, ErrNoRoutes
	}
	routes, err := parseRoute4(f)
	f.Close()
	if err != nil {
		return nil, err
	}
	if f6, err := os.Open("/proc/net/ipv6_route"); err == nil {
		r6, err := parseRoute6(f6)
		f6.Close()
		if err != nil {
			return nil, err
		}
		routes = append(routes, r6...)
	}
	return routes, nil
}

// ErrNoRoutes means the routing table cannot be read on this system.
var ErrNoRoutes = errors.New("subnet: cannot read the routing table here (/proc/net/route is Linux's)")

// parseRoute4 reads /proc/net/route: Iface Destination Gateway Flags ... Mask,
// addresses in hex, in the kernel's (little-endian) byte order.
func parseRoute4(r io.Reader) ([]Route, error) {
	var out []Route
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 8 || f[0] == "Iface" {
			continue
		}
		flags, err := strconv.ParseUint(f[3], 16, 32)
		if err != nil || f[1] != "00000000" || f[7] != "00000000" || flags&0x2 == 0 { // RTF_GATEWAY
			continue
		}
		b, err := hex.DecodeString(f[2])
		if err != nil || len(b) != 4 {
			continue
		}
		gw := netip.AddrFrom4([4]byte{b[3], b[2], b[1], b[0]})
		out = append(out, Route{Version: 4, Gateway: gw.String(), Interface: f[0]})
	}
	return out, sc.Err()
}

// parseRoute6 reads /proc/net/ipv6_route: destination, its length, source,
// its length, next hop, metric, refcount, use, flags, interface.
func parseRoute6(r io.Reader) ([]Route, error) {
	var out []Route
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 10 || f[0] != strings.Repeat("0", 32) || f[1] != "00" {
			continue
		}
		b, err := hex.DecodeString(f[4])
		if err != nil || len(b) != 16 {
			continue
		}
		gw := netip.AddrFrom16([16]byte(b))
		if gw.IsUnspecified() {
			continue
		}
		out = append(out, Route{Version: 6, Gateway: gw.String(), Interface: f[9]})
	}
	return out, sc.Err()
}
