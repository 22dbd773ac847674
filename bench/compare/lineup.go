package main

// entry is one row of a load cell: a server and the load generator put on
// it. In -mode=servers the entries of a cell are the peers that speak its
// protocol, each loaded by the one generator; in -mode=clients they are the
// load generators that can load it, each against its own instance of the
// reference server. This file lines up a cell's entries.
type entry struct {
	Name   string // the row's peer: a server or a load generator
	Ref    bool   // the reference the row's ×C are against
	Server Peer
	Gen    Gen
}

// entriesFor is cell c's entries, in table order.
func (d *driver) entriesFor(c Cell) []entry {
	var out []entry
	if d.cfg.mode == modeClients {
		srv, _ := makePeer(refServer(c), d.bin, nil)
		for _, g := range d.gens {
			if g.loads(c) {
				out = append(out, entry{Name: g.Name, Ref: g.Name == refGen, Server: srv, Gen: g})
			}
		}
		return out
	}
	g, ok := d.serverLoad(c)
	for _, p := range d.peers {
		if ok && p.UDP == c.UDP {
			out = append(out, entry{Name: p.Name, Ref: p.Name == refServer(c), Server: p, Gen: g})
		}
	}
	return out
}

// serverLoad is the load generator of -mode=servers for cell c: upcase
// bench, or loadgen/, for TCP; for UDP upcase bench when there is one, else
// the C UDP client.
func (d *driver) serverLoad(c Cell) (Gen, bool) {
	for _, g := range d.gens {
		if g.Name != refGen && g.loads(c) {
			return g, true
		}
	}
	for _, g := range d.gens {
		if g.loads(c) {
			return g, true
		}
	}
	return Gen{}, false
}
