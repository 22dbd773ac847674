// Package netem makes a lossy network for tests: kernel netem in user space,
// for machines without the sch_netem module.
//
// A Link is two network namespaces, A and B, each holding one TUN device with
// a point-to-point address (10.201.0.1 in A, 10.201.0.2 in B). Nothing joins
// the two devices but a Relay: it reads every IP packet one namespace sends
// and writes it into the other, and on the way it can lose, delay (with
// jitter), reorder, duplicate and corrupt packets. A program run in A (see
// Namespace.Command) and one run in B talk over that link as over a bad wire:
// a TUN device carries packets with full software checksums, so the receiving
// kernel drops a corrupted segment, counts it in TcpInCsumErrors (see
// Namespace.SNMP) and TCP retransmits it.
//
// The fault decisions are pure (Faults.Decide, FlipPayloadBit) and draw from a
// seeded math/rand/v2 source, so a run's sequence of decisions is
// reproducible; when each packet arrives is up to the kernels.
//
// Making a Link needs Linux, root (CAP_NET_ADMIN and CAP_SYS_ADMIN), the ip
// command and /dev/net/tun; Available says which is missing. Traffic never
// leaves the two namespaces. The Relay and the fault functions are portable.
package netem
