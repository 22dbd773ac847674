package pcap

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"io"
	"strings"
	"testing"
	"time"
)

// Frames for the tests, in hex: an ARP request, a TCP SYN from port 60074
// to 34909 and a UDP datagram from 59450 to 39709 carrying "hello".
const (
	arpHex = "ffffffffffff 0200ac100a0a 0806 0001 0800 06 04 0001 0200ac100a0a ac100a0a 000000000000 ac100a0b"
	synHex = "000000000000 000000000000 0800 45 00 0028 3830 4000 40 06 0000 7f000001 7f000001" +
		"eaaa 885d e2a79196 00000000 5002 ffd7 0000 0000"
	udpHex = "000000000000 000000000000 0800 45 00 0021 0001 4000 40 11 0000 7f000001 7f000001" +
		"e83a 9b1d 000d 0000 68656c6c6f"
)

// frameHex makes a frame of hex words, spaces ignored.
func frameHex(s string) []byte {
	b, err := hex.DecodeString(strings.Join(strings.Fields(s), ""))
	if err != nil {
		panic(err)
	}
	return b
}

// write writes frames to a pcap file in memory.
func write(t testing.TB, frames ...Frame) *bytes.Buffer {
	t.Helper()
	var buf bytes.Buffer
	w, err := NewWriter(&buf)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range frames {
		if err := w.WriteFrame(f); err != nil {
			t.Fatal(err)
		}
	}
	return &buf
}

// start is the time of the first test frame.
var start = time.Date(2026, 12, 7, 14, 12, 58, 624164789, time.UTC)

func TestRoundTrip(t *testing.T) {
	tests := []struct {
		name     string
		frames   []Frame
		wantData [][]byte // what the reader gives back; nil: each frame's Data
	}{
		{name: "no frames"},
		{name: "arp tcp udp", frames: []Frame{
			{Time: start, Data: frameHex(arpHex)},
			{Time: start.Add(time.Millisecond), Data: frameHex(synHex)},
			{Time: start.Add(time.Second), Data: frameHex(udpHex)},
		}},
		{name: "empty frame", frames: []Frame{{Time: start, Data: []byte{}}}},
		{
			name:     "longer than the snap length",
			frames:   []Frame{{Time: start, Data: bytes.Repeat([]byte{0xab}, SnapLen+10)}},
			wantData: [][]byte{bytes.Repeat([]byte{0xab}, SnapLen)},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			buf := write(t, tt.frames...)
			head := buf.Bytes()[:headerLen]
			wantHead := []byte{0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0, 0, 1, 0, 0, 0}
			if !bytes.Equal(head, wantHead) {
				t.Errorf("file header % x, want % x", head, wantHead)
			}
			r, err := NewReader(buf)
			if err != nil {
				t.Fatal(err)
			}
			if r.LinkType != LinkTypeEther || r.SnapLen != SnapLen {
				t.Errorf("link type %d snap length %d, want %d and %d", r.LinkType, r.SnapLen, LinkTypeEther, SnapLen)
			}
			for i, want := range tt.frames {
				got, err := r.Next()
				if err != nil {
					t.Fatalf("frame %d: %v", i, err)
				}
				wantData := want.Data
				if tt.wantData != nil {
					wantData = tt.wantData[i]
				}
				if wantTime := want.Time.Truncate(time.Microsecond); !got.Time.Equal(wantTime) || !bytes.Equal(got.Data, wantData) {
					t.Errorf("frame %d: got %v and %d bytes, want %v and %d", i, got.Time, len(got.Data), wantTime, len(wantData))
				}
				if got.WireLen() != want.WireLen() {
					t.Errorf("frame %d: %d bytes on the wire, want %d", i, got.WireLen(), want.WireLen())
				}
			}
			if _, err := r.Next(); err != io.EOF {
				t.Errorf("after the last frame: got %v, want io.EOF", err)
			}
		})
	}
}

// TestWriterRecord checks a record header byte for byte: seconds,
// microseconds, captured length and length on the wire, little-endian.
func TestWriterRecord(t *testing.T) {
	tests := []struct {
		name  string
		frame Frame
		want  string // the record header, in hex
	}{
		{"short", Frame{Time: time.Unix(1700000000, 123456789), Data: []byte{1, 2, 3}}, "00f15365 40e20100 03000000 03000000"},
		{"cut", Frame{Time: time.Unix(1, 0), Data: make([]byte, SnapLen+1)}, "01000000 00000000 ffff0000 00000100"},
		{"cut by the capture", Frame{Time: time.Unix(1, 0), Data: []byte{1, 2, 3}, Len: 1514}, "01000000 00000000 03000000 ea050000"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			buf := write(t, tt.frame)
			if got, want := buf.Bytes()[headerLen:headerLen+recordLen], frameHex(tt.want); !bytes.Equal(got, want) {
				t.Errorf("record header % x, want % x", got, want)
			}
			if got, want := buf.Len(), headerLen+recordLen+min(len(tt.frame.Data), SnapLen); got != want {
				t.Errorf("file of %d bytes, want %d", got, want)
			}
		})
	}
}

// file builds a pcap file by hand in the given byte order with the given
// magic, one record per frame.
func file(order binary.ByteOrder, magic uint32, frames ...[]byte) []byte {
	h := make([]byte, headerLen)
	order.PutUint32(h[0:], magic)
	order.PutUint16(h[4:], 2)
	order.PutUint16(h[6:], 4)
	order.PutUint32(h[16:], 262144)
	order.PutUint32(h[20:], 1)
	for _, f := range frames {
		rec := make([]byte, recordLen)
		order.PutUint32(rec[0:], 1700000000)
		order.PutUint32(rec[4:], 123456)
		order.PutUint32(rec[8:], uint32(len(f)))
		order.PutUint32(rec[12:], uint32(len(f)))
		h = append(append(h, rec...), f...)
	}
	return h
}

func TestReader(t *testing.T) {
	frame := frameHex(udpHex)
	tests := []struct {
		name         string
		file         []byte
		wantTime     time.Time
		wantLinkType uint32
		wantErr      error // of NewReader or the first Next
	}{
		{"little-endian microseconds", file(binary.LittleEndian, magicMicro, frame), time.Unix(1700000000, 123456000), 1, nil},
		{"big-endian microseconds", file(binary.BigEndian, magicMicro, frame), time.Unix(1700000000, 123456000), 1, nil},
		{"little-endian nanoseconds", file(binary.LittleEndian, magicNano, frame), time.Unix(1700000000, 123456), 1, nil},
		{"big-endian nanoseconds", file(binary.BigEndian, magicNano, frame), time.Unix(1700000000, 123456), 1, nil},
		{"FCS flags in the link type", func() []byte {
			b := file(binary.LittleEndian, magicMicro, frame)
			b[23] = 0x10 // FCS present, 0 bytes' worth: the link type is still 1
			return b
		}(), time.Unix(1700000000, 123456000), 1, nil},
		{"no frames", file(binary.LittleEndian, magicMicro), time.Time{}, 1, io.EOF},
		{"bad magic", file(binary.LittleEndian, 0x0a0d0d0a, frame), time.Time{}, 0, ErrMalformed},
		{"version 1", func() []byte { b := file(binary.LittleEndian, magicMicro); b[4] = 1; return b }(), time.Time{}, 0, ErrMalformed},
		{"empty file", nil, time.Time{}, 0, ErrTruncated},
		{"header cut", file(binary.LittleEndian, magicMicro)[:10], time.Time{}, 0, ErrTruncated},
		{"record header cut", file(binary.LittleEndian, magicMicro, frame)[:headerLen+5], time.Time{}, 1, ErrTruncated},
		{"record data cut", file(binary.LittleEndian, magicMicro, frame)[:headerLen+recordLen+5], time.Time{}, 1, ErrTruncated},
		{"huge record", func() []byte {
			b := file(binary.LittleEndian, magicMicro, frame)
			binary.LittleEndian.PutUint32(b[headerLen+8:], 1<<30)
			return b
		}(), time.Time{}, 1, ErrMalformed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := NewReader(bytes.NewReader(tt.file))
			var f Frame
			if err == nil {
				if r.LinkType != tt.wantLinkType {
					t.Errorf("link type %d, want %d", r.LinkType, tt.wantLinkType)
				}
				f, err = r.Next()
			}
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("got error %v, want %v", err, tt.wantErr)
			}
			if err != nil {
				return
			}
			if !f.Time.Equal(tt.wantTime) || !bytes.Equal(f.Data, frame) {
				t.Errorf("got %v and %d bytes, want %v and %d", f.Time, len(f.Data), tt.wantTime, len(frame))
			}
		})
	}
}

// errWriter fails every write.
type errWriter struct{}

func (errWriter) Write([]byte) (int, error) { return 0, io.ErrClosedPipe }

func TestWriterErrors(t *testing.T) {
	if _, err := NewWriter(errWriter{}); !errors.Is(err, io.ErrClosedPipe) {
		t.Errorf("NewWriter: got %v, want io.ErrClosedPipe", err)
	}
	w := &Writer{w: errWriter{}}
	if err := w.WriteFrame(Frame{Data: []byte{1}}); !errors.Is(err, io.ErrClosedPipe) {
		t.Errorf("WriteFrame: got %v, want io.ErrClosedPipe", err)
	}
}

// FuzzReader checks that the reader never panics, returns only its own
// errors, and that what it reads a Writer writes back unchanged.
func FuzzReader(f *testing.F) {
	f.Add(file(binary.LittleEndian, magicMicro, frameHex(synHex), frameHex(arpHex)))
	f.Add(file(binary.BigEndian, magicNano, frameHex(udpHex)))
	f.Add(file(binary.LittleEndian, magicMicro)[:10])
	f.Fuzz(func(t *testing.T, b []byte) {
		r, err := NewReader(bytes.NewReader(b))
		if err != nil {
			if !errors.Is(err, ErrTruncated) && !errors.Is(err, ErrMalformed) {
				t.Fatalf("NewReader: unexpected error %v", err)
			}
			return
		}
		var frames []Frame
		for {
			fr, err := r.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				if !errors.Is(err, ErrTruncated) && !errors.Is(err, ErrMalformed) {
					t.Fatalf("Next: unexpected error %v", err)
				}
				return
			}
			frames = append(frames, fr)
		}
		r2, err := NewReader(write(t, frames...))
		if err != nil {
			t.Fatal(err)
		}
		for i, want := range frames {
			got, err := r2.Next()
			if err != nil {
				t.Fatalf("frame %d read back: %v", i, err)
			}
			wantData := want.Data[:min(len(want.Data), SnapLen)]
			if !bytes.Equal(got.Data, wantData) || got.Time.Unix() != want.Time.Unix()&0xffffffff {
				t.Fatalf("frame %d read back: %v and %d bytes, want %v and %d", i, got.Time, len(got.Data), want.Time, len(wantData))
			}
		}
	})
}
