//go:build !linux

package capture

import (
	"context"
	"fmt"

	"github.com/upcase/upcase/internal/pcap"
)

// Socket reads frames from a network interface. Here, off Linux, it is not
// implemented: Open returns ErrUnsupported.
type Socket struct{}

// Open returns ErrUnsupported: packet capture is implemented on Linux
// only.
func Open(cfg Config) (*Socket, error) {
	return nil, fmt.Errorf("capture on %s: %w", cfg.iface(), ErrUnsupported)
}

// Next returns ErrUnsupported.
func (c *Socket) Next(ctx context.Context) (pcap.Frame, error) { return pcap.Frame{}, ErrUnsupported }

// Close returns nil.
func (c *Socket) Close() error { return nil }
