package netem

import (
	"errors"
	"net/netip"
	"os"
)

// ErrUnsupported is returned where a Link or Namespace cannot exist: on
// systems other than Linux.
var ErrUnsupported = errors.New("netem: network namespaces and TUN devices need Linux")

// The addresses and device name every Link uses. They are private to the
// Link's two namespaces, so Links made at the same time do not clash.
var (
	AddrA = netip.MustParseAddr("10.201.0.1") // the address in namespace A
	AddrB = netip.MustParseAddr("10.201.0.2") // the address in namespace B
)

// DeviceName is the name of the TUN device in each namespace of a Link.
const DeviceName = "netem0"

// Namespace is a named network namespace, as `ip netns add` makes them: it
// lives while /var/run/netns/Name does, or while a process or device holds
// it. Its methods may be called concurrently.
type Namespace struct {
	// Name is the namespace's name for the ip command: ip -n Name, ip netns
	// exec Name.
	Name string
}

// Link is two network namespaces, A and B, joined only through their TUN
// devices: A has AddrA and B has AddrB on DeviceName, point to point (/32),
// both links up, and loopback is up in each. Nothing moves between them until
// a Relay runs between DevA and DevB. Close removes it all.
type Link struct {
	A, B       *Namespace
	DevA, DevB *os.File // the TUN devices in A and in B, opened without packet information
}
