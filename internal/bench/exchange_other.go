//go:build !unix

package bench

import "net"

// newRawExchanger is Unix only: elsewhere the plain exchanger is used.
func newRawExchanger(net.Conn) exchanger { return nil }
