package trace

import "time"

// Frame is one captured frame, as a Capture or a PcapReader gives it.
type Frame struct {
	// Time is when the frame was captured.
	Time time.Time
	// Data are the captured bytes, from the Ethernet header on.
	Data []byte
	// Len is the frame's length on the wire, which is more than len(Data)
	// when the capture cut it short.
	Len int
}

// Decode decodes the frame's data (see Decode) and stamps the Event with
// the frame's time.
func (f Frame) Decode() (Event, error) {
	ev, err := Decode(f.Data)
	ev.Time = f.Time
	ev.FrameLen = max(f.Len, len(f.Data))
	return ev, err
}
