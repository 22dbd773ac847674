package netem

import (
	"bufio"
	"bytes"
	"fmt"
	"strconv"
	"strings"
)

// parseSNMP reads the counters of /proc/net/snmp, where each protocol has a
// line of field names followed by a line of values, both starting with the
// protocol ("Tcp: ..."). Keys join protocol and field as nstat names them:
// "TcpInCsumErrors".
func parseSNMP(data []byte) (map[string]int64, error) {
	counters := make(map[string]int64)
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		names := strings.Fields(sc.Text())
		if !sc.Scan() {
			return nil, fmt.Errorf("netem: snmp: no values after %q", sc.Text())
		}
		values := strings.Fields(sc.Text())
		if len(names) == 0 || len(names) != len(values) || names[0] != values[0] || !strings.HasSuffix(names[0], ":") {
			return nil, fmt.Errorf("netem: snmp: names %q do not match values %q", names, values)
		}
		proto := strings.TrimSuffix(names[0], ":")
		for i := 1; i < len(names); i++ {
			v, err := strconv.ParseInt(values[i], 10, 64)
			if err != nil {
				return nil, fmt.Errorf("netem: snmp: %s%s: %w", proto, names[i], err)
			}
			counters[proto+names[i]] = v
		}
	}
	return counters, sc.Err()
}
