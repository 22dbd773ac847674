package netem

import (
	"maps"
	"testing"
)

func TestParseSNMP(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    map[string]int64
		wantErr bool
	}{
		{"empty", "", map[string]int64{}, false},
		{"two protocols", "Ip: Forwarding DefaultTTL\nIp: 2 64\nTcp: RtoAlgorithm InCsumErrors MaxConn\nTcp: 1 17 -1\n",
			map[string]int64{"IpForwarding": 2, "IpDefaultTTL": 64, "TcpRtoAlgorithm": 1, "TcpInCsumErrors": 17, "TcpMaxConn": -1}, false},
		{"names without values", "Tcp: InCsumErrors\n", nil, true},
		{"fewer values than names", "Tcp: InSegs InCsumErrors\nTcp: 1\n", nil, true},
		{"values of another protocol", "Tcp: InCsumErrors\nUdp: 1\n", nil, true},
		{"not a number", "Tcp: InCsumErrors\nTcp: x\n", nil, true},
		{"no colon", "Tcp InCsumErrors\nTcp 1\n", nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseSNMP([]byte(tt.in))
			if (err != nil) != tt.wantErr {
				t.Fatalf("parseSNMP error %v; want error %v", err, tt.wantErr)
			}
			if err == nil && !maps.Equal(got, tt.want) {
				t.Errorf("parseSNMP = %v; want %v", got, tt.want)
			}
		})
	}
}
