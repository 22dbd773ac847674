package main

import (
	"bytes"
	"encoding/json"
	"math"
	"net"
	"testing"
	"time"
)

func TestBucketBounds(t *testing.T) {
	for _, v := range []int64{0, 1, 63, 64, 65, 127, 128, 1000, 12345, 1 << 20, 1<<40 + 7, math.MaxInt64} {
		i := bucket(v)
		if lo := bucketLow(i); lo > v {
			t.Errorf("bucket(%d)=%d starts at %d, above the value", v, i, lo)
		}
		if i+1 < 64*32 {
			if hi := bucketLow(i + 1); hi > 0 && hi <= v { // hi < 0: past MaxInt64
				t.Errorf("bucket(%d)=%d: next bucket starts at %d, not above the value", v, i, hi)
			}
		}
	}
	if bucket(64) != 64 || bucket(127) != 95 || bucket(128) != 96 {
		t.Errorf("bucket(64,127,128) = %d,%d,%d", bucket(64), bucket(127), bucket(128))
	}
}

func TestQuantile(t *testing.T) {
	var h Hist
	for v := int64(1); v <= 100000; v++ {
		h.Record(v * 10)
	}
	for _, tc := range []struct{ q, want float64 }{{0.5, 500000}, {0.99, 990000}, {0.999, 999000}} {
		got := h.Quantile(tc.q)
		if math.Abs(got-tc.want)/tc.want > 0.04 {
			t.Errorf("Quantile(%v) = %v, want %v within 4%%", tc.q, got, tc.want)
		}
	}
	if h.Max != 1000000 {
		t.Errorf("Max = %d", h.Max)
	}
	var empty Hist
	if empty.Quantile(0.5) != 0 {
		t.Error("empty histogram quantile is not 0")
	}
}

// serve answers on a loopback listener with f applied to each read.
func serve(t *testing.T, f func([]byte)) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				buf := make([]byte, 4096)
				for {
					n, err := c.Read(buf)
					if n > 0 {
						f(buf[:n])
						if _, err := c.Write(buf[:n]); err != nil {
							return
						}
					}
					if err != nil {
						return
					}
				}
			}()
		}
	}()
	return ln.Addr().String()
}

func TestLoad(t *testing.T) {
	upper := serve(t, func(p []byte) {
		for i, b := range p {
			if 'a' <= b && b <= 'z' {
				p[i] = b - 32
			}
		}
	})
	echo := serve(t, func([]byte) {})
	for _, pipeline := range []int{1, 4} {
		res, err := load(upper, 3, 40, pipeline, 200*time.Millisecond, 5*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		if res.Messages == 0 || res.Errors != 0 || res.Mismatches != 0 || res.Sent != res.Messages ||
			res.P50us <= 0 || res.P99us < res.P50us || res.Maxus < res.P99us {
			t.Errorf("pipeline %d: %+v", pipeline, res)
		}
	}
	res, err := load(echo, 2, 16, 1, 100*time.Millisecond, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if res.Mismatches == 0 || res.Mismatches != res.Messages {
		t.Errorf("an echo server: %d mismatches of %d messages", res.Mismatches, res.Messages)
	}
	var out, errOut bytes.Buffer
	if code := run([]string{"--json", "--addr=" + upper, "--conns=1", "--duration=50ms"}, &out, &errOut); code != 0 {
		t.Fatalf("run: %d %s", code, errOut.String())
	}
	var r map[string]any
	if err := json.Unmarshal(out.Bytes(), &r); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"messages", "msgs_per_sec", "mb_per_sec", "p50_us", "p99_us", "p999_us", "max_us", "errors", "mismatches"} {
		if _, ok := r[k]; !ok {
			t.Errorf("JSON lacks %q: %s", k, out.String())
		}
	}
	if _, err := load("127.0.0.1:1", 1, 16, 1, time.Second, time.Second); err == nil {
		t.Error("no error from a closed port")
	}
}
