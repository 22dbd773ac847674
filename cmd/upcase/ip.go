package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/netip"
	"text/tabwriter"

	"github.com/upcase/upcase/internal/lang"
	"github.com/upcase/upcase/internal/subnet"
)

func ipCommand() *command {
	return &command{
		name:  "ip",
		args:  "ADDR[/MASK] [OTHER] | --local",
		short: "compute a subnet, and whom ARP asks for: the lesson's address arithmetic",
		long: `Ip does the lesson's address arithmetic, the half of it about how a packet
finds its host.

  upcase ip 172.16.10.1/24
      the address in dotted, binary and integer form; the mask in both
      notations (/24 and 255.255.255.0); the network address as address AND
      mask, bit by bit; the broadcast address, first and last host, number of
      hosts; and what kind of address it is (private, loopback, link-local,
      multicast, shared, documentation, public). IPv6 too (2001:db8::1/64).
      The mask may be dotted: 172.16.10.1/255.255.255.0.

  upcase ip 192.168.1.2/24 192.168.2.2 --gateway=192.168.1.1
      whether the second address is on the first one's subnet, and therefore
      whose MAC ARP asks for (the host's, or the gateway's), as the lesson's
      tables: source MAC, destination MAC, source IP, destination IP.
      A broadcast (192.168.1.255, 255.255.255.255) or multicast
      (224.0.0.251) destination needs no ARP, its MAC is known; a loopback
      one (127.0.0.5) sends no frame at all. The first address must be a
      host's: not its subnet's network or broadcast address.

  upcase ip --local
      this machine's interfaces, their addresses and masks, their MAC
      addresses with the maker's name (from the IEEE registry in Debian's
      ieee-data package, if installed), and the default gateways.

Nothing is sent on the network.`,
		setup: func(fs *flag.FlagSet) func(context.Context, stdio, []string) error {
			gateway := fs.String("gateway", "", "with two addresses: the `address` of the first one's gateway (router)")
			local := fs.Bool("local", false, "show this machine's interfaces, MAC makers and default gateways")
			asJSON := fs.Bool("json", false, "print the result as JSON")
			language := langFlag(fs)
			return func(ctx context.Context, sio stdio, args []string) error {
				l, err := language()
				if err != nil {
					return err
				}
				if *local {
					if len(args) > 0 {
						return usageError{fmt.Sprintf("--local takes no addresses, not %q", args[0])}
					}
					if *gateway != "" {
						return usageError{"--gateway goes with two addresses, not --local"}
					}
					return ipLocal(sio.out, *asJSON, &subnet.Vendors{})
				}
				switch len(args) {
				case 0:
					return usageError{"missing address (for example: upcase ip 172.16.10.1/24; see 'upcase ip --help')"}
				case 1:
					if *gateway != "" {
						return usageError{"--gateway needs a second address, the destination: upcase ip A/MASK B --gateway=G"}
					}
					return ipOne(sio.out, *asJSON, args[0], l)
				case 2:
					return ipPath(sio.out, *asJSON, args[0], args[1], *gateway, l)
				}
				return usageError{fmt.Sprintf("unexpected argument %q: ip takes one or two addresses", args[2])}
			}
		},
	}
}

// inputErr makes a mistake in the input a usage error, said in l.
func inputErr(err error, l lang.Lang) error {
	var said interface{ In(lang.Lang) string }
	if errors.As(err, &said) {
		return usageError{said.In(l)}
	}
	return err
}

func ipOne(out io.Writer, asJSON bool, arg string, l lang.Lang) error {
	p, masked, err := subnet.Parse(arg)
	if err != nil {
		return inputErr(err, l)
	}
	in := subnet.Describe(arg, p, masked).In(l)
	if asJSON {
		return writeJSON(out, in)
	}
	return in.WriteText(out)
}

func ipPath(out io.Writer, asJSON bool, a, b, gw string, l lang.Lang) error {
	pa, masked, err := subnet.Parse(a)
	if err != nil {
		return inputErr(err, l)
	}
	if !masked {
		return usageError{fmt.Sprintf("%s: the first address needs its mask, as %s/24: the mask decides what its subnet is", a, a)}
	}
	pb, _, err := subnet.Parse(b)
	if err != nil {
		return inputErr(err, l)
	}
	var g netip.Addr
	if gw != "" {
		if g, err = subnet.ParseAddr(gw); err != nil {
			return usageError{"--gateway=" + inputErr(err, l).Error()}
		}
	}
	path, err := subnet.Decide(pa, pb.Addr(), g)
	if err != nil {
		return inputErr(err, l)
	}
	path = path.In(l)
	if asJSON {
		return writeJSON(out, path)
	}
	return path.WriteText(out)
}

func ipLocal(out io.Writer, asJSON bool, v *subnet.Vendors) error {
	ifs, vendorErr, err := subnet.Local(v)
	if err != nil {
		return fmt.Errorf("list interfaces: %w", err)
	}
	routes, rerr := subnet.DefaultRoutes()
	if asJSON {
		res := struct {
			Interfaces    []subnet.Interface `json:"interfaces"`
			DefaultRoutes []subnet.Route     `json:"default_routes"`
			Registry      bool               `json:"vendor_registry"`
		}{ifs, routes, vendorErr == nil}
		if res.DefaultRoutes == nil {
			res.DefaultRoutes = []subnet.Route{}
		}
		if res.Interfaces == nil {
			res.Interfaces = []subnet.Interface{}
		}
		return writeJSON(out, res)
	}
	for i, it := range ifs {
		if i > 0 {
			fmt.Fprintln(out)
		}
		fmt.Fprintf(out, "%s  (index %d, mtu %d, %s)\n", it.Name, it.Index, it.MTU, it.Flags)
		tw := tabwriter.NewWriter(out, 0, 8, 2, ' ', 0)
		if it.MAC != "" {
			maker := it.Vendor
			switch {
			case it.MACNote != "":
				maker = it.MACNote
			case it.MAC == "00:00:00:00:00:00":
				maker = "no MAC (a virtual device)"
			case vendorErr != nil:
				maker = "maker unknown (install ieee-data)"
			case maker == "":
				maker = "maker not in the IEEE registry"
			}
			fmt.Fprintf(tw, "  mac\t%s\t%s\n", it.MAC, maker)
		}
		for _, a := range it.Addresses {
			fmt.Fprintf(tw, "  ipv%d\t%s/%d\t%s\tnetwork %s\t%s\n", ver(a.Address), a.Address, a.PrefixLen, a.Mask, a.Network, a.Kind)
		}
		if err := tw.Flush(); err != nil {
			return err
		}
	}
	fmt.Fprintln(out)
	switch {
	case rerr != nil:
		fmt.Fprintln(out, "default gateway: unknown ("+rerr.Error()+")")
	case len(routes) == 0:
		fmt.Fprintln(out, "default gateway: none (no default route: only the local subnets are reachable)")
	default:
		for _, r := range routes {
			fmt.Fprintf(out, "default gateway (IPv%d): %s via %s\n", r.Version, r.Gateway, r.Interface)
		}
	}
	return nil
}

func ver(addr string) int {
	if a, err := netip.ParseAddr(addr); err == nil && a.Is6() {
		return 6
	}
	return 4
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
