// quicpeer: the far end of netd's QUIC streams, written with quic-go as Go
// receptor's netceptor is (PROTOCOL.md 3), over plain UDP on 127.0.0.1.
//
//	quicpeer listen PORT [CN]	serve streams that start with 0x00 and
//					echo them, showing a throwaway
//					certificate named CN (by default Go
//					receptor's insecure name)
//	quicpeer dial PORT MESSAGE	open a stream as Go receptor's dialer
//					does, send MESSAGE, print the reply
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

func listen(port, cn string) {
	l, err := quic.ListenAddr("127.0.0.1:"+port, throwaway(cn),
		config(false))
	check(err)
	fmt.Println("listening")
	for {
		conn, err := l.Accept(context.Background())
		check(err)
		go echo(conn)
	}
}

func dial(port, msg string) {
	conn, err := quic.DialAddr("127.0.0.1:"+port, insecureDialer("gonode"),
		config(true))
	check(err)
	s, err := conn.OpenStreamSync(context.Background())
	check(err)
	_, err = s.Write(append([]byte{0}, msg...))
	check(err)
	check(s.Close())
	reply, err := io.ReadAll(s)
	check(err)
	fmt.Println(string(reply))
	conn.CloseWithError(0, "normal close")
}

func main() {
	switch {
	case len(os.Args) == 3 && os.Args[1] == "listen":
		listen(os.Args[2], insecureName)
	case len(os.Args) == 4 && os.Args[1] == "listen":
		listen(os.Args[2], os.Args[3])
	case len(os.Args) == 4 && os.Args[1] == "dial":
		dial(os.Args[2], os.Args[3])
	default:
		fmt.Fprintln(os.Stderr, "usage: quicpeer listen PORT [CN] | "+
			"dial PORT MESSAGE")
		os.Exit(2)
	}
}
