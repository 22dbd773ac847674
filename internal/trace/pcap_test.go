package trace

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"testing"
	"time"
)

func TestPcapRoundTrip(t *testing.T) {
	var frames []Frame
	for _, ev := range scenarioNormal4(client4, server4) {
		frames = append(frames, Frame{Time: ev.Time, Data: tcpFrame(seg{src: ev.Src, dst: ev.Dst, seq: ev.TCP.Seq, flags: ev.TCP.Flags, payload: ev.Payload})})
	}
	big := Frame{Time: start.Add(time.Second), Data: make([]byte, PcapSnapLen+10)}
	frames = append(frames, big)

	var buf bytes.Buffer
	w, err := NewPcapWriter(&buf)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range frames {
		if err := w.WriteFrame(f); err != nil {
			t.Fatal(err)
		}
	}
	head := buf.Bytes()[:pcapHeaderLen]
	wantHead := []byte{0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0, 0, 1, 0, 0, 0}
	if !bytes.Equal(head, wantHead) {
		t.Errorf("file header % x, want % x", head, wantHead)
	}

	r, err := NewPcapReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if r.LinkType != LinkTypeEther || r.SnapLen != PcapSnapLen {
		t.Errorf("link type %d snap length %d, want 1 and %d", r.LinkType, r.SnapLen, PcapSnapLen)
	}
	for i, want := range frames {
		got, err := r.Next()
		if err != nil {
			t.Fatalf("frame %d: %v", i, err)
		}
		wantData := want.Data[:min(len(want.Data), PcapSnapLen)]
		if !got.Time.Equal(want.Time.Truncate(time.Microsecond)) || !bytes.Equal(got.Data, wantData) || got.Len != len(want.Data) {
			t.Errorf("frame %d: got %v, %d bytes of %d; want %v, %d of %d", i, got.Time, len(got.Data), got.Len, want.Time, len(wantData), len(want.Data))
		}
	}
	if _, err := r.Next(); err != io.EOF {
		t.Errorf("after the last frame: got %v, want io.EOF", err)
	}
}

// pcapFile builds a pcap file by hand in the given byte order and magic.
func pcapFile(order binary.ByteOrder, magic uint32, records ...[]byte) []byte {
	h := make([]byte, pcapHeaderLen)
	order.PutUint32(h[0:], magic)
	order.PutUint16(h[4:], 2)
	order.PutUint16(h[6:], 4)
	order.PutUint32(h[16:], 262144)
	order.PutUint32(h[20:], 1)
	for _, r := range records {
		rec := make([]byte, pcapRecordLen)
		order.PutUint32(rec[0:], 1700000000)
		order.PutUint32(rec[4:], 123456)
		order.PutUint32(rec[8:], uint32(len(r)))
		order.PutUint32(rec[12:], uint32(len(r)))
		h = append(append(h, rec...), r...)
	}
	return h
}

func TestPcapReader(t *testing.T) {
	frame := udpFrame(client4, server4, []byte("hi"))
	tests := []struct {
		name     string
		file     []byte
		wantTime time.Time
		wantErr  error // of NewPcapReader or the first Next
	}{
		{"big-endian microseconds", pcapFile(binary.BigEndian, pcapMagic, frame), time.Unix(1700000000, 123456000), nil},
		{"little-endian nanoseconds", pcapFile(binary.LittleEndian, pcapMagicNano, frame), time.Unix(1700000000, 123456), nil},
		{"big-endian nanoseconds", pcapFile(binary.BigEndian, pcapMagicNano, frame), time.Unix(1700000000, 123456), nil},
		{"bad magic", pcapFile(binary.LittleEndian, 0x0a0d0d0a, frame), time.Time{}, ErrMalformed},
		{"version 1", func() []byte { b := pcapFile(binary.LittleEndian, pcapMagic); b[4] = 1; return b }(), time.Time{}, ErrMalformed},
		{"header cut", pcapFile(binary.LittleEndian, pcapMagic)[:10], time.Time{}, ErrTruncated},
		{"record header cut", pcapFile(binary.LittleEndian, pcapMagic, frame)[:pcapHeaderLen+5], time.Time{}, ErrTruncated},
		{"record data cut", pcapFile(binary.LittleEndian, pcapMagic, frame)[:pcapHeaderLen+pcapRecordLen+5], time.Time{}, ErrTruncated},
		{"huge record", func() []byte {
			b := pcapFile(binary.LittleEndian, pcapMagic, frame)
			binary.LittleEndian.PutUint32(b[pcapHeaderLen+8:], 1<<30)
			return b
		}(), time.Time{}, ErrMalformed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := NewPcapReader(bytes.NewReader(tt.file))
			var f Frame
			if err == nil {
				f, err = r.Next()
			}
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("got error %v, want %v", err, tt.wantErr)
			}
			if err != nil {
				return
			}
			if !f.Time.Equal(tt.wantTime) || !bytes.Equal(f.Data, frame) {
				t.Errorf("got %v %d bytes, want %v %d", f.Time, len(f.Data), tt.wantTime, len(frame))
			}
		})
	}
}

// errWriter fails every write.
type errWriter struct{}

func (errWriter) Write([]byte) (int, error) { return 0, io.ErrClosedPipe }

func TestPcapWriterErrors(t *testing.T) {
	if _, err := NewPcapWriter(errWriter{}); !errors.Is(err, io.ErrClosedPipe) {
		t.Errorf("NewPcapWriter: got %v, want io.ErrClosedPipe", err)
	}
	w := &PcapWriter{w: errWriter{}}
	if err := w.WriteFrame(Frame{Data: []byte{1}}); !errors.Is(err, io.ErrClosedPipe) {
		t.Errorf("WriteFrame: got %v, want io.ErrClosedPipe", err)
	}
}

// FuzzPcapReader checks that the reader never panics, and that every frame
// it reads back has the length its record says.
func FuzzPcapReader(f *testing.F) {
	frame := tcpFrame(seg{src: client4, dst: server4, flags: FlagSYN, opts: synOpts(1, 0)})
	f.Add(pcapFile(binary.LittleEndian, pcapMagic, frame, frame))
	f.Add(pcapFile(binary.BigEndian, pcapMagicNano, frame))
	f.Add(pcapFile(binary.LittleEndian, pcapMagic)[:10])
	f.Fuzz(func(t *testing.T, b []byte) {
		r, err := NewPcapReader(bytes.NewReader(b))
		if err != nil {
			return
		}
		for {
			fr, err := r.Next()
			if err != nil {
				if err != io.EOF && !errors.Is(err, ErrTruncated) && !errors.Is(err, ErrMalformed) {
					t.Fatalf("Next: unexpected error %v", err)
				}
				return
			}
			if fr.Len < len(fr.Data) {
				t.Fatalf("frame length %d shorter than its %d bytes", fr.Len, len(fr.Data))
			}
			_, _ = fr.Decode()
		}
	})
}
