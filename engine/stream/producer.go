package stream

import (
	"context"
	"errors"
	"fmt"
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
	// Default: none — a call's messages go out at once, and calls that
	// arrive while a send is under way go out together in the next
	// (groupWriter). (kafka-go's own default, 1 s, would make every HTTP
	// ingest wait a second.)
	BatchTimeout time.Duration
	// Metrics receives the producer's counters (sends and events); nil:
	// none exposed.
	Metrics *metrics.Registry
}

// Producer writes events to Kafka. Writes wait for the broker's
// acknowledgement (all replicas), so a 202 from the HTTP API means the
// event is in the log. For bulk loads see BulkProducer.
type Producer struct {
	cfg   ProducerConfig
	w     *kafka.Writer
	group *groupWriter
}

// metadataCacheTTL is how long a Producer's writer trusts a topic's
// partition count (metadataCache).
const metadataCacheTTL = time.Second

// NewProducer returns a producer; Close it when done.
func NewProducer(cfg ProducerConfig) *Producer {
	if cfg.BatchTimeout <= 0 {
		// No wait (groupWriter gathers calls instead). kafka-go needs a
		// positive timeout; this one has expired by the time its timer is
		// looked at, and a call's messages are all added before that.
		cfg.BatchTimeout = time.Nanosecond
	}
	reg := cfg.Metrics
	if reg == nil {
		reg = metrics.NewRegistry()
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
	p.group = newGroupWriter(p.w, reg)
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

// Produce writes messages (each with its Topic set) and waits until the
// broker has them.
func (p *Producer) Produce(ctx context.Context, msgs ...kafka.Message) error {
	if len(msgs) == 0 {
		return nil
	}
	if err := p.group.write(ctx, msgs); err != nil {
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

// Close sends what is gathered and closes the writer.
func (p *Producer) Close() error {
	p.group.close()
	return p.w.Close()
}
