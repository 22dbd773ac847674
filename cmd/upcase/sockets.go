package main

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"strings"

	"github.com/coreos/go-systemd/v22/activation"

	"github.com/upcase/upcase/internal/server"
)

// metricsSocketName is the FileDescriptorName= of a socket systemd hands over
// for the metrics and health endpoints instead of --metrics.
const metricsSocketName = "metrics"

// sockets are what serve serves: the sockets systemd handed over (socket
// activation: LISTEN_FDS), or one opened on --addr.
type sockets struct {
	streams     []net.Listener
	packets     []net.PacketConn
	metrics     net.Listener // from systemd; nil means --metrics decides
	fromSystemd bool
}

// close closes every socket, for an error before serving starts.
func (s *sockets) close() {
	for _, ln := range s.streams {
		ln.Close()
	}
	for _, pc := range s.packets {
		pc.Close()
	}
	if s.metrics != nil {
		s.metrics.Close()
	}
}

// openSockets takes the sockets systemd handed over, if any (and unsets
// LISTEN_FDS so a child would not take them too), or else listens on addr.
// A socket of the wrong kind for udp is an error that names it.
func openSockets(addr string, udp bool, lc server.ListenConfig, log *slog.Logger) (*sockets, error) {
	files := activation.Files(true)
	if len(files) == 0 {
		s := &sockets{}
		if udp {
			pc, err := lc.ListenPacket(addr)
			if err != nil {
				return nil, err
			}
			s.packets = append(s.packets, pc)
			return s, nil
		}
		ln, err := lc.Listen(addr)
		if err != nil {
			return nil, err
		}
		s.streams = append(s.streams, ln)
		return s, nil
	}
	s := &sockets{fromSystemd: true}
	var errs []error
	for _, f := range files {
		err := s.take(f, udp)
		f.Close() // net.FileListener and FilePacketConn keep a dup
		if err != nil {
			errs = append(errs, err)
		}
	}
	if len(s.streams)+len(s.packets) == 0 {
		errs = append(errs, errors.New("systemd handed over no socket to serve (only metrics?)"))
	}
	if err := errors.Join(errs...); err != nil {
		s.close()
		return nil, fmt.Errorf("socket activation: %w", err)
	}
	var names []string
	for _, ln := range s.streams {
		names = append(names, ln.Addr().String())
	}
	for _, pc := range s.packets {
		names = append(names, pc.LocalAddr().String())
	}
	log.Info("serving the sockets systemd handed over (socket activation); --addr is not used",
		"sockets", strings.Join(names, " "))
	return s, nil
}

// take adds one socket from systemd, by its name and kind.
func (s *sockets) take(f *os.File, udp bool) error {
	if f.Name() == metricsSocketName {
		if s.metrics != nil {
			return fmt.Errorf("more than one socket is named %q", metricsSocketName)
		}
		if err := mustListen(f); err != nil {
			return err
		}
		ln, err := net.FileListener(f)
		if err != nil {
			return fmt.Errorf("socket %q must be a stream socket (ListenStream=): %w", f.Name(), err)
		}
		s.metrics = ln
		return nil
	}
	if udp {
		pc, err := net.FilePacketConn(f)
		if err != nil {
			return fmt.Errorf("socket %q: --udp serves datagram sockets (ListenDatagram=): %w", f.Name(), err)
		}
		s.packets = append(s.packets, pc)
		return nil
	}
	if err := mustListen(f); err != nil {
		return err
	}
	ln, err := net.FileListener(f)
	if err != nil {
		return fmt.Errorf("socket %q: TCP needs a listening stream socket (ListenStream=, Accept=no); for datagrams use --udp: %w", f.Name(), err)
	}
	s.streams = append(s.streams, ln)
	return nil
}
