//go:build !linux

package demo

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// runLinks needs Linux's network namespaces and veth pairs.
func (cfg Config) runLinks(_ context.Context, scenario Scenario, _ time.Duration) (*Result, error) {
	return nil, fmt.Errorf("scenario %v: network namespaces and veth pairs need Linux: %w", scenario, errors.ErrUnsupported)
}
