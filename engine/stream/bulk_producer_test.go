package stream_test

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/segmentio/kafka-go"

	"reco/engine/broker"
	"reco/engine/stream"
)

// TestBulkProducerKeepsEveryMessageInOrder produces through the bulk
// producer (reco replay's) to a real Kafka-protocol broker and reads the
// topic back with kafka-go: every message must arrive once, on the
// partition kafka-go's Hash balancer (the HTTP ingest's) gives its key,
// and each key's messages in the order they were added, although Add
// returned before the broker acknowledged them. Small batches and a
// small in-flight bound make many sends wait for one another.
func TestBulkProducerKeepsEveryMessageInOrder(t *testing.T) {
	addr := startBroker(t, "t")
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()

	const keys, total, flushEvery = 37, 6000, 250
	p, err := stream.NewBulkProducer(ctx, stream.BulkProducerConfig{Brokers: []string{addr}, Topic: "t", InFlight: 600, MaxBatchBytes: 2000})
	if err != nil {
		t.Fatal(err)
	}
	value := []byte("reused by the caller after every Add")
	for i := 0; i < total; i++ {
		k := fmt.Sprintf("user%d", i%keys)
		value = append(value[:0], k+" "+strconv.Itoa(i)...)
		if err := p.Add(ctx, k, value); err != nil {
			t.Fatalf("Add: %v", err)
		}
		if i%flushEvery == flushEvery-1 {
			if err := p.Flush(ctx); err != nil {
				t.Fatalf("Flush: %v", err)
			}
		}
	}
	if err := p.Close(ctx); err != nil {
		t.Fatalf("Close: %v", err)
	}

	parts := []int{0, 1, 2, 3}
	r := kafka.NewReader(kafka.ReaderConfig{Brokers: []string{addr}, GroupID: "check", GroupTopics: []string{"t"},
		StartOffset: kafka.FirstOffset, MaxWait: 100 * time.Millisecond})
	defer r.Close()
	last := map[string]int{}
	for n := 0; n < total; n++ {
		m, err := r.FetchMessage(ctx)
		if err != nil {
			t.Fatalf("after %d of %d messages: %v", n, total, err)
		}
		k, seq, _ := strings.Cut(string(m.Value), " ")
		i, err := strconv.Atoi(seq)
		if err != nil || k != string(m.Key) {
			t.Fatalf("message %q under key %q", m.Value, m.Key)
		}
		if want := (&kafka.Hash{}).Balance(kafka.Message{Key: m.Key}, parts...); m.Partition != want {
			t.Fatalf("key %s on partition %d, kafka-go's Hash says %d", k, m.Partition, want)
		}
		if prev, ok := last[k]; ok && i <= prev {
			t.Fatalf("key %s: message %d after %d", k, i, prev)
		}
		last[k] = i
	}
	for k := 0; k < keys; k++ {
		if got, want := last[fmt.Sprintf("user%d", k)], (total-1-k)/keys*keys+k; got != want {
			t.Fatalf("user%d: last message %d, want %d", k, got, want)
		}
	}
}

// TestBulkProducerReportsAFailedDelivery stops the broker under a bulk
// producer: Close must return the failed delivery, not hang or succeed.
func TestBulkProducerReportsAFailedDelivery(t *testing.T) {
	b, err := broker.Start(broker.Config{Addr: "127.0.0.1:0", Topics: []string{"t"}, Partitions: 2})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	p, err := stream.NewBulkProducer(ctx, stream.BulkProducerConfig{Brokers: []string{b.Addr()}, Topic: "t", Attempts: 2})
	if err != nil {
		b.Close()
		t.Fatal(err)
	}
	b.Close()
	for i := range 10 {
		if err := p.Add(ctx, fmt.Sprint("user", i), []byte("lost")); err != nil {
			t.Fatalf("Add %d: %v before anything was sent", i, err)
		}
	}
	if err := p.Close(ctx); err == nil {
		t.Fatal("Close returned no error for messages sent to a stopped broker")
	} else if ctx.Err() != nil {
		t.Fatalf("Close returned only when the test's time ran out: %v", err)
	} else {
		t.Log(err)
	}
}

// TestNewBulkProducerChecksItsConfig: no brokers, no topic, or no broker
// listening must each be an error, the last one naming the topic.
func TestNewBulkProducerChecksItsConfig(t *testing.T) {
	if _, err := stream.NewBulkProducer(context.Background(), stream.BulkProducerConfig{Topic: "t"}); err == nil {
		t.Fatal("no error without brokers")
	}
	if _, err := stream.NewBulkProducer(context.Background(), stream.BulkProducerConfig{Brokers: []string{"127.0.0.1:1"}}); err == nil {
		t.Fatal("no error without a topic")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	_, err := stream.NewBulkProducer(ctx, stream.BulkProducerConfig{Brokers: []string{"127.0.0.1:1"}, Topic: "t"})
	if err == nil || !strings.Contains(err.Error(), `"t"`) {
		t.Fatalf("no broker listening: err %v, want one naming the topic", err)
	}
}

// TestBulkProducerSendsAFullBatch adds messages to one partition and
// never flushes: a batch that reaches BatchSize, or one the next message
// would take past MaxBatchBytes, must reach the broker by itself.
func TestBulkProducerSendsAFullBatch(t *testing.T) {
	value := make([]byte, 200)
	for _, tt := range []struct {
		name string
		cfg  stream.BulkProducerConfig
		adds int
		want int64 // messages the broker must get without a Flush
	}{
		{"BatchSize", stream.BulkProducerConfig{BatchSize: 10}, 10, 10},
		// 61 bytes of header and ~206 a record: the third does not fit.
		{"MaxBatchBytes", stream.BulkProducerConfig{MaxBatchBytes: 500}, 3, 2},
	} {
		t.Run(tt.name, func(t *testing.T) {
			addr := startBroker(t, "t")
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			cfg := tt.cfg
			cfg.Brokers, cfg.Topic = []string{addr}, "t"
			p, err := stream.NewBulkProducer(ctx, cfg)
			if err != nil {
				t.Fatal(err)
			}
			defer p.Close(ctx)
			for range tt.adds {
				if err := p.Add(ctx, "user7", value); err != nil {
					t.Fatal(err)
				}
			}
			part := (&kafka.Hash{}).Balance(kafka.Message{Key: []byte("user7")}, 0, 1, 2, 3)
			conn, err := kafka.DialLeader(ctx, "tcp", addr, "t", part)
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			for {
				end, err := conn.ReadLastOffset()
				if err != nil {
					t.Fatal(err)
				}
				if end == tt.want {
					return
				}
				if end > tt.want || ctx.Err() != nil {
					t.Fatalf("partition %d holds %d messages without a Flush, want %d", part, end, tt.want)
				}
				time.Sleep(20 * time.Millisecond)
			}
		})
	}
}
