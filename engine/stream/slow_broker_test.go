package stream_test

import (
	"context"
	"encoding/binary"
	"fmt"
	"log/slog"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/segmentio/kafka-go"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kmsg"

	"reco/engine"
	"reco/engine/stream"
)

// TestConsumerWaitsForSlowFetchAnswers runs the consumer against a broker
// that answers every fetch later than the fetch's wait, as an in-process
// broker does on a machine whose CPUs are saturated. Such an answer is
// late, not lost: the consumer must wait for it and apply every event
// without dropping its connections or its group session. (It used to
// set its read deadline to the wait itself, and every late answer to an
// idle partition's fetch ended in a timeout and, three in a row, a rejoin
// that stalled all partitions for seconds.)
func TestConsumerWaitsForSlowFetchAnswers(t *testing.T) {
	const maxWait, late = 50 * time.Millisecond, 80 * time.Millisecond
	var lateAnswers atomic.Int64
	listen := func(network, address string) (net.Listener, error) {
		ln, err := net.Listen(network, address)
		return lateFetchListener{Listener: ln, late: late, count: &lateAnswers}, err
	}
	cluster, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.SeedTopics(2, "events", "idle"), kfake.ListenFn(listen))
	if err != nil {
		t.Fatal(err)
	}
	defer cluster.Close()
	brokers := cluster.ListenAddrs()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()

	eng := engine.New(engine.Config{Logger: slog.New(slog.DiscardHandler)})
	var logged syncBuffer
	consumer := stream.NewConsumer(eng, stream.ConsumerConfig{Brokers: brokers, Topics: []string{"events", "idle"}, GroupID: "g",
		MaxWait: maxWait, CommitInterval: 50 * time.Millisecond, Logger: slog.New(slog.NewTextHandler(&logged, nil))})
	cctx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- consumer.Run(cctx) }()
	defer func() { stop(); <-done }()

	p := stream.NewProducer(stream.ProducerConfig{Brokers: brokers, EventsTopic: "events", CatalogTopic: "events"})
	defer p.Close()
	const events = 200
	for i := 0; i < events; i++ {
		u := fmt.Sprintf("u%d", i%10)
		msg := kafka.Message{Topic: "events", Key: []byte(u),
			Value: fmt.Appendf(nil, `{"type":"view","user":%q,"item":"i%d","ts":%d}`, u, i%7, 1_700_000_000_000+int64(i))}
		if err := p.Produce(ctx, msg); err != nil {
			t.Fatalf("producing: %v", err)
		}
		if i%50 == 49 {
			time.Sleep(300 * time.Millisecond) // fetches of idle partitions meanwhile
		}
	}
	for eng.Version() < events {
		if ctx.Err() != nil {
			t.Fatalf("%d of %d events applied before the test's deadline; log:\n%s", eng.Version(), events, logged.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	if log := logged.String(); strings.Contains(log, "fetch failed") || strings.Contains(log, "i/o timeout") {
		t.Fatalf("the consumer gave up on late fetch answers:\n%s", log)
	}
	// Without late answers the test proves nothing; with the consumer's
	// fetch loop polling four partitions for seconds there are dozens.
	n := lateAnswers.Load()
	if n < 10 {
		t.Fatalf("the broker answered only %d fetches late, want at least 10", n)
	}
	t.Logf("%d fetches answered %v late", n, late)
}

// lateFetchListener hands out connections that answer fetches late.
// It stands in for kfake's SleepControl, which races with itself under
// -race (its sleep queue reads a request's channels outside its lock).
type lateFetchListener struct {
	net.Listener
	late  time.Duration
	count *atomic.Int64
}

func (l lateFetchListener) Accept() (net.Conn, error) {
	conn, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return &lateFetchConn{Conn: conn, late: l.late, count: l.count, fetches: map[int32]bool{}}, nil
}

// lateFetchConn is the broker's side of one client connection. Read
// notes the correlation IDs of fetch requests as they stream in; Write
// holds back the answer to each of them by late. kfake writes every
// answer with one Write call that starts with its size and correlation
// ID, so Write needs no framing of its own.
type lateFetchConn struct {
	net.Conn
	late  time.Duration
	count *atomic.Int64

	// head gathers a request's first 12 bytes: size, API key, version
	// and correlation ID; rest is what remains of its body after them.
	head  [12]byte
	nhead int
	rest  int

	mu      sync.Mutex // Read and Write run on different goroutines
	fetches map[int32]bool
}

func (c *lateFetchConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	for b := p[:n]; len(b) > 0; {
		if c.nhead < len(c.head) {
			k := copy(c.head[c.nhead:], b)
			c.nhead += k
			b = b[k:]
			if c.nhead == len(c.head) {
				c.rest = int(binary.BigEndian.Uint32(c.head[0:4])) - 8
				if kmsg.Key(binary.BigEndian.Uint16(c.head[4:6])) == kmsg.Fetch {
					c.mu.Lock()
					c.fetches[int32(binary.BigEndian.Uint32(c.head[8:12]))] = true
					c.mu.Unlock()
				}
			}
		} else {
			k := min(c.rest, len(b))
			c.rest -= k
			b = b[k:]
		}
		if c.nhead == len(c.head) && c.rest <= 0 {
			c.nhead = 0
		}
	}
	return n, err
}

func (c *lateFetchConn) Write(p []byte) (int, error) {
	if len(p) >= 8 {
		corr := int32(binary.BigEndian.Uint32(p[4:8]))
		c.mu.Lock()
		fetch := c.fetches[corr]
		delete(c.fetches, corr)
		c.mu.Unlock()
		if fetch {
			time.Sleep(c.late)
			c.count.Add(1)
		}
	}
	return c.Conn.Write(p)
}
