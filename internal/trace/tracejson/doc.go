// Package tracejson is the JSON view of a trace: the document upcase
// trace --json prints, and the one the browser page reads. Keys are
// snake_case; what a step does not have is left out.
//
// The document:
//
//	version      1; it changes when a key changes meaning or goes (keys are added freely)
//	scenario     the demo's scenario ("normal", ...)
//	lang         the language of every explanation: "en" or "zh"
//	kind         "tcp" or "udp"
//	client       the client's address and port, "127.0.0.1:40312"
//	server       the server's, "127.0.0.1:8080"
//	start        when the first step was captured (RFC 3339)
//	initial      each side's state before the first step: {"client": "CLOSED", "server": "LISTEN"} (TCP only)
//	steps        the steps, in capture order (see below)
//	final        each side's state after the last step (TCP only)
//	notes        what holds for every frame of the capture (no FCS), in lang
//	terms        TCP: what the steps' seq, ack, len and window mean, in lang
//	links        lan and gateway: what each Ethernet link saw, the client's link first:
//	             name ("client ↔ router"), ends (["client", "router"]), host and
//	             interface (the machine, by its role, and the device captured on),
//	             router (the address of the link's far end where that is a router,
//	             not the server: "192.168.1.1"), owners (each MAC address's
//	             machine and device: {"02:00:c0:a8:01:01": {"role": "router",
//	             "interface": "eth0"}}) and steps, timed from the document's start;
//	             the client's link has no steps of its own: they are the document's
//
// A step:
//
//	index        its place in steps, from 0
//	time         seconds since the document's start (Wireshark's frame.time_relative)
//	from, to     "client", "server" or "router" (a gateway's own ARP messages)
//	kind         "tcp", "udp" or "arp"
//	flags        the TCP flags set, in Wireshark's order, as ["SYN", "ACK"]; [] for UDP and ARP
//	seq, ack     TCP: relative to each side's initial sequence number (a SYN has seq 0);
//	             ack only with the ACK flag. The numbers as sent are in the frame's
//	             tcp.seq_raw and tcp.ack_raw
//	len          the payload's length in bytes
//	window       TCP: the receive window in bytes, scaled by the sender's window
//	             scale once both SYNs agreed on scaling
//	states       TCP: each side's state after the step, as RFC 9293's diagram says
//	kernel       TCP, as root: each side's state after the step as the Linux kernel
//	             reported it, where it had reported one; may differ from states
//	             (Linux's TIME-WAIT is a separate record: the socket is CLOSED)
//	explanation  one sentence saying what the step means, in lang
//	kernel_notes as root, where the kernel's states differ from RFC 9293's: what
//	             Linux does and why ("Linux reports the client CLOSED, not
//	             TIME-WAIT: ..."), in lang
//	frame        the captured frame: bytes (hex), length (bytes captured), wire_length
//	             (its length on the wire, where the capture cut it short), layers, and
//	             notes on this capture's own artefacts, each with at (the layer or
//	             field it is about, such as tcp.checksum) and text
//
// Live mode (upcase trace --port --json) prints, as each segment is
// captured, one line of JSON per step (a Record): {"client": ..., "server":
// ..., "lang": ..., "step": {...}}, the step as above, timed from its
// connection's first step.
//
// A layer has name (Wireshark's: eth, arp, ip, ipv6, tcp, udp, data,
// eth.padding), level (the lesson's layer: 数据链路层, 网络层, 传输层, 应用层,
// or in English data link, network, transport, application layer), offset
// and length (in bytes from the start of the frame), explanation and
// fields; a field has name (its Wireshark display-filter
// name, such as tcp.flags.syn), offset and length (tshark's), mask (for a
// field of bits: which bits of the big-endian number its bytes make),
// value (as Wireshark shows it), explanation, and fields (its parts).
package tracejson
