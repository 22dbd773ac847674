package capture

import (
	"errors"
	"fmt"
)

// ErrUnsupported is returned by Open where packet capture is not
// implemented: everywhere but Linux. It wraps errors.ErrUnsupported.
var ErrUnsupported = fmt.Errorf("capture: packet capture needs Linux: %w", errors.ErrUnsupported)

// Config says what a Socket captures. The zero value captures every
// TCP and UDP packet on lo.
type Config struct {
	// Interface is the name of the interface to capture on; "" means "lo".
	Interface string
	// Port, if not zero, keeps only TCP and UDP packets to or from it.
	Port uint16
	// ARP keeps ARP messages too.
	ARP bool
}

// iface gives the interface's name, "lo" by default.
func (c Config) iface() string {
	if c.Interface == "" {
		return "lo"
	}
	return c.Interface
}
