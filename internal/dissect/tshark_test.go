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
	var compared, agreed int
	missing := map[string]bool{}
	for _, file := range files {
		frames := readPcap(t, file)
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
				compared++
				if slices.ContainsFunc(where, got.agrees) {
					agreed++
					return
				}
				t.Errorf("%s frame %d: %s %s at %+v, tshark at %+v", file, i+1, what, name, got, where)
			}
			produced := map[string]bool{}
			for _, l := range f.Layers {
				check("layer", l.Name, raw{l.Offset, l.Length, 0})
			}
			f.Walk(func(_ Layer, fd Field) {
				produced[fd.Name] = true
				check("field", fd.Name, raw{fd.Offset, fd.Length, fd.Mask})
			})
			for name, where := range ws.raws {
				if !produced[name] && where[0].length > 0 && !ws.isLayer[name] {
					missing[name] = true
				}
			}
		}
	}
	t.Logf("fields compared with tshark: %d, agreeing: %d", compared, agreed)
	var names []string
	for n := range missing {
		names = append(names, n)
	}
	sort.Strings(names)
	t.Logf("names tshark shows that Dissect does not produce (%d): %s", len(names), strings.Join(names, " "))
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
