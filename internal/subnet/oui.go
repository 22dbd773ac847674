package subnet

import (
	"bufio"
	"encoding/csv"
	"encoding/hex"
	"errors"
	"io"
	"net"
	"os"
	"strings"
	"sync"
)

// DefaultRegistryFiles are where Debian's ieee-data package keeps the IEEE
// registry of MAC address blocks (OUIs), tried in order.
var DefaultRegistryFiles = []string{"/usr/share/ieee-data/oui.csv", "/usr/share/ieee-data/oui.txt", "/usr/share/misc/oui.txt"}

// ErrNoRegistry means none of the registry files could be read.
var ErrNoRegistry = errors.New("subnet: no IEEE OUI registry on this system (install ieee-data)")

// Vendors looks up the maker of a MAC address in the IEEE registry. It reads
// the first of Files that exists on the first Lookup, and not before. The
// zero value reads DefaultRegistryFiles. A Vendors is safe for concurrent
// use.
type Vendors struct {
	Files []string

	once sync.Once
	m    map[string]string // "00D0EF" → "IGT"
	err  error
}

// Lookup returns the maker registered for mac's first three bytes. It
// returns ErrNoRegistry if there is no registry, and "" with a nil error if
// the block is not registered.
func (v *Vendors) Lookup(mac net.HardwareAddr) (string, error) {
	v.once.Do(v.load)
	if v.err != nil {
		return "", v.err
	}
	if len(mac) < 3 {
		return "", nil
	}
	return v.m[strings.ToUpper(hex.EncodeToString(mac[:3]))], nil
}

func (v *Vendors) load() {
	files := v.Files
	if files == nil {
		files = DefaultRegistryFiles
	}
	for _, name := range files {
		f, err := os.Open(name)
		if err != nil {
			continue
		}
		if strings.HasSuffix(name, ".csv") {
			v.m, v.err = parseOUICSV(f)
		} else {
			v.m, v.err = parseOUIText(f)
		}
		f.Close()
		return
	}
	v.err = ErrNoRegistry
}

// parseOUICSV reads the registry's CSV form:
// Registry,Assignment,Organization Name,Organization Address.
func parseOUICSV(r io.Reader) (map[string]string, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	cr.LazyQuotes = true
	m := map[string]string{}
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			return m, nil
		}
		if err != nil {
			return nil, err
		}
		if len(rec) >= 3 && len(rec[1]) == 6 {
			m[strings.ToUpper(rec[1])] = strings.TrimSpace(rec[2])
		}
	}
}

// parseOUIText reads the registry's text form, using its lines
// "002272     (base 16)		American Micro-Fuel Device Corp.".
func parseOUIText(r io.Reader) (map[string]string, error) {
	m := map[string]string{}
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		hex, rest, ok := strings.Cut(sc.Text(), "(base 16)")
		hex = strings.TrimSpace(hex)
		if ok && len(hex) == 6 {
			m[strings.ToUpper(hex)] = strings.TrimSpace(rest)
		}
	}
	return m, sc.Err()
}

// MACNote says what the bits of a MAC's first byte mean, when they mean
// that no maker can be named: "" for an ordinary, globally unique address.
func MACNote(mac net.HardwareAddr) string {
	if len(mac) == 0 {
		return ""
	}
	switch {
	case mac[0]&1 != 0:
		return "a group (multicast) address"
	case mac[0]&2 != 0:
		return "locally administered (set by software: virtual or randomised), so no maker"
	}
	return ""
}
