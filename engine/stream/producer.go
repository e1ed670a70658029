package stream

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/segmentio/kafka-go"

	"reco/engine"
	"reco/engine/metrics"
)

// ProducerConfig configures a Producer.
type ProducerConfig struct {
	Brokers []string
	// EventsTopic receives interactions and user events, keyed by user.
	EventsTopic string
	// CatalogTopic receives item and item_delete events, keyed by item.
	CatalogTopic string
	// BatchTimeout is how long a send waits for more messages to fill it.
	// Default for a synchronous Produce (InFlight 0, the HTTP API's):
	// none — a call's messages go out at once, and calls that arrive while
	// a send is under way go out together in the next (groupWriter).
	// Default with InFlight: 2 ms. (kafka-go's own default, 1 s, would
	// make every HTTP ingest wait a second.)
	BatchTimeout time.Duration
	// InFlight, when positive, makes Produce return as soon as the
	// messages are queued, with at most InFlight messages waiting for the
	// broker's acknowledgement (Produce blocks beyond that); a failed
	// delivery is returned by a later Produce or by Close. For bulk loads
	// (reco replay): a synchronous Produce waits for a round trip and
	// BatchTimeout per call, which capped a replay at ~65 k events/s while
	// the server was busy. Order is kept: one caller queues in order and
	// kafka-go writes each partition's batches in order. 0: every Produce
	// waits for its acknowledgement (HTTP ingest).
	InFlight int
	// Metrics receives the producer's counters (synchronous produces'
	// sends and events); nil: none exposed.
	Metrics *metrics.Registry
}

// Producer writes events to Kafka. Writes wait for the broker's
// acknowledgement (all replicas), so a 202 from the HTTP API means the
// event is in the log.
type Producer struct {
	cfg      ProducerConfig
	w        *kafka.Writer
	inFlight *inFlight    // nil unless cfg.InFlight > 0
	group    *groupWriter // nil if cfg.InFlight > 0
}

// inFlight counts messages queued but not yet acknowledged, for a
// Producer with ProducerConfig.InFlight.
type inFlight struct {
	mu   sync.Mutex
	n    int
	err  error         // the first failed delivery
	wake chan struct{} // signalled when deliveries complete
}

// completed is the kafka.Writer's Completion function.
func (f *inFlight) completed(msgs []kafka.Message, err error) {
	if err != nil {
		f.mu.Lock()
		if f.err == nil {
			f.err = fmt.Errorf("producing %d messages to %s/%d: %w", len(msgs), msgs[0].Topic, msgs[0].Partition, err)
		}
		f.mu.Unlock()
	}
	f.release(len(msgs))
}

// reserve waits until n more messages may be in flight (always allowed
// when none are), and counts them. It returns the first failed delivery
// so far, or ctx's error.
func (f *inFlight) reserve(ctx context.Context, n, max int) error {
	for {
		f.mu.Lock()
		if f.err != nil {
			err := f.err
			f.mu.Unlock()
			return err
		}
		if f.n == 0 || f.n+n <= max {
			f.n += n
			f.mu.Unlock()
			return nil
		}
		f.mu.Unlock()
		select {
		case <-f.wake:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// release uncounts n messages: delivered, failed, or never queued.
func (f *inFlight) release(n int) {
	f.mu.Lock()
	f.n -= n
	f.mu.Unlock()
	select {
	case f.wake <- struct{}{}:
	default:
	}
}

func (f *inFlight) firstErr() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.err
}

// metadataCacheTTL is how long a Producer's writer trusts a topic's
// partition count (metadataCache).
const metadataCacheTTL = time.Second

// NewProducer returns a producer; Close it when done.
func NewProducer(cfg ProducerConfig) *Producer {
	switch {
	case cfg.BatchTimeout > 0:
	case cfg.InFlight > 0:
		cfg.BatchTimeout = 2 * time.Millisecond
	default:
		// No wait (groupWriter gathers calls instead). kafka-go needs a
		// positive timeout; this one has expired by the time its timer is
		// looked at, and a call's messages are all added before that.
		cfg.BatchTimeout = time.Nanosecond
	}
	p := &Producer{cfg: cfg, w: &kafka.Writer{
		Addr:                   kafka.TCP(cfg.Brokers...),
		Balancer:               &kafka.Hash{},
		BatchTimeout:           cfg.BatchTimeout,
		BatchSize:              1000,
		RequiredAcks:           kafka.RequireAll,
		AllowAutoTopicCreation: true,
		Transport:              newMetadataCache(kafka.DefaultTransport, metadataCacheTTL),
	}}
	if cfg.InFlight > 0 {
		p.inFlight = &inFlight{wake: make(chan struct{}, 1)}
		p.w.Async = true
		p.w.Completion = p.inFlight.completed
	} else {
		reg := cfg.Metrics
		if reg == nil {
			reg = metrics.NewRegistry()
		}
		p.group = newGroupWriter(p.w, reg)
	}
	return p
}

// TopicOf returns the topic an event belongs on.
func (p *Producer) TopicOf(ev *engine.Event) string {
	if ev.IsCatalog() {
		return p.cfg.CatalogTopic
	}
	return p.cfg.EventsTopic
}

// Message returns the Kafka message of an event: canonical JSON on its
// topic, keyed by its entity.
func (p *Producer) Message(ev *engine.Event) (kafka.Message, error) {
	// Room for a typical interaction, so that the encoding allocates once.
	b, err := ev.AppendJSON(make([]byte, 0, 128+len(ev.User)+len(ev.Item)+len(ev.ID)))
	if err != nil {
		return kafka.Message{}, fmt.Errorf("encoding event: %w", err)
	}
	return kafka.Message{Topic: p.TopicOf(ev), Key: []byte(ev.Key()), Value: b}, nil
}

// ProduceEvents writes events and waits until the broker has them.
func (p *Producer) ProduceEvents(ctx context.Context, evs []*engine.Event) error {
	msgs := make([]kafka.Message, 0, len(evs))
	for _, ev := range evs {
		m, err := p.Message(ev)
		if err != nil {
			return err
		}
		msgs = append(msgs, m)
	}
	return p.Produce(ctx, msgs...)
}

// Produce writes messages (each with its Topic set) and waits for them
// (with ProducerConfig.InFlight: until they are queued).
func (p *Producer) Produce(ctx context.Context, msgs ...kafka.Message) error {
	if len(msgs) == 0 {
		return nil
	}
	if p.inFlight != nil {
		if err := p.inFlight.reserve(ctx, len(msgs), p.cfg.InFlight); err != nil {
			return err
		}
	}
	var err error
	if p.group != nil {
		err = p.group.write(ctx, msgs)
	} else {
		err = p.w.WriteMessages(ctx, msgs...)
	}
	if err != nil {
		if p.inFlight != nil { // not queued: no Completion will count them
			p.inFlight.release(len(msgs))
		}
		// kafka-go reports one error per message; say it once.
		var we kafka.WriteErrors
		if errors.As(err, &we) {
			for _, e := range we {
				if e != nil {
					return fmt.Errorf("producing %d messages: %d failed, first: %w", len(msgs), we.Count(), e)
				}
			}
		}
		return fmt.Errorf("producing %d messages: %w", len(msgs), err)
	}
	return nil
}

// Close flushes and closes the writer. With ProducerConfig.InFlight it
// waits for every queued message and returns the first failed delivery.
func (p *Producer) Close() error {
	if p.group != nil {
		p.group.close() // sends what is gathered
	}
	err := p.w.Close()
	if p.inFlight != nil {
		err = errors.Join(err, p.inFlight.firstErr())
	}
	return err
}
