package pcap

import "time"

// Frame is one captured frame as a pcap record holds it, and as a live
// capture gives it.
type Frame struct {
	// Time is when the frame was captured.
	Time time.Time
	// Data are the captured bytes, from the Ethernet header on.
	Data []byte
	// Len is the frame's length on the wire, which is more than len(Data)
	// when the capture cut it short.
	Len int
}
