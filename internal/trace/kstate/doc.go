// Package kstate reads the Linux kernel's own TCP state changes of the
// sockets on one port, as the kernel makes them (the
// sock:inet_sock_set_state tracepoint, through a private tracefs instance),
// so that a trace can show them beside the states inferred from the
// segments. It needs root in the initial user namespace; where the states
// cannot be read, Start's error wraps ErrUnavailable.
package kstate
