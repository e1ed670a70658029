package stream_test

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
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
	cluster, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.SeedTopics(2, "events", "idle"))
	if err != nil {
		t.Fatal(err)
	}
	defer cluster.Close()
	const maxWait, late = 50 * time.Millisecond, 80 * time.Millisecond
	cluster.ControlKey(int16(kmsg.Fetch), func(kmsg.Request) (kmsg.Response, error, bool) {
		cluster.KeepControl()
		cluster.SleepControl(func() { time.Sleep(late) })
		return nil, nil, false // then answered as usual, after up to maxWait
	})
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
}
