//go:build !linux

package trace

import (
	"context"
	"fmt"
)

// Capture reads frames from a network interface. Here, off Linux, it is not
// implemented: NewCapture returns ErrUnsupported.
type Capture struct{}

// NewCapture returns ErrUnsupported: packet capture is implemented on Linux
// only.
func NewCapture(cfg CaptureConfig) (*Capture, error) {
	return nil, fmt.Errorf("capture on %s: %w", cfg.iface(), ErrUnsupported)
}

// Next returns ErrUnsupported.
func (c *Capture) Next(ctx context.Context) (Frame, error) { return Frame{}, ErrUnsupported }

// Close returns nil.
func (c *Capture) Close() error { return nil }
