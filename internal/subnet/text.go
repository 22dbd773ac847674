package subnet

import (
	"fmt"
	"io"
	"net/netip"
	"strings"
	"text/tabwriter"
)

// WriteText writes in for a learner: the address in its forms, the mask in
// both notations, the AND bit by bit, and the range.
func (in Info) WriteText(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 8, 2, ' ', 0)
	row := func(k, v string) { fmt.Fprintf(tw, "%s\t%s\n", k, v) }
	if in.Version == 4 {
		row("address", in.Address)
		row("  binary", in.Binary)
		row("  integer", in.Integer)
		row("mask", fmt.Sprintf("%s = /%d", in.Mask, in.PrefixLen))
		row("  binary", fmt.Sprintf("%s (%s, then %s)", in.MaskBin, plural(in.PrefixLen, "one"), plural(in.HostBits, "zero")))
	} else {
		row("address", in.Address)
		row("  expanded", in.Expanded)
		row("  integer", in.Integer)
		row("prefix", fmt.Sprintf("/%d (mask %s)", in.PrefixLen, in.Mask))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintln(w)
	addr, mask, net := in.Binary, in.MaskBin, in.NetBin
	if in.Version == 4 {
		fmt.Fprintln(w, "network = address AND mask, bit by bit (1 only where both are 1):")
	} else {
		// 128 bits do not fit a line: hex, each digit 4 bits (f = 1111).
		fmt.Fprintln(w, "network = address AND mask, bit by bit, in hex (each digit is 4 bits; f = 1111):")
		addr, mask, net = in.Expanded, in.Mask, expand(in.Network)
	}
	bar := strings.Map(func(r rune) rune {
		if r == '.' || r == ':' {
			return r
		}
		return '-'
	}, addr)
	tw = tabwriter.NewWriter(w, 0, 8, 2, ' ', 0)
	fmt.Fprintf(tw, "  address\t%s\t%s\n", addr, in.Address)
	if in.Version == 4 {
		fmt.Fprintf(tw, "  AND mask\t%s\t%s\n", mask, in.Mask)
	} else {
		fmt.Fprintf(tw, "  AND mask\t%s\t/%d\n", mask, in.PrefixLen)
	}
	fmt.Fprintf(tw, "  \t%s\n", bar)
	fmt.Fprintf(tw, "  network\t%s\t%s\n", net, in.Network)
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintln(w)
	tw = tabwriter.NewWriter(w, 0, 8, 2, ' ', 0)
	row = func(k, v string) { fmt.Fprintf(tw, "%s\t%s\n", k, v) }
	row("network", in.CIDR)
	if in.Broadcast != "" {
		row("broadcast", in.Broadcast+" (host bits all 1)")
	}
	row("first host", in.FirstHost)
	row("last host", in.LastHost)
	if in.Version == 4 {
		hosts := in.Hosts
		if in.PrefixLen < 31 {
			hosts = fmt.Sprintf("%s (2^%d = %s addresses, minus network and broadcast)", in.Hosts, in.HostBits, in.Addresses)
		}
		row("hosts", hosts)
		row("kind", in.KindNote)
		row("class", fmt.Sprintf("%s (historic, before CIDR; the mask decides the network now)", in.Classful))
	} else {
		row("addresses", in.Addresses)
		row("kind", in.KindNote)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	for _, n := range in.Notes {
		fmt.Fprintln(w, "note: "+n)
	}
	return nil
}

func plural(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return fmt.Sprintf("%d %ss", n, what)
}

func expand(addr string) string {
	a, err := netip.ParseAddr(addr)
	if err != nil {
		return addr
	}
	return a.StringExpanded()
}
