package dissect

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
)

// TestTshark dissects every frame of every scenario's pcap in testdata and
// checks each field against what Wireshark's tshark says of the same frame
// (tshark -T json -x): every field name we produce must be one tshark shows
// for that frame, and its offset, length and (where tshark gives one) bit
// mask must agree. It is skipped where tshark is not installed, except in
// CI (CI=true), where it fails.
func TestTshark(t *testing.T) {
	tshark, err := exec.LookPath("tshark")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("tshark is not installed")
		}
		t.Skip("tshark is not installed")
	}
	files, err := filepath.Glob(filepath.Join("testdata", "*.pcap"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no pcaps in testdata: %v", err)
	}
	var tc tsharkCompare
	for _, file := range files {
		tc.file(t, tshark, file, readPcap(t, file))
	}
	// Hand-built frames of what the scenarios do not show: extension
	// headers, fragments, SACK, padding.
	var hand [][]byte
	for _, s := range handFrames {
		hand = append(hand, frameHex(t, s))
	}
	path := filepath.Join(t.TempDir(), "hand.pcap")
	writePcap(t, path, hand)
	tc.file(t, tshark, path, hand)
	compared, agreed, missing := tc.compared, tc.agreed, tc.missing
	t.Logf("all files: fields and layers compared with tshark: %d, agreeing: %d", compared, agreed)
	var names []string
	for n := range missing {
		names = append(names, n)
	}
	sort.Strings(names)
	t.Logf("names tshark shows that Dissect does not produce (%d): %s", len(names), strings.Join(names, " "))
}

// tsharkCompare counts the fields compared with tshark's over several files.
type tsharkCompare struct {
	compared, agreed int
	missing          map[string]bool
}

// file compares the dissection of frames, the frames of the pcap file,
// with what tshark shows of them.
func (tc *tsharkCompare) file(t *testing.T, tshark, file string, frames [][]byte) {
	t.Helper()
	if tc.missing == nil {
		tc.missing = map[string]bool{}
	}
	compared, agreed := tc.compared, tc.agreed
	defer func() {
		t.Logf("%s: %d frames, fields and layers compared: %d, agreeing: %d", filepath.Base(file), len(frames), tc.compared-compared, tc.agreed-agreed)
	}()
	out, err := exec.Command(tshark, "-r", file, "-T", "json", "-x").Output()
	if err != nil {
		t.Fatalf("tshark -r %s: %v", file, err)
	}
	packets := parseTshark(t, out)
	if len(packets) != len(frames) {
		t.Fatalf("%s: tshark shows %d frames, the file has %d", file, len(packets), len(frames))
	}
	for i, b := range frames {
		f, err := Dissect(b)
		if err != nil {
			t.Errorf("%s frame %d: %v", file, i+1, err)
		}
		ws := packets[i]
		check := func(what, name string, got raw) {
			where, seen := ws.raws[name]
			if !seen && !ws.names[name] {
				t.Errorf("%s frame %d: %s %s: tshark has no such name for this frame", file, i+1, what, name)
				return
			}
			if !seen {
				return // tshark shows it, but with no bytes
			}
			tc.compared++
			if slices.ContainsFunc(where, got.agrees) {
				tc.agreed++
				return
			}
			t.Errorf("%s frame %d: %s %s at %+v, tshark at %+v", file, i+1, what, name, got, where)
		}
		produced := map[string]bool{}
		for _, l := range f.Layers {
			got := raw{l.Offset, l.Length, 0}
			if _, frag := f.Field("ipv6.fraghdr"); frag && l.Name == "ipv6" {
				// tshark shows the fragment header of a fragment it does
				// not reassemble inside the ipv6 layer but leaves it out of
				// the layer's bytes; Dissect keeps every field inside its
				// layer.
				got.length = ipv6Len
			}
			check("layer", l.Name, got)
		}
		f.Walk(func(_ Layer, fd Field) {
			produced[fd.Name] = true
			check("field", fd.Name, raw{fd.Offset, fd.Length, fd.Mask})
		})
		for name, where := range ws.raws {
			if !produced[name] && where[0].length > 0 && !ws.isLayer[name] {
				tc.missing[name] = true
			}
		}
	}
}

// raw is where a field lies: tshark's [hex, offset, length, bitmask, type]
// without the hex and the type.
type raw struct {
	offset, length int
	mask           uint64
}

// agrees reports whether ws, where tshark puts a field, agrees with r. A
// mask is compared only where tshark gives one; tshark gives the mask of a
// field narrower than its type (the reserved bits of tcp.flags: one byte,
// mask 0xe00) relative to the type, so it is shifted down to the field's
// bytes first.
func (r raw) agrees(ws raw) bool {
	if r.offset != ws.offset || r.length != ws.length {
		return false
	}
	if ws.mask == 0 {
		return true
	}
	m := ws.mask
	for r.length < 8 && m >= 1<<(8*r.length) {
		m >>= 8
	}
	return m == r.mask
}

// tsharkPacket is what tshark shows of one frame: where each name lies (a
// name may appear more than once, as tcp.option_kind does) and every name
// it shows, with or without bytes.
type tsharkPacket struct {
	raws    map[string][]raw
	names   map[string]bool
	isLayer map[string]bool
}

// parseTshark reads tshark -T json -x output. Its objects repeat keys (two
// eth.addr in eth), so it is read token by token, not into maps. A key K_raw
// whose value is an array places the field K; tcp.seq_raw with a string value
// is the field tcp.seq_raw itself, placed by tcp.seq_raw_raw.
func parseTshark(t *testing.T, out []byte) []tsharkPacket {
	t.Helper()
	var packets []struct {
		Source struct {
			Layers json.RawMessage `json:"layers"`
		} `json:"_source"`
	}
	if err := json.Unmarshal(out, &packets); err != nil {
		t.Fatalf("tshark json: %v", err)
	}
	var ps []tsharkPacket
	for _, p := range packets {
		tp := tsharkPacket{raws: map[string][]raw{}, names: map[string]bool{}, isLayer: map[string]bool{}}
		dec := json.NewDecoder(strings.NewReader(string(p.Source.Layers)))
		if _, err := dec.Token(); err != nil { // '{'
			t.Fatalf("tshark json: %v", err)
		}
		if err := walkTshark(dec, &tp, 0); err != nil {
			t.Fatalf("tshark json: %v", err)
		}
		ps = append(ps, tp)
	}
	return ps
}

// walkTshark reads one JSON object from dec into tp, its opening brace
// already read; depth 0 is the layers' level.
func walkTshark(dec *json.Decoder, tp *tsharkPacket, depth int) error {
	for dec.More() {
		kt, err := dec.Token()
		if err != nil {
			return err
		}
		key := kt.(string)
		tok, err := dec.Token()
		if err != nil {
			return err
		}
		name, isRaw := strings.CutSuffix(key, "_raw")
		switch {
		case tok == json.Delim('[') && isRaw:
			if err := readRaws(dec, name, tp, depth == 0); err != nil {
				return err
			}
		case tok == json.Delim('{'):
			tp.names[strings.TrimSuffix(key, "_tree")] = true
			if err := walkTshark(dec, tp, depth+1); err != nil {
				return err
			}
		default:
			tp.names[key] = true
			if err := skipValue(dec, tok); err != nil {
				return err
			}
		}
	}
	_, err := dec.Token() // '}'
	return err
}

// readRaws reads the rest of a raw array, its '[' already read, or of an
// array of them, placing name.
func readRaws(dec *json.Decoder, name string, tp *tsharkPacket, layer bool) error {
	var vals []json.Token
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return err
		}
		if tok == json.Delim('[') {
			if err := readRaws(dec, name, tp, layer); err != nil {
				return err
			}
			continue
		}
		vals = append(vals, tok)
	}
	if _, err := dec.Token(); err != nil { // ']'
		return err
	}
	if len(vals) == 0 {
		return nil
	}
	if len(vals) != 5 {
		return fmt.Errorf("%s_raw: %d elements", name, len(vals))
	}
	off, _ := vals[1].(float64)
	n, _ := vals[2].(float64)
	mask, _ := vals[3].(float64)
	tp.raws[name] = append(tp.raws[name], raw{int(off), int(n), uint64(mask)})
	tp.isLayer[name] = tp.isLayer[name] || layer
	return nil
}

// skipValue reads the rest of a value whose first token is tok.
func skipValue(dec *json.Decoder, tok json.Token) error {
	d, ok := tok.(json.Delim)
	if !ok || (d != '[' && d != '{') {
		return nil
	}
	for depth := 1; depth > 0; {
		tok, err := dec.Token()
		if err != nil {
			return err
		}
		switch tok {
		case json.Delim('['), json.Delim('{'):
			depth++
		case json.Delim(']'), json.Delim('}'):
			depth--
		}
	}
	return nil
}

// handFrames are frames for the comparison with tshark that no scenario
// captures; checksums are not filled in.
var handFrames = []string{
	ethARP + arpReq + strings.Repeat("00", 18),
	ethIPv6 + "60000000 0024 00 40 00000000000000000000000000000001 00000000000000000000000000000001" +
		"3c00 0104 00000000" + "0600 0104 00000000" + tcpSYNACK,
	ethIPv6 + "60000000 002c 2b 40 00000000000000000000000000000001 00000000000000000000000000000001" +
		"3300 0104 00000000" + "0602 0000 00000001 00000002 00000000" + tcpSYNACK,
	ethIPv6 + "60000000 000c 2c 40 00000000000000000000000000000001 00000000000000000000000000000001" +
		"0600 0009 12345678" + "68656c6c",
	ethIPv4 + "45 00 0018 0001 0001 40 06 0000 7f000001 7f000001" + "68656c6c",
	ethIPv4 + "45 00 0034 3830 4000 40 06 0000 7f000001 7f000001" +
		"eaaa 885d e2a79196 00000064 8010 ffd7 0000 0000 0101 050a 00000001 00000005",
	ethIPv4 + "45 00 0030 3830 4000 40 06 0000 7f000001 7f000001" +
		"eaaa 885d e2a79196 00000064 7110 ffd7 0000 0000 5004 ffff 00 000000",
	ethIPv4 + ipv4UDP + udpHello + strings.Repeat("00", 13),
}

// writePcap writes frames to a classic little-endian pcap file of link
// type Ethernet.
func writePcap(t *testing.T, path string, frames [][]byte) {
	t.Helper()
	b := binary.LittleEndian.AppendUint32(nil, 0xa1b2c3d4)
	b = binary.LittleEndian.AppendUint16(b, 2)
	b = binary.LittleEndian.AppendUint16(b, 4)
	b = append(b, make([]byte, 8)...)
	b = binary.LittleEndian.AppendUint32(b, 65535)
	b = binary.LittleEndian.AppendUint32(b, 1)
	for i, f := range frames {
		b = binary.LittleEndian.AppendUint32(b, uint32(i+1))
		b = binary.LittleEndian.AppendUint32(b, 0)
		b = binary.LittleEndian.AppendUint32(b, uint32(len(f)))
		b = binary.LittleEndian.AppendUint32(b, uint32(len(f)))
		b = append(b, f...)
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// readPcap reads the frames of a classic little-endian pcap file of link
// type Ethernet, as upcase trace --pcap writes it.
func readPcap(t *testing.T, path string) [][]byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(b) < 24 || binary.LittleEndian.Uint32(b[20:24])&0x0fffffff != 1 {
		t.Fatalf("%s: not a pcap file of Ethernet frames", path)
	}
	var frames [][]byte
	for b = b[24:]; len(b) > 0; {
		if len(b) < 16 {
			t.Fatalf("%s: %v", path, io.ErrUnexpectedEOF)
		}
		n := int(binary.LittleEndian.Uint32(b[8:12]))
		if len(b) < 16+n {
			t.Fatalf("%s: %v", path, io.ErrUnexpectedEOF)
		}
		frames = append(frames, b[16:16+n])
		b = b[16+n:]
	}
	return frames
}
