//go:build !linux

package bench

import "net"

// udpBatch batches datagrams only on Linux (sendmmsg, recvmmsg); elsewhere
// each datagram is sent and read on its own (udpEach).
type udpBatch struct{ udpEach }

func newUDPBatch(net.Conn, int, int) (*udpBatch, bool) { return nil, false }
