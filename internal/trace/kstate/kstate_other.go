//go:build !linux

package kstate

import (
	"errors"
	"fmt"

	"github.com/upcase/upcase/internal/trace"
)

// Trace records the kernel's own TCP state changes on one port. Here,
// off Linux, it is not implemented: Start returns an error.
type Trace struct{}

// Start returns an error wrapping ErrUnavailable and
// errors.ErrUnsupported: the kernel's states are read on Linux only.
func Start(port uint16) (*Trace, error) {
	return nil, fmt.Errorf("%w: they are read on Linux only: %w", ErrUnavailable, errors.ErrUnsupported)
}

// Changes returns errors.ErrUnsupported.
func (k *Trace) Changes() ([]trace.KernelChange, error) { return nil, errors.ErrUnsupported }

// Stop returns errors.ErrUnsupported.
func (k *Trace) Stop() ([]trace.KernelChange, error) { return nil, errors.ErrUnsupported }

// Close returns nil.
func (k *Trace) Close() error { return nil }
