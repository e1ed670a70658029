package stream_test

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/segmentio/kafka-go"

	"reco/engine/stream"
)

// TestProducerInFlightKeepsEveryMessageInOrder produces through the
// pipelined producer (reco replay's) to a real Kafka-protocol broker and
// reads the topic back: every message must arrive once, and each key's
// messages in the order they were produced, although Produce returned
// before the broker acknowledged them.
func TestProducerInFlightKeepsEveryMessageInOrder(t *testing.T) {
	addr := startBroker(t, "t")
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()

	const keys, total, batch = 37, 6000, 250
	p := stream.NewProducer(stream.ProducerConfig{Brokers: []string{addr}, EventsTopic: "t", CatalogTopic: "t", InFlight: 600})
	var msgs []kafka.Message
	for i := 0; i < total; i++ {
		k := fmt.Sprintf("user%d", i%keys)
		msgs = append(msgs, kafka.Message{Topic: "t", Key: []byte(k), Value: []byte(k + " " + strconv.Itoa(i))})
		if len(msgs) == batch {
			if err := p.Produce(ctx, msgs...); err != nil {
				t.Fatalf("Produce: %v", err)
			}
			msgs = msgs[:0] // the producer must not keep using the caller's slice
		}
	}
	if err := p.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}

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
