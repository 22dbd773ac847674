// Package trace is the model of what TCP and UDP do on the wire: each
// captured frame becomes an Event, read from the fields package dissect
// finds in it; a Conversation follows one TCP connection (or UDP flow)
// event by event, infers both sides' RFC 9293 states after each one, and
// makes it a Step; Explain says in one sentence what a Step means.
//
// The model is shown by views that know no scenario: the terminal ladder
// (package ladder) and the JSON document (package tracejson). Frames come
// from a live capture (package capture) or a pcap file (package pcap); the
// kernel's own TCP states from package kstate; the scripted conversations
// from package demo. The imports go one way: trace imports dissect and
// pcap; capture imports pcap only; kstate imports trace; demo imports
// capture, kstate and trace; ladder and tracejson import trace and dissect;
// cmd/upcase wires them.
//
// The pieces of the model:
//
//   - Decode and DecodeFrame turn one Ethernet frame into an Event (link
//     layer, ARP, IPv4 or IPv6, TCP with its options, UDP), keeping the
//     dissected Frame and the bytes for the views. They never panic on
//     garbage: the error wraps dissect.ErrTruncated or dissect.ErrMalformed.
//   - A Conversation turns Events into Steps; a Tracker sorts the events of
//     many connections into Conversations, for live capture.
//   - Conversation.AttachKernel sets the kernel's own states (KernelChange)
//     beside the inferred ones.
//   - LinkView is what one Ethernet link saw in the lan and gateway
//     scenarios, and Role names who sent a step: client, server or router.
//
// On loopback a segment is sent and received at the same moment, so the state
// of the sender (which changes when it sends) and of the receiver (which
// changes when it receives) are both given after every segment.
package trace
