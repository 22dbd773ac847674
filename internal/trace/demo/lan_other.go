//go:build !linux

package demo

import (
	"context"
	"time"
)

// runLinks needs Linux's network namespaces and veth pairs.
func (cfg Config) runLinks(context.Context, Scenario, time.Duration) (*Result, error) {
	return nil, ErrUnsupported
}
