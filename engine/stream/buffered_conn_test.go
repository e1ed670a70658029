package stream

import (
	"bytes"
	"context"
	"errors"
	"net"
	"os"
	"testing"
	"time"
)

// TestDialBufferedReadsWhatWasSent sends more than the read buffer holds
// over loopback and reads it back through dialBuffered's connection in
// the small pieces kafka-go asks for; then checks that a read deadline
// still ends a read with nothing to come.
func TestDialBufferedReadsWhatWasSent(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	sent := make([]byte, 3*fetchReadBuffer+123)
	for i := range sent {
		sent[i] = byte(i * 7)
	}
	go func() {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		for b := sent; len(b) > 0; b = b[min(len(b), 1000):] {
			if _, err := c.Write(b[:min(len(b), 1000)]); err != nil {
				return
			}
		}
		time.Sleep(time.Second) // keep the connection open for the deadline check
	}()
	conn, err := dialBuffered(context.Background(), "tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	got := make([]byte, 0, len(sent))
	piece := make([]byte, 4096)
	for len(got) < len(sent) {
		n, err := conn.Read(piece[:min(len(piece), len(sent)-len(got))])
		if err != nil {
			t.Fatalf("after %d of %d bytes: %v", len(got), len(sent), err)
		}
		got = append(got, piece[:n]...)
	}
	if !bytes.Equal(got, sent) {
		t.Fatal("the bytes read differ from the bytes sent")
	}
	if err := conn.SetReadDeadline(time.Now().Add(10 * time.Millisecond)); err != nil {
		t.Fatal(err)
	}
	if _, err := conn.Read(piece); !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("a read past the deadline returned %v, want a deadline error", err)
	}
}
