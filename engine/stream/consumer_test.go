package stream_test

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/segmentio/kafka-go"

	"reco/engine"
	"reco/engine/metrics"
	"reco/engine/stream"
)

// TestConsumerKeepsEveryEventOnceAcrossRebalances runs a consumer while a
// second member joins its group and leaves again, with events streaming
// in. Each rebalance stops the consumer's partition fetchers and starts
// new ones from the engine's own offsets; the engine must end up with
// every event applied exactly once — none lost, none twice — although the
// events carry no ids (deduplication cannot hide a repeat) and the other
// member consumed some partitions meanwhile.
func TestConsumerKeepsEveryEventOnceAcrossRebalances(t *testing.T) {
	addr := startBroker(t, "events")
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	brokers := []string{addr}
	quiet := slog.New(slog.DiscardHandler)
	// The consumer under test reports a shared group in its metrics and
	// its log.
	reg := metrics.NewRegistry()
	var logged syncBuffer
	cfg := func(main bool) stream.ConsumerConfig {
		c := stream.ConsumerConfig{Brokers: brokers, Topics: []string{"events"}, GroupID: "g",
			CommitInterval: 50 * time.Millisecond, Logger: quiet}
		if main {
			c.Metrics, c.Logger = reg, slog.New(slog.NewTextHandler(&logged, nil))
		}
		return c
	}
	assigned := func() string {
		var sb strings.Builder
		reg.Expose(&sb)
		for _, l := range strings.Split(sb.String(), "\n") {
			if v, ok := strings.CutPrefix(l, "reco_consumer_partitions_assigned "); ok {
				return v
			}
		}
		return ""
	}
	run := func(ctx context.Context, eng *engine.Engine, main bool) (stop func()) {
		ctx, cancel := context.WithCancel(ctx)
		var wg sync.WaitGroup
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := stream.NewConsumer(eng, cfg(main)).Run(ctx); err != nil {
				t.Errorf("consumer: %v", err)
			}
		}()
		return func() { cancel(); wg.Wait() }
	}

	const users, perPhase = 40, 400
	p := stream.NewProducer(stream.ProducerConfig{Brokers: brokers, EventsTopic: "events", CatalogTopic: "events"})
	defer p.Close()
	sent := 0
	produce := func(n int) {
		msgs := make([]kafka.Message, 0, n)
		for i := 0; i < n; i++ {
			u := fmt.Sprintf("u%d", sent%users)
			msgs = append(msgs, kafka.Message{Topic: "events", Key: []byte(u),
				Value: fmt.Appendf(nil, `{"type":"view","user":%q,"item":"i%d","ts":%d}`, u, sent%7, 1_700_000_000_000+int64(sent))})
			sent++
		}
		if err := p.Produce(ctx, msgs...); err != nil {
			t.Fatalf("producing: %v", err)
		}
	}
	var eng, other *engine.Engine
	waitFor := func(what string, cond func() bool) {
		t.Helper()
		for !cond() {
			if ctx.Err() != nil {
				t.Fatalf("timed out waiting for %s: %d events produced, %d applied by the consumer under test, %d by the other member",
					what, sent, eng.Version(), other.Version())
			}
			time.Sleep(50 * time.Millisecond)
		}
	}

	eng = engine.New(engine.Config{Logger: quiet})
	other = engine.New(engine.Config{Logger: quiet})
	stopMain := run(ctx, eng, true)
	defer stopMain()
	produce(perPhase)
	waitFor("the first events", func() bool { return eng.Version() == uint64(perPhase) })
	waitFor("all 4 partitions assigned", func() bool { return assigned() == "4" })
	if strings.Contains(logged.String(), "consumer group shared") {
		t.Fatalf("a shared group reported while alone in it:\n%s", logged.String())
	}

	stopOther := run(ctx, other, false)
	// The other member takes some partitions once its join goes through
	// (after its offset reset gives up: the group is busy); events keep
	// coming meanwhile.
	waitFor("the second member to consume", func() bool {
		produce(10)
		return other.Version() > 0
	})
	waitFor("a share of the partitions reported", func() bool { a := assigned(); return a != "4" && a != "" })
	if !strings.Contains(logged.String(), "consumer group shared") {
		t.Errorf("the shared group is not in the log:\n%s", logged.String())
	}
	produce(perPhase)
	stopOther()
	produce(perPhase)
	waitFor("all 4 partitions back", func() bool { return assigned() == "4" })

	waitFor("every event", func() bool { return eng.Version() >= uint64(sent) })
	time.Sleep(300 * time.Millisecond) // a repeat would arrive now
	if got := eng.Version(); got != uint64(sent) {
		t.Fatalf("engine applied %d events, %d were produced", got, sent)
	}
	for u := 0; u < users; u++ {
		info, ok := eng.UserInfo(fmt.Sprintf("u%d", u))
		want := int64(sent / users) // event k went to user k mod users
		if u < sent%users {
			want++
		}
		if !ok || info.Events != want {
			t.Errorf("u%d: %d events applied, want %d", u, info.Events, want)
		}
	}
}

// syncBuffer is a bytes.Buffer that a logger and the test may use at once.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
