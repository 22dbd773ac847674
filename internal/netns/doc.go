// Package netns runs a part of upcase in a private network namespace of its
// own, so that a demo can listen, connect and capture on a loopback that
// nothing else uses, without root where the kernel allows unprivileged user
// namespaces: the command starts itself again as a child in a new user and
// network namespace, in which it holds CAP_NET_RAW and CAP_NET_ADMIN.
package netns
