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
	"fmt"
	"io"
	"os"

	quic "github.com/lucas-clemente/quic-go"
)

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
