// Package trace shows what TCP and UDP do on the wire: it captures the
// frames of a conversation, decodes them, follows each side's TCP state and
// draws the conversation as a ladder (sequence) diagram with one plain
// sentence per segment, as a teacher would explain it.
//
// The pieces, each usable on its own:
//
//   - Decode turns one captured Ethernet frame into an Event (link layer, ARP,
//     IPv4 or IPv6, TCP with its options, UDP). It is pure and never panics
//     on garbage: it returns an error wrapping ErrTruncated or ErrMalformed.
//   - A Conversation follows one TCP connection (or UDP flow) segment by
//     segment and infers both sides' RFC 9293 states after each one; a
//     Tracker sorts the events of many connections into Conversations.
//   - Explain says in one sentence what a Step means.
//   - A Renderer draws Steps as a ladder for a terminal.
//   - PcapWriter and PcapReader write and read the classic libpcap format.
//   - A Capture reads frames from an interface through an AF_PACKET socket
//     with a kernel (classic BPF) filter and a receive ring, in which the
//     kernel stamps each frame as it passes. It needs Linux and CAP_NET_RAW.
//   - A KernelTrace reads the kernel's own TCP state changes (the
//     sock:inet_sock_set_state tracepoint, through a private tracefs
//     instance; Linux and root), and Conversation.AttachKernel sets them
//     beside the inferred states, which a Renderer then shows.
//
// On loopback a segment is sent and received at the same moment, so the state
// of the sender (which changes when it sends) and of the receiver (which
// changes when it receives) are both given after every segment.
//
// Capturing, decoding, following and drawing stand on the standard library,
// golang.org/x/sys/unix and golang.org/x/net/bpf only. The demo's server
// upper-cases with internal/upper, the transform upcase serve uses (itself a
// leaf). The lan and gateway scenarios (lan_linux.go) also build their
// networks, with internal/netns and vishvananda/netlink; that setup belongs in
// internal/netns, and is the one part of the package that is not a leaf.
package trace
