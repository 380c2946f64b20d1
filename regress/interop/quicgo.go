// What quicpeer and gonode share: Go receptor's QUIC settings, its
// throwaway certificate and the dialer's check of it, and an echo of the
// stream a dialer opens (PROTOCOL.md 3).
package main

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"fmt"
	"io"
	"math/big"
	"os"
	"path/filepath"
	"time"

	quic "github.com/lucas-clemente/quic-go"
)

const insecureName = "netceptor-insecure-common-name"

func config(dialer bool) *quic.Config {
	c := &quic.Config{
		HandshakeIdleTimeout: 15 * time.Second,
		MaxIdleTimeout:       30 * time.Second,
	}
	if dialer {
		c.KeepAlivePeriod = 15 * time.Second
	}
	return c
}

// A listener's TLS without a tls-server: a throwaway certificate named cn.
func throwaway(cn string) *tls.Config {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	check(err)
	tmpl := x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: cn},
		NotBefore:    time.Now().Add(-time.Minute),
		NotAfter:     time.Now().Add(24 * time.Hour),
	}
	der, err := x509.CreateCertificate(rand.Reader, &tmpl, &tmpl,
		&key.PublicKey, key)
	check(err)
	return &tls.Config{
		Certificates: []tls.Certificate{{Certificate: [][]byte{der},
			PrivateKey: key}},
		NextProtos: []string{"netceptor"},
		MinVersion: tls.VersionTLS12,
	}
}

// The dialer's only check of an insecure service: the throwaway name.
func insecureOnly(raw [][]byte, _ [][]*x509.Certificate) error {
	for _, der := range raw {
		if c, err := x509.ParseCertificate(der); err == nil &&
			c.Subject.CommonName == insecureName {
			return nil
		}
	}
	return errors.New("insecure connection to secure service")
}

// A dialer's TLS without a tls-client, naming itself as Go's does.
func insecureDialer(self string) *tls.Config {
	return &tls.Config{
		InsecureSkipVerify:    true,
		VerifyPeerCertificate: insecureOnly,
		NextProtos:            []string{"netceptor"},
		ServerName:            self,
		MinVersion:            tls.VersionTLS12,
	}
}

// Take the connection's stream as Go's listener does, and echo it.
func echo(conn quic.Connection) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	s, err := conn.AcceptStream(ctx)
	if err != nil {
		conn.CloseWithError(500, "Accept Timeout")
		return
	}
	first := make([]byte, 1)
	if _, err := io.ReadFull(s, first); err != nil || first[0] != 0 {
		conn.CloseWithError(500, "Read Data Error")
		return
	}
	if _, err := io.Copy(s, s); err != nil {
		fmt.Fprintln(os.Stderr, "echo:", err)
	}
	s.Close()
}

func check(err error) {
	if err != nil {
		fmt.Fprintf(os.Stderr, "%s: %v\n", filepath.Base(os.Args[0]), err)
		os.Exit(1)
	}
}
