package main

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"io"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pires/go-proxyproto"
)

// pki is a throwaway CA with a server certificate for 127.0.0.1 and a
// client certificate, written as PEM files.
type pki struct {
	caFile, certFile, keyFile, clientCert, clientKey string
}

func newPKI(t *testing.T, name string) pki {
	t.Helper()
	dir := t.TempDir()
	caKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	caTmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: name + " test CA"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	ca, _ := x509.ParseCertificate(caDER)
	issue := func(serial int64, usage x509.ExtKeyUsage, certName, keyName string) (string, string) {
		key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		tmpl := &x509.Certificate{
			SerialNumber: big.NewInt(serial),
			Subject:      pkix.Name{CommonName: name},
			NotBefore:    time.Now().Add(-time.Hour),
			NotAfter:     time.Now().Add(time.Hour),
			KeyUsage:     x509.KeyUsageDigitalSignature,
			ExtKeyUsage:  []x509.ExtKeyUsage{usage},
			IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback},
		}
		der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, &key.PublicKey, caKey)
		if err != nil {
			t.Fatal(err)
		}
		keyDER, _ := x509.MarshalPKCS8PrivateKey(key)
		return writePEM(t, dir, certName, "CERTIFICATE", der), writePEM(t, dir, keyName, "PRIVATE KEY", keyDER)
	}
	p := pki{caFile: writePEM(t, dir, "ca.pem", "CERTIFICATE", caDER)}
	p.certFile, p.keyFile = issue(2, x509.ExtKeyUsageServerAuth, "server.pem", "server-key.pem")
	p.clientCert, p.clientKey = issue(3, x509.ExtKeyUsageClientAuth, "client.pem", "client-key.pem")
	return p
}

func writePEM(t *testing.T, dir, name, typ string, der []byte) string {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestTLS: a round trip with half-close over TLS through both binaries, a
// wrong CA refused, --tls-insecure, and mutual TLS.
func TestTLS(t *testing.T) {
	good, other := newPKI(t, "upcase"), newPKI(t, "someone else")
	_, addr := startServe(t, "--tls-cert="+good.certFile, "--tls-key="+good.keyFile)

	in := bytes.Repeat([]byte("secret text, every byte back\x00\xff\n"), 40000) // ~1.3 MB
	out, stderr, code := runClient(t, in, "--addr="+addr, "--tls", "--tls-ca="+good.caFile)
	if code != 0 || !bytes.Equal(out, upcased(in)) {
		t.Fatalf("TLS pipe: exit %d, %d of %d bytes right: %s", code, len(out), len(in), stderr)
	}

	_, stderr, code = runClient(t, []byte("hello"), "--addr="+addr, "--tls", "--tls-ca="+other.caFile)
	if code == 0 || !strings.Contains(stderr, "TLS handshake failed") || !strings.Contains(stderr, "unknown authority") {
		t.Errorf("client trusting another CA: exit %d, %q; want a refusal naming the unknown authority", code, stderr)
	}
	out, stderr, code = runClient(t, []byte("hello"), "--addr="+addr, "--tls", "--tls-insecure")
	if code != 0 || string(out) != "HELLO" {
		t.Errorf("--tls-insecure: exit %d, %q, %s; want HELLO", code, out, stderr)
	}

	t.Run("mutual", func(t *testing.T) {
		_, maddr := startServe(t, "--tls-cert="+good.certFile, "--tls-key="+good.keyFile, "--tls-client-ca="+good.caFile)
		out, stderr, code := runClient(t, []byte("hello"), "--addr="+maddr, "--tls", "--tls-ca="+good.caFile,
			"--tls-cert="+good.clientCert, "--tls-key="+good.clientKey)
		if code != 0 || string(out) != "HELLO" {
			t.Errorf("with a client certificate: exit %d, %q, %s; want HELLO", code, out, stderr)
		}
		out, _, code = runClient(t, []byte("hello"), "--addr="+maddr, "--tls", "--tls-ca="+good.caFile)
		if code == 0 || len(out) != 0 {
			t.Errorf("without a client certificate: exit %d, output %q; want refused", code, out)
		}
	})
}

// TestTLSNeedsGoroutineEngine: TLS is served by the goroutine engine; asking
// for epoll with it is a usage error, not a silent change of engine.
func TestTLSNeedsGoroutineEngine(t *testing.T) {
	good := newPKI(t, "upcase")
	p := startUpcase(t, "serve", "--addr=127.0.0.1:0", "--engine=epoll", "--tls-cert="+good.certFile, "--tls-key="+good.keyFile)
	if code := p.wait(t); code != 2 {
		t.Errorf("exit %d; want 2", code)
	}
	if out := p.output.String(); !strings.Contains(out, "--engine=epoll cannot serve TLS") {
		t.Errorf("output %q; want it to say epoll cannot serve TLS", out)
	}
}

// TestTLSBehindProxyProtocol: with both, the PROXY header comes first, in
// the clear, then the TLS handshake (as HAProxy sends it to a TLS backend in
// TCP mode), and the narration names the client the header names.
func TestTLSBehindProxyProtocol(t *testing.T) {
	good := newPKI(t, "upcase")
	p, addr := startServe(t, "--tls-cert="+good.certFile, "--tls-key="+good.keyFile,
		"--proxy-protocol=required", "--proxy-trusted=127.0.0.1/32", "-v")
	raw, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	raw.SetDeadline(time.Now().Add(10 * time.Second))
	hdr := proxyproto.HeaderProxyFromAddrs(2, &net.TCPAddr{IP: net.IPv4(192, 0, 2, 9), Port: 4242}, raw.RemoteAddr())
	if _, err := hdr.WriteTo(raw); err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	caPEM, _ := os.ReadFile(good.caFile)
	pool.AppendCertsFromPEM(caPEM)
	c := tls.Client(raw, &tls.Config{RootCAs: pool, ServerName: "127.0.0.1"})
	if _, err := c.Write([]byte("hello")); err != nil {
		t.Fatalf("TLS after the PROXY header: %v", err)
	}
	reply := make([]byte, 5)
	if _, err := io.ReadFull(c, reply); err != nil || string(reply) != "HELLO" {
		t.Fatalf("reply %q, %v; want HELLO", reply, err)
	}
	p.waitRecord(t, func(r record) bool { return r.str("peer") == "192.0.2.9:4242" }) // narrated as the header's client
}
