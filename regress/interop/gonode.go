// gonode: a node of Go, just enough of netceptor (PROTOCOL.md 1.2, 2) to
// join our mesh over UDP and carry quic-go streams to and from it, as Go
// receptor does: routing updates, data messages named by HighwayHash, and
// one net.PacketConn per service under quic-go.
//
//	gonode [-tls CERT,KEY,CA] PORT PEER dial SERVICE LINE
//		open a stream to PEER:SERVICE, send LINE after its first
//		line, print all it sends back
//	gonode [-tls CERT,KEY,CA] PORT PEER listen SERVICE
//		serve streams on SERVICE that start with 0x00, echoing them
//
// PORT is PEER's udp-listener on 127.0.0.1; this node is called "gonode".
// With -tls, streams use that certificate and trust that CA, as with a
// tls-client or a tls-server that requires client certificates; without
// it, Go receptor's throwaway certificate and its name check.
package main

import (
	"bufio"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/binary"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"strings"
	"sync"
	"time"

	quic "github.com/lucas-clemente/quic-go"
	"github.com/minio/highwayhash"
)

const (
	self      = "gonode"
	headerLen = 36
)

type routeUpdate struct {
	NodeID             string
	UpdateID           string
	UpdateEpoch        uint64
	UpdateSequence     uint64
	Connections        map[string]float64
	ForwardingNode     string
	SuspectedDuplicate uint64
}

type addr struct{ node, service string }

func (a addr) Network() string { return "netceptor" }
func (a addr) String() string  { return a.node + ":" + a.service }

type packet struct {
	from addr
	data []byte
}

// node: our one UDP link to the peer, and the services bound here.
type node struct {
	udp      *net.UDPConn
	peer     string
	mu       sync.Mutex
	services map[string]chan packet
	seq      uint64
	epoch    uint64
	up       chan struct{}
	upOnce   sync.Once
}

func hash(name string) uint64 {
	return highwayhash.Sum64([]byte(name), make([]byte, 32))
}

func (n *node) sendUpdate() {
	n.mu.Lock()
	n.seq++
	conns := map[string]float64{}
	select {
	case <-n.up:
		conns[n.peer] = 1
	default:
	}
	id := make([]byte, 8)
	for i := range id {
		id[i] = "abcdefghijklmnopqrstuvwxyz"[int(n.seq+uint64(i)*7)%26]
	}
	ru := routeUpdate{NodeID: self, UpdateID: string(id),
		UpdateEpoch: n.epoch, UpdateSequence: n.seq, Connections: conns,
		ForwardingNode: self}
	n.mu.Unlock()
	b, err := json.Marshal(ru)
	check(err)
	n.udp.Write(append([]byte{1}, b...))
}

func (n *node) run() {
	go func() {
		for {
			n.sendUpdate()
			time.Sleep(time.Second)
		}
	}()
	buf := make([]byte, 65536)
	for {
		m, err := n.udp.Read(buf)
		check(err)
		if m == 0 {
			continue
		}
		switch buf[0] {
		case 1:
			n.upOnce.Do(func() { close(n.up) })
		case 0:
			n.deliver(buf[:m])
		}
	}
}

// A data message for one of our services; the peer is the only sender.
func (n *node) deliver(msg []byte) {
	if len(msg) < headerLen ||
		binary.BigEndian.Uint64(msg[12:20]) != hash(self) {
		return
	}
	from := addr{n.peer, string(trim(msg[20:28]))}
	n.mu.Lock()
	ch := n.services[string(trim(msg[28:36]))]
	n.mu.Unlock()
	if ch != nil {
		ch <- packet{from, append([]byte(nil), msg[headerLen:]...)}
	}
}

func trim(b []byte) []byte {
	for len(b) > 0 && b[len(b)-1] == 0 {
		b = b[:len(b)-1]
	}
	return b
}

// serviceConn: a service of ours as quic-go sees it.
type serviceConn struct {
	n       *node
	service string
	in      chan packet
}

func (n *node) bind(service string) *serviceConn {
	c := &serviceConn{n, service, make(chan packet, 256)}
	n.mu.Lock()
	n.services[service] = c.in
	n.mu.Unlock()
	return c
}

func (c *serviceConn) ReadFrom(b []byte) (int, net.Addr, error) {
	p := <-c.in
	return copy(b, p.data), p.from, nil
}

func (c *serviceConn) WriteTo(b []byte, to net.Addr) (int, error) {
	a := to.(addr)
	msg := make([]byte, headerLen, headerLen+len(b))
	msg[1] = 29 // the originator decrements too
	binary.BigEndian.PutUint64(msg[4:], hash(self))
	binary.BigEndian.PutUint64(msg[12:], hash(a.node))
	copy(msg[20:28], c.service)
	copy(msg[28:36], a.service)
	_, err := c.n.udp.Write(append(msg, b...))
	return len(b), err
}

func (c *serviceConn) Close() error                       { return nil }
func (c *serviceConn) LocalAddr() net.Addr                { return addr{self, c.service} }
func (c *serviceConn) SetDeadline(t time.Time) error      { return nil }
func (c *serviceConn) SetReadDeadline(t time.Time) error  { return nil }
func (c *serviceConn) SetWriteDeadline(t time.Time) error { return nil }

// userTLS: our certificate, and the CA the other end's must chain to.
func userTLS(spec string, server bool) *tls.Config {
	f := strings.Split(spec, ",")
	if len(f) != 3 {
		check(errors.New("-tls wants CERT,KEY,CA"))
	}
	cert, err := tls.LoadX509KeyPair(f[0], f[1])
	check(err)
	pem, err := os.ReadFile(f[2])
	check(err)
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		check(errors.New("no CA in " + f[2]))
	}
	tc := &tls.Config{Certificates: []tls.Certificate{cert},
		NextProtos: []string{"netceptor"}}
	if server {
		tc.ClientAuth = tls.RequireAndVerifyClientCert
		tc.ClientCAs = pool
	} else {
		// Go receptor checks node IDs, not host names: the chain here.
		tc.InsecureSkipVerify = true
		tc.VerifyPeerCertificate = func(raw [][]byte,
			_ [][]*x509.Certificate) error {
			leaf, err := x509.ParseCertificate(raw[0])
			if err != nil {
				return err
			}
			_, err = leaf.Verify(x509.VerifyOptions{Roots: pool})
			return err
		}
	}
	return tc
}

func dial(n *node, service, line string, tc *tls.Config) {
	if tc == nil {
		tc = insecureDialer(self)
	}
	conn, err := quic.Dial(n.bind("gosvc001"), addr{n.peer, service},
		n.peer, tc, config(true))
	check(err)
	s, err := conn.OpenStreamSync(context.Background())
	check(err)
	_, err = s.Write([]byte{0})
	check(err)
	r := bufio.NewReader(s)
	first, err := r.ReadString('\n')
	check(err)
	fmt.Print(first)
	_, err = s.Write([]byte(line + "\n"))
	check(err)
	check(s.Close())
	rest, err := io.ReadAll(r)
	check(err)
	fmt.Print(string(rest))
	conn.CloseWithError(0, "normal close")
}

func listen(n *node, service string, tc *tls.Config) {
	if tc == nil {
		tc = throwaway(insecureName)
	}
	l, err := quic.Listen(n.bind(service), tc, config(false))
	check(err)
	fmt.Println("listening")
	for {
		conn, err := l.Accept(context.Background())
		check(err)
		go echo(conn)
	}
}

func main() {
	tlsSpec := flag.String("tls", "", "CERT,KEY,CA")
	flag.Parse()
	args := flag.Args()
	if len(args) < 4 {
		fmt.Fprintln(os.Stderr, "usage: gonode [-tls CERT,KEY,CA] PORT "+
			"PEER dial SERVICE LINE | listen SERVICE")
		os.Exit(2)
	}
	// As Go receptor: our PacketConns have no socket buffers to size.
	os.Setenv("QUIC_GO_DISABLE_RECEIVE_BUFFER_WARNING", "1")
	raddr, err := net.ResolveUDPAddr("udp", "127.0.0.1:"+args[0])
	check(err)
	udp, err := net.DialUDP("udp", nil, raddr)
	check(err)
	n := &node{udp: udp, peer: args[1],
		services: map[string]chan packet{},
		epoch:    uint64(time.Now().Unix()) << 24, up: make(chan struct{})}
	go n.run()
	select {
	case <-n.up:
	case <-time.After(15 * time.Second):
		check(errors.New("no routing update from " + n.peer))
	}
	// Our update naming the peer, which its routes to us wait for (a
	// stream started before then goes on when quic-go sends again).
	n.sendUpdate()
	var tc *tls.Config
	switch {
	case args[2] == "dial" && len(args) == 5:
		if *tlsSpec != "" {
			tc = userTLS(*tlsSpec, false)
		}
		dial(n, args[3], args[4], tc)
	case args[2] == "listen" && len(args) == 4:
		if *tlsSpec != "" {
			tc = userTLS(*tlsSpec, true)
		}
		listen(n, args[3], tc)
	default:
		check(errors.New("bad arguments"))
	}
}
