//go:build !linux

package trace

import (
	"context"
	"time"
)

// runLinks needs Linux's network namespaces and veth pairs.
func (d Demo) runLinks(context.Context, Scenario, time.Duration) (*DemoResult, error) {
	return nil, ErrUnsupported
}
