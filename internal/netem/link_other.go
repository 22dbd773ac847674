//go:build !linux

package netem

import (
	"context"
	"os"
	"os/exec"
)

// Available reports why a Link cannot be made here: it never can.
func Available() error { return ErrUnsupported }

// NewLink returns ErrUnsupported.
func NewLink(prefix string) (*Link, error) { return nil, ErrUnsupported }

// Close does nothing.
func (l *Link) Close() error { return nil }

// NewNamespace returns ErrUnsupported.
func NewNamespace(name string) (*Namespace, error) { return nil, ErrUnsupported }

// Delete returns ErrUnsupported.
func (ns *Namespace) Delete() error { return ErrUnsupported }

// Do returns ErrUnsupported without calling f.
func (ns *Namespace) Do(f func() error) error { return ErrUnsupported }

// OpenTUN returns ErrUnsupported.
func (ns *Namespace) OpenTUN(name string) (*os.File, error) { return nil, ErrUnsupported }

// SNMP returns ErrUnsupported.
func (ns *Namespace) SNMP() (map[string]int64, error) { return nil, ErrUnsupported }

// Command returns a command that fails to start with ErrUnsupported.
func (ns *Namespace) Command(ctx context.Context, name string, arg ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, name, arg...)
	cmd.Err = ErrUnsupported
	return cmd
}
