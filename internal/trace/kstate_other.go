//go:build !linux

package trace

import (
	"errors"
	"fmt"
)

// KernelTrace records the kernel's own TCP state changes on one port. Here,
// off Linux, it is not implemented: StartKernelTrace returns an error.
type KernelTrace struct{}

// StartKernelTrace returns an error wrapping ErrNoKernelStates and
// errors.ErrUnsupported: the kernel's states are read on Linux only.
func StartKernelTrace(port uint16) (*KernelTrace, error) {
	return nil, fmt.Errorf("%w: they are read on Linux only: %w", ErrNoKernelStates, errors.ErrUnsupported)
}

// Changes returns errors.ErrUnsupported.
func (k *KernelTrace) Changes() ([]KernelChange, error) { return nil, errors.ErrUnsupported }

// Stop returns errors.ErrUnsupported.
func (k *KernelTrace) Stop() ([]KernelChange, error) { return nil, errors.ErrUnsupported }

// Close returns nil.
func (k *KernelTrace) Close() error { return nil }
