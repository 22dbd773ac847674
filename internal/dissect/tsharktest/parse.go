package tsharktest

import (
	"encoding/json"
	"fmt"
	"strings"
)

// place is where a field lies: tshark's [hex, offset, length, bitmask,
// type] without the hex and the type.
type place struct {
	offset, length int
	mask           uint64
}

// agrees reports whether ws, where tshark puts a field, agrees with p. A
// mask is compared only where tshark gives one; tshark gives the mask of a
// field narrower than its type (the reserved bits of tcp.flags: one byte,
// mask 0xe00) relative to the type, so it is shifted down to the field's
// bytes first.
func (p place) agrees(ws place) bool {
	if p.offset != ws.offset || p.length != ws.length {
		return false
	}
	if ws.mask == 0 {
		return true
	}
	m := ws.mask
	for p.length < 8 && m >= 1<<(8*p.length) {
		m >>= 8
	}
	return m == p.mask
}

// occurrence is one appearance of a name in tshark's tree: where its bytes
// lie and the value tshark gives it, if it gives one.
type occurrence struct {
	place
	value    string
	hasValue bool
}

// packet is what tshark shows of one frame: each appearance of a name with
// bytes (a name may appear more than once, as tcp.option_kind does), every
// name it shows, with or without bytes, and which names are layers.
type packet struct {
	seen    map[string][]*occurrence
	names   map[string]bool
	isLayer map[string]bool
}

// parse reads tshark -T json -x output. Its objects repeat keys (two
// eth.addr in eth), so it is read token by token, not into maps. A key K_raw
// whose value is an array places the field K, and the key K after it with a
// string value is K's value; tcp.seq_raw with a string value is the field
// tcp.seq_raw itself, placed by tcp.seq_raw_raw.
func parse(out []byte) ([]packet, error) {
	var packets []struct {
		Source struct {
			Layers json.RawMessage `json:"layers"`
		} `json:"_source"`
	}
	if err := json.Unmarshal(out, &packets); err != nil {
		return nil, fmt.Errorf("tshark json: %w", err)
	}
	var ps []packet
	for _, p := range packets {
		tp := packet{seen: map[string][]*occurrence{}, names: map[string]bool{}, isLayer: map[string]bool{}}
		dec := json.NewDecoder(strings.NewReader(string(p.Source.Layers)))
		if _, err := dec.Token(); err != nil { // '{'
			return nil, fmt.Errorf("tshark json: %w", err)
		}
		if err := tp.walk(dec, 0); err != nil {
			return nil, fmt.Errorf("tshark json: %w", err)
		}
		ps = append(ps, tp)
	}
	return ps, nil
}

// walk reads one JSON object from dec, its opening brace already read;
// depth 0 is the layers' level.
func (tp *packet) walk(dec *json.Decoder, depth int) error {
	// pending were placed by the key before, name_raw, and wait for their
	// values under the key name: a string, or an array of them when the
	// name appears more than once in the object.
	var pending []*occurrence
	pendingName := ""
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
			ocs, err := readPlaces(dec, name)
			if err != nil {
				return err
			}
			for _, oc := range ocs {
				tp.seen[name] = append(tp.seen[name], oc)
				tp.isLayer[name] = tp.isLayer[name] || depth == 0
			}
			pending, pendingName = ocs, name
			continue
		case tok == json.Delim('{'):
			tp.names[strings.TrimSuffix(key, "_tree")] = true
			if err := tp.walk(dec, depth+1); err != nil {
				return err
			}
		default:
			tp.names[key] = true
			if key != pendingName {
				pending = nil
			}
			if err := readValues(dec, tok, pending); err != nil {
				return err
			}
		}
		pending, pendingName = nil, ""
	}
	_, err := dec.Token() // '}'
	return err
}

// readPlaces reads the rest of a raw array, its '[' already read, or of an
// array of them, placing name.
func readPlaces(dec *json.Decoder, name string) ([]*occurrence, error) {
	var vals []json.Token
	var out []*occurrence
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, err
		}
		if tok == json.Delim('[') {
			more, err := readPlaces(dec, name)
			if err != nil {
				return nil, err
			}
			out = append(out, more...)
			continue
		}
		vals = append(vals, tok)
	}
	if _, err := dec.Token(); err != nil { // ']'
		return nil, err
	}
	if len(vals) == 0 {
		return out, nil
	}
	if len(vals) != 5 {
		return nil, fmt.Errorf("%s_raw: %d elements", name, len(vals))
	}
	off, _ := vals[1].(float64)
	n, _ := vals[2].(float64)
	mask, _ := vals[3].(float64)
	return append(out, &occurrence{place: place{int(off), int(n), uint64(mask)}}), nil
}

// readValues reads the rest of a value whose first token is tok, and gives
// its strings to ocs in order: one string to one occurrence, an array of
// strings to as many. Any other value is skipped.
func readValues(dec *json.Decoder, tok json.Token, ocs []*occurrence) error {
	if s, ok := tok.(string); ok {
		if len(ocs) == 1 {
			ocs[0].value, ocs[0].hasValue = s, true
		}
		return nil
	}
	if tok != json.Delim('[') {
		return skipValue(dec, tok)
	}
	var vals []string
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return err
		}
		s, ok := tok.(string)
		if !ok {
			if err := skipValue(dec, tok); err != nil {
				return err
			}
			ocs = nil // not an array of values
			continue
		}
		vals = append(vals, s)
	}
	if _, err := dec.Token(); err != nil { // ']'
		return err
	}
	if len(vals) == len(ocs) {
		for i, oc := range ocs {
			oc.value, oc.hasValue = vals[i], true
		}
	}
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
