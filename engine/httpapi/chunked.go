package httpapi

import (
	"bufio"
	"io"
	"net"
	"strconv"
	"time"
)

// chunkedWriter writes an HTTP/1.1 response with a chunked body straight
// to a connection (the batch endpoint's streaming; see batch). It keeps
// the first write error and ignores everything after it.
type chunkedWriter struct {
	conn net.Conn // nil: no connection (a handler called directly), plain body
	w    *bufio.Writer
	buf  []byte // the chunk being built
	err  error
}

// chunkWriteTimeout bounds each write: a client that stops reading must
// not hold the connection forever.
const chunkWriteTimeout = 10 * time.Second

// newChunkedWriter writes to c, or, when c is nil (a handler called
// without a connection, as unit tests and fuzzers do), unframed to body.
func newChunkedWriter(c net.Conn, body io.Writer) *chunkedWriter {
	if c == nil {
		return &chunkedWriter{w: bufio.NewWriter(body)}
	}
	return &chunkedWriter{conn: c, w: bufio.NewWriterSize(c, 32<<10)}
}

func (cw *chunkedWriter) header(status, contentType string) {
	if cw.conn == nil {
		return
	}
	cw.w.WriteString("HTTP/1.1 " + status + "\r\nContent-Type: " + contentType +
		"\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n")
}

// write appends to the current chunk; it goes out at flush.
func (cw *chunkedWriter) write(b []byte) { cw.buf = append(cw.buf, b...) }

// flush sends the current chunk.
func (cw *chunkedWriter) flush() error {
	if cw.err != nil || len(cw.buf) == 0 {
		return cw.err
	}
	if cw.conn == nil {
		cw.w.Write(cw.buf)
		cw.err = cw.w.Flush()
		cw.buf = cw.buf[:0]
		return cw.err
	}
	cw.conn.SetWriteDeadline(time.Now().Add(chunkWriteTimeout))
	cw.w.WriteString(strconv.FormatInt(int64(len(cw.buf)), 16) + "\r\n")
	cw.w.Write(cw.buf)
	cw.w.WriteString("\r\n")
	cw.err = cw.w.Flush()
	cw.buf = cw.buf[:0]
	return cw.err
}

// end sends the last chunk and the terminator.
func (cw *chunkedWriter) end() {
	if cw.flush() != nil || cw.conn == nil {
		return
	}
	cw.w.WriteString("0\r\n\r\n")
	cw.err = cw.w.Flush()
}
