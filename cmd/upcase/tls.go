package main

import (
	"crypto/tls"
	"crypto/x509"
	"flag"
	"fmt"
	"os"
)

// serverTLSFlags declares serve's TLS flags and returns the function that
// builds the configuration from them: nil when TLS is not asked for.
func serverTLSFlags(fs *flag.FlagSet) func() (*tls.Config, error) {
	cert := fs.String("tls-cert", "", "serve TLS with this PEM certificate `file` (needs --tls-key)")
	key := fs.String("tls-key", "", "the PEM private key `file` for --tls-cert")
	clientCA := fs.String("tls-client-ca", "", "require client certificates signed by the CAs in this PEM `file` (mutual TLS)")
	return func() (*tls.Config, error) {
		if *cert == "" && *key == "" {
			if *clientCA != "" {
				return nil, usageError{"--tls-client-ca needs --tls-cert and --tls-key"}
			}
			return nil, nil
		}
		if *cert == "" || *key == "" {
			return nil, usageError{"--tls-cert and --tls-key go together"}
		}
		pair, err := tls.LoadX509KeyPair(*cert, *key)
		if err != nil {
			return nil, fmt.Errorf("load TLS certificate %s and key %s: %w", *cert, *key, err)
		}
		cfg := &tls.Config{MinVersion: tls.VersionTLS12, Certificates: []tls.Certificate{pair}}
		if *clientCA != "" {
			pool, err := loadCAs(*clientCA)
			if err != nil {
				return nil, err
			}
			cfg.ClientCAs = pool
			cfg.ClientAuth = tls.RequireAndVerifyClientCert
		}
		return cfg, nil
	}
}

// clientTLSFlags declares the client's TLS flags and returns the function
// that builds the configuration: nil when --tls is not given.
func clientTLSFlags(fs *flag.FlagSet) func() (*tls.Config, error) {
	on := fs.Bool("tls", false, "connect with TLS (1.2 or later)")
	ca := fs.String("tls-ca", "", "trust the CAs in this PEM `file` instead of the system's")
	cert := fs.String("tls-cert", "", "present this PEM client certificate `file` (mutual TLS; needs --tls-key)")
	key := fs.String("tls-key", "", "the PEM private key `file` for --tls-cert")
	insecure := fs.Bool("tls-insecure", false, "do not verify the server's certificate (testing only: anyone in the path can read and change the traffic)")
	return func() (*tls.Config, error) {
		if !*on {
			if *ca != "" || *cert != "" || *key != "" || *insecure {
				return nil, usageError{"the --tls-* flags need --tls"}
			}
			return nil, nil
		}
		cfg := &tls.Config{MinVersion: tls.VersionTLS12, InsecureSkipVerify: *insecure}
		if *ca != "" {
			pool, err := loadCAs(*ca)
			if err != nil {
				return nil, err
			}
			cfg.RootCAs = pool
		}
		if *cert != "" || *key != "" {
			if *cert == "" || *key == "" {
				return nil, usageError{"--tls-cert and --tls-key go together"}
			}
			pair, err := tls.LoadX509KeyPair(*cert, *key)
			if err != nil {
				return nil, fmt.Errorf("load TLS certificate %s and key %s: %w", *cert, *key, err)
			}
			cfg.Certificates = []tls.Certificate{pair}
		}
		return cfg, nil
	}
}

// loadCAs reads a PEM file of CA certificates.
func loadCAs(file string) (*x509.CertPool, error) {
	pem, err := os.ReadFile(file)
	if err != nil {
		return nil, fmt.Errorf("read CA file: %w", err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("read CA file %s: no PEM certificate in it", file)
	}
	return pool, nil
}
