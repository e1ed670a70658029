package stream

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/segmentio/kafka-go"

	"reco/engine"
)

// ProducerConfig configures a Producer.
type ProducerConfig struct {
	Brokers []string
	// EventsTopic receives interactions and user events, keyed by user.
	EventsTopic string
	// CatalogTopic receives item and item_delete events, keyed by item.
	CatalogTopic string
	// BatchTimeout is how long the writer waits to fill a batch. Default
	// 2 ms: kafka-go's 1 s default would make every HTTP ingest wait a second.
	BatchTimeout time.Duration
}

// Producer writes events to Kafka. Writes wait for the broker's
// acknowledgement (all replicas), so a 202 from the HTTP API means the
// event is in the log.
type Producer struct {
	cfg ProducerConfig
	w   *kafka.Writer
}

// NewProducer returns a producer; Close it when done.
func NewProducer(cfg ProducerConfig) *Producer {
	if cfg.BatchTimeout <= 0 {
		cfg.BatchTimeout = 2 * time.Millisecond
	}
	return &Producer{cfg: cfg, w: &kafka.Writer{
		Addr:                   kafka.TCP(cfg.Brokers...),
		Balancer:               &kafka.Hash{},
		BatchTimeout:           cfg.BatchTimeout,
		BatchSize:              1000,
		RequiredAcks:           kafka.RequireAll,
		AllowAutoTopicCreation: true,
	}}
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
	b, err := json.Marshal(ev)
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

// Produce writes messages (each with its Topic set) and waits for them.
func (p *Producer) Produce(ctx context.Context, msgs ...kafka.Message) error {
	if len(msgs) == 0 {
		return nil
	}
	if err := p.w.WriteMessages(ctx, msgs...); err != nil {
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

// Close flushes and closes the writer.
func (p *Producer) Close() error { return p.w.Close() }
