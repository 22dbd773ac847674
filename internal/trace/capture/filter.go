package capture

import (
	"fmt"

	"golang.org/x/net/bpf"
)

// filterSnap is how many bytes of a frame the filter keeps: the largest
// frame on lo, where segmentation offload makes IP packets of up to 64 KiB,
// with its Ethernet header. The capture's ring slots hold that much.
const filterSnap = 1<<16 + ethernetLen

// ethernetLen is the length of an Ethernet II header: two MAC addresses and
// the EtherType.
const ethernetLen = 14

// EtherTypes the filter reads.
const (
	etherTypeIPv4 = 0x0800
	etherTypeARP  = 0x0806
	etherTypeIPv6 = 0x86dd
)

// IP protocol numbers the filter keeps.
const (
	protoTCP = 6
	protoUDP = 17
)

// Offsets in an Ethernet frame that the filter reads.
const (
	offEtherType  = 12
	offIPv4       = ethernetLen
	offIPv4Proto  = offIPv4 + 9
	offIPv4Frag   = offIPv4 + 6
	offIPv6       = ethernetLen
	offIPv6Next   = offIPv6 + 6
	offIPv6Ports  = offIPv6 + 40
	offPortSource = 0
	offPortDest   = 2
)

// filterProgram gives the classic BPF program a Socket attaches to its
// socket, so that the kernel hands over only what is asked for: TCP and UDP
// over IPv4 and IPv6 to or from port (any port if zero), and ARP if arp is
// set. Fragments after the first and IPv6 packets with extension headers
// before TCP or UDP are left out: they carry no ports where the filter looks.
func filterProgram(port uint16, arp bool) ([]bpf.Instruction, error) {
	var p program
	p.add(bpf.LoadAbsolute{Off: offEtherType, Size: 2})
	if arp {
		p.jumpIf(bpf.JumpEqual, uint32(etherTypeARP), "accept", "")
	}
	p.jumpIf(bpf.JumpEqual, uint32(etherTypeIPv4), "ipv4", "")
	p.jumpIf(bpf.JumpEqual, uint32(etherTypeIPv6), "ipv6", "drop")

	p.label("ipv4")
	p.add(bpf.LoadAbsolute{Off: offIPv4Proto, Size: 1})
	p.jumpIf(bpf.JumpEqual, protoTCP, "ipv4-ports", "")
	p.jumpIf(bpf.JumpEqual, protoUDP, "ipv4-ports", "drop")
	p.label("ipv4-ports")
	p.add(bpf.LoadAbsolute{Off: offIPv4Frag, Size: 2})
	p.jumpIf(bpf.JumpBitsSet, 0x1fff, "drop", "")
	if port == 0 {
		p.jump("accept")
	} else {
		p.add(bpf.LoadMemShift{Off: offIPv4}) // X = the IPv4 header's length
		p.add(bpf.LoadIndirect{Off: offIPv4 + offPortSource, Size: 2})
		p.jumpIf(bpf.JumpEqual, uint32(port), "accept", "")
		p.add(bpf.LoadIndirect{Off: offIPv4 + offPortDest, Size: 2})
		p.jumpIf(bpf.JumpEqual, uint32(port), "accept", "drop")
	}

	p.label("ipv6")
	p.add(bpf.LoadAbsolute{Off: offIPv6Next, Size: 1})
	p.jumpIf(bpf.JumpEqual, protoTCP, "ipv6-ports", "")
	p.jumpIf(bpf.JumpEqual, protoUDP, "ipv6-ports", "drop")
	p.label("ipv6-ports")
	if port == 0 {
		p.jump("accept")
	} else {
		p.add(bpf.LoadAbsolute{Off: offIPv6Ports + offPortSource, Size: 2})
		p.jumpIf(bpf.JumpEqual, uint32(port), "accept", "")
		p.add(bpf.LoadAbsolute{Off: offIPv6Ports + offPortDest, Size: 2})
		p.jumpIf(bpf.JumpEqual, uint32(port), "accept", "drop")
	}

	p.label("accept")
	p.add(bpf.RetConstant{Val: filterSnap})
	p.label("drop")
	p.add(bpf.RetConstant{Val: 0})
	return p.resolve()
}

// program is a classic BPF program being written whose jumps name labels,
// resolved at the end. Classic BPF jumps only forward.
type program struct {
	insts  []bpf.Instruction
	jumps  []jump
	labels map[string]int
}

// jump is a jump still to resolve: the instruction at index at goes to
// ifTrue or ifFalse ("" meaning the next instruction); an unconditional
// jump has only ifTrue.
type jump struct {
	at              int
	ifTrue, ifFalse string
}

// add appends an instruction.
func (p *program) add(i bpf.Instruction) { p.insts = append(p.insts, i) }

// label names the place of the next instruction.
func (p *program) label(name string) {
	if p.labels == nil {
		p.labels = make(map[string]int)
	}
	p.labels[name] = len(p.insts)
}

// jumpIf appends a conditional jump to labels.
func (p *program) jumpIf(cond bpf.JumpTest, val uint32, ifTrue, ifFalse string) {
	p.jumps = append(p.jumps, jump{len(p.insts), ifTrue, ifFalse})
	p.add(bpf.JumpIf{Cond: cond, Val: val})
}

// jump appends an unconditional jump to a label.
func (p *program) jump(to string) {
	p.jumps = append(p.jumps, jump{len(p.insts), to, ""})
	p.add(bpf.Jump{})
}

// resolve fills in the jumps' distances and gives the program.
func (p *program) resolve() ([]bpf.Instruction, error) {
	skip := func(at int, to string) (uint32, error) {
		if to == "" {
			return 0, nil
		}
		target, ok := p.labels[to]
		if !ok || target <= at {
			return 0, fmt.Errorf("assemble filter: jump at %d to %q: no such label ahead", at, to)
		}
		return uint32(target - at - 1), nil
	}
	for _, j := range p.jumps {
		t, err := skip(j.at, j.ifTrue)
		if err != nil {
			return nil, err
		}
		f, err := skip(j.at, j.ifFalse)
		if err != nil {
			return nil, err
		}
		switch i := p.insts[j.at].(type) {
		case bpf.Jump:
			i.Skip = t
			p.insts[j.at] = i
		case bpf.JumpIf:
			if t > 255 || f > 255 {
				return nil, fmt.Errorf("assemble filter: jump at %d too far", j.at)
			}
			i.SkipTrue, i.SkipFalse = uint8(t), uint8(f)
			p.insts[j.at] = i
		}
	}
	return p.insts, nil
}
