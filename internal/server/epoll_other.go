//go:build !linux

package server

import "net"

const epollSupported = false

func (s *Server) serveEpoll(*net.TCPListener) error { return ErrEngineUnsupported }
