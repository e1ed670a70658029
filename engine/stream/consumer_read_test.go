package stream_test

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/segmentio/kafka-go"

	"reco/engine"
	"reco/engine/stream"
)

// TestConsumerAppliesValidAndDeadLettersRejectedMessages produces, into
// one partition and one record batch, valid events among rejected ones
// (keyed and keyless) and runs of valid events too long for the room left
// in the consumer's read arenas. The consumer reads values without keys
// and must read a rejected message, and one that does not fit, a second
// time from the middle of the batch; a fetch returns the whole batch, from
// its first message, whatever offset it asked for. Uncompressed and
// compressed (zstd, snappy, lz4, gzip: what producers use), from the start
// of the partition and from an engine that had already applied half of it,
// every valid event must be applied exactly once, and every rejected one
// dead-lettered with its own key, value and the offset it has in the
// source topic — also the last ones, whose dead letters are still being
// written when the test stops the consumer.
func TestConsumerAppliesValidAndDeadLettersRejectedMessages(t *testing.T) {
	addr := startBroker(t, "events")
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	brokers := []string{addr}

	var (
		msgs []kafka.Message
		item int // valid events name items i0, i1, ...
	)
	for i := range 120 {
		var key []byte
		if i%3 != 0 {
			key = []byte("key-" + strconv.Itoa(i))
		}
		var value string
		switch {
		case i%7 == 3:
			value = fmt.Sprintf(`{"type":"view","user":"u","item":"bad%d"`, i) // truncated
		case i%11 == 5:
			value = fmt.Sprintf(`{"type":"teleport","user":"u","item":"bad%d"}`, i)
		case i%20 >= 16: // runs of four 20 KB events (JSON allows the padding)
			value = fmt.Sprintf(`{"type":"view","user":"u","item":"i%d","ts":%d%s}`, item, 1_700_000_000_000+i, strings.Repeat(" ", 20_000))
			item++
		default:
			value = fmt.Sprintf(`{"type":"view","user":"u","item":"i%d","ts":%d}`, item, 1_700_000_000_000+i)
			item++
		}
		msgs = append(msgs, kafka.Message{Key: key, Value: []byte(value)})
	}
	// Producers compress record batches as a whole; the reader decompresses
	// them before it reads values.
	for _, codec := range []kafka.Compression{0, kafka.Zstd, kafka.Snappy, kafka.Lz4, kafka.Gzip} {
		topic := "events"
		if codec != 0 {
			topic = "events-" + codec.String()
			if err := stream.CreateTopics(ctx, brokers, 4, topic); err != nil {
				t.Fatal(err)
			}
		}
		w := &kafka.Writer{Addr: kafka.TCP(addr), Topic: topic, BatchSize: len(msgs), BatchBytes: 16 << 20,
			BatchTimeout: 10 * time.Millisecond, RequiredAcks: kafka.RequireAll, Compression: codec,
			Balancer: kafka.BalancerFunc(func(kafka.Message, ...int) int { return 0 })}
		if err := w.WriteMessages(ctx, msgs...); err != nil {
			t.Fatalf("producing to %s: %v", topic, err)
		}
		w.Close()
		for _, start := range []int{0, len(msgs) / 2} {
			t.Run(fmt.Sprintf("%s from offset %d", topic, start), func(t *testing.T) {
				consumeFrom(ctx, t, brokers, topic, msgs, start)
			})
		}
	}
}

// consumeFrom runs a consumer on an engine that has applied msgs up to
// start and checks what it applies and dead-letters (see above).
func consumeFrom(ctx context.Context, t *testing.T, brokers []string, topic string, msgs []kafka.Message, start int) {
	views, rejected := 0, map[string]bool{} // valid events from start on, rejected values
	for _, m := range msgs[start:] {
		var ev engine.Event
		if err := json.Unmarshal(m.Value, &ev); err != nil || ev.Type != "view" {
			rejected[string(m.Value)] = true
		} else {
			views++
		}
	}
	quiet := slog.New(slog.DiscardHandler)
	eng := engine.New(engine.Config{Logger: quiet})
	end := engine.Position{Topic: topic, Partition: 0}
	if start > 0 {
		// A rejected message changes nothing but the offset to go on from.
		m := &engine.Message{Pos: end, Offset: int64(start - 1)}
		m.Decode([]byte("{"))
		eng.ApplyMessages([]*engine.Message{m})
	}
	deadTopic := "dead-" + topic + "-" + strconv.Itoa(start)
	if err := stream.CreateTopics(ctx, brokers, 1, deadTopic); err != nil {
		t.Fatal(err)
	}
	dead := stream.NewProducer(stream.ProducerConfig{Brokers: brokers})
	defer dead.Close()
	c := stream.NewConsumer(eng, stream.ConsumerConfig{Brokers: brokers, Topics: []string{topic}, GroupID: deadTopic,
		DeadLetter: dead, DeadLetterTopic: deadTopic, Logger: quiet})
	cctx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- c.Run(cctx) }()
	for eng.Offsets()[end] < int64(len(msgs)) {
		if ctx.Err() != nil {
			t.Fatalf("consumer reached offset %d of %d", eng.Offsets()[end], len(msgs))
		}
		time.Sleep(10 * time.Millisecond)
	}
	stop()
	if err := <-done; err != nil {
		t.Fatalf("consumer: %v", err)
	}

	if got := eng.Version(); got != uint64(views) {
		t.Errorf("applied %d events, want the %d valid ones once each", got, views)
	}
	info, _ := eng.UserInfo("u")
	if info.Events != int64(views) {
		t.Errorf("user u has %d events, want %d", info.Events, views)
	}
	for _, m := range msgs[start:] {
		var ev engine.Event
		if json.Unmarshal(m.Value, &ev) == nil && ev.Type == "view" {
			if _, ok := eng.ItemInfo(ev.Item); !ok {
				t.Errorf("valid event for item %s not applied", ev.Item)
			}
		}
	}

	r := kafka.NewReader(kafka.ReaderConfig{Brokers: brokers, Topic: deadTopic, Partition: 0, MaxWait: 50 * time.Millisecond})
	defer r.Close()
	for range len(rejected) {
		m, err := r.ReadMessage(ctx)
		if err != nil {
			t.Fatalf("dead-letter topic: %v", err)
		}
		h := map[string]string{}
		for _, x := range m.Headers {
			h[x.Key] = string(x.Value)
		}
		off, err := strconv.Atoi(h["reco-offset"])
		if err != nil || h["reco-topic"] != topic || h["reco-partition"] != "0" || off < start || off >= len(msgs) {
			t.Fatalf("dead letter %q names its origin as %v", m.Value, h)
		}
		orig := msgs[off] // one partition: offsets count the messages produced
		if !rejected[string(m.Value)] || string(m.Value) != string(orig.Value) || string(m.Key) != string(orig.Key) {
			t.Errorf("dead letter %q keyed %q at offset %d; the source has %q keyed %q there",
				m.Value, m.Key, off, orig.Value, orig.Key)
		}
		delete(rejected, string(m.Value))
	}
	if len(rejected) > 0 {
		t.Errorf("not dead-lettered: %v", rejected)
	}
}
