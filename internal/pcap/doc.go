// Package pcap reads and writes the classic libpcap file format for
// Ethernet (link type 1), which Wireshark and tshark open, and defines the
// Frame a capture gives.
package pcap
