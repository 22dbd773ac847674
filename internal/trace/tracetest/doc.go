// Package tracetest builds, byte for byte, the frames and conversations
// that the tests of package trace and of the packages around it (capture,
// ladder, demo) work on, as Linux would send them on lo or on an Ethernet
// link: TCP segments, UDP datagrams, ARP messages, whole dialogues with
// both sides' sequence numbers and timestamps, and the TCP state changes
// the kernel would report for them. It is imported only from _test files.
//
// It does not import package trace, so that trace's own (internal) tests
// can import it: it speaks in bytes, netip addresses, pcap.Frames and
// Linux's state numbers, and each test decodes the frames with
// trace.DecodeFrame, as a capture's frames are decoded.
package tracetest
