package stream

import (
	"bufio"
	"context"
	"net"
)

// fetchReadBuffer is how many bytes a consumer's connection reads from
// its socket at once. kafka-go's Conn reads through a bufio.Reader of
// 4 KiB, so a fetch response of 1 MiB cost 256 read syscalls: 0.29 s of a
// 16 s profile at 260 k events/s, 0.06 s with this buffer. On a CPU
// without PCID each syscall also empties the TLB that the engine's
// scattered state lives by (docs/performance.md, Freshness, Session 25).
// Each partition's connection holds one buffer.
const fetchReadBuffer = 256 << 10

// bufferedConn is a net.Conn whose reads come through a large buffer; the
// rest (writes, deadlines, Close) is the connection's own.
type bufferedConn struct {
	net.Conn
	r *bufio.Reader
}

// Read implements net.Conn.
func (c *bufferedConn) Read(p []byte) (int, error) { return c.r.Read(p) }

// dialBuffered is a kafka.Dialer's DialFunc: it dials as kafka-go does by
// default and reads through fetchReadBuffer bytes.
func dialBuffered(ctx context.Context, network, address string) (net.Conn, error) {
	conn, err := (&net.Dialer{}).DialContext(ctx, network, address)
	if err != nil {
		return nil, err
	}
	return &bufferedConn{Conn: conn, r: bufio.NewReaderSize(conn, fetchReadBuffer)}, nil
}
