//go:build !linux

package server

import (
	"errors"
	"net"
)

// batchConn batches datagrams only on Linux (recvmmsg, sendmmsg); elsewhere
// ServePacket answers one at a time.
type batchConn struct{}

func newBatchConn(net.PacketConn) (*batchConn, bool) { return nil, false }

func (*packetLoop) serveBatches(*batchConn) error { return errors.ErrUnsupported }
