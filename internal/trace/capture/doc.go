// Package capture reads the frames that pass a network interface, as they
// pass, through an AF_PACKET socket with a kernel (classic BPF) filter and a
// receive ring in which the kernel stamps each frame. It needs Linux and
// CAP_NET_RAW, which the owner of a network namespace has; elsewhere Open
// returns ErrUnsupported.
package capture
