package stream

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/segmentio/kafka-go"

	"reco/engine"
	"reco/engine/metrics"
)

// ConsumerConfig configures a Consumer. Durations and counts state their
// defaults; zero means the default.
type ConsumerConfig struct {
	Brokers []string
	Topics  []string
	// GroupID is the consumer group. Replicas that must each see the whole
	// log use different groups; members of one group split the partitions.
	GroupID string
	// MaxWait is how long a fetch waits for new data before returning. It
	// bounds how long Close waits too. Default 100 ms (kafka-go: 10 s).
	MaxWait time.Duration
	// CommitInterval is how often applied offsets are committed. Default 500 ms.
	CommitInterval time.Duration
	// SessionTimeout is how long the group waits for a vanished member
	// before handing its partitions to others. Default 6 s (Kafka: 30 s,
	// which would make a restarted reco wait that long to rejoin).
	SessionTimeout time.Duration
	// FromOffsets, when not nil, is where consumption starts: the group's
	// committed offsets are reset to it before joining. The engine's state
	// lives in memory, so a process without a snapshot must replay the log
	// from its first offset rather than resume where a previous process
	// committed. Partitions missing from the map start at their first offset.
	FromOffsets map[TopicPartition]int64
	// ResetToStart resets the group to the first offset of every partition
	// before joining (used when there is no snapshot to resume from).
	ResetToStart bool
	// Metrics receives the consumer's series; nil disables them.
	Metrics *metrics.Registry
	Logger  *slog.Logger
}

// Consumer applies the events of Kafka topics to an engine.
type Consumer struct {
	cfg ConsumerConfig
	eng *engine.Engine

	applied  *metrics.Counter
	rejected func(reason string) *metrics.Counter

	mu       sync.Mutex
	target   map[TopicPartition]int64 // log end seen at start: ready once reached
	position map[TopicPartition]int64 // next offset to apply, per partition
	lag      map[TopicPartition]int64
	lastErr  error
	started  bool
}

// NewConsumer returns a consumer for eng; Run starts it.
func NewConsumer(eng *engine.Engine, cfg ConsumerConfig) *Consumer {
	if cfg.MaxWait <= 0 {
		cfg.MaxWait = 100 * time.Millisecond
	}
	if cfg.CommitInterval <= 0 {
		cfg.CommitInterval = 500 * time.Millisecond
	}
	if cfg.SessionTimeout <= 0 {
		cfg.SessionTimeout = 6 * time.Second
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	reg := cfg.Metrics
	if reg == nil {
		reg = metrics.NewRegistry()
	}
	c := &Consumer{
		cfg:      cfg,
		eng:      eng,
		applied:  reg.Counter("reco_events_applied_total", "", "Events consumed from Kafka and applied to the engine."),
		position: map[TopicPartition]int64{},
		lag:      map[TopicPartition]int64{},
	}
	c.rejected = func(reason string) *metrics.Counter {
		return reg.Counter("reco_events_rejected_total", metrics.Label("reason", reason),
			"Events consumed from Kafka and rejected, by reason.")
	}
	reg.GaugeFunc("reco_consumer_lag", "", "Messages in Kafka not yet applied, summed over partitions.", func() float64 {
		return float64(c.Lag())
	})
	return c
}

// Run consumes until ctx ends. Broker errors are logged and retried with
// backoff: serving goes on from memory while the broker is away.
func (c *Consumer) Run(ctx context.Context) error {
	if err := c.prepare(ctx); err != nil {
		return err
	}
	r := kafka.NewReader(kafka.ReaderConfig{
		Brokers:        c.cfg.Brokers,
		GroupID:        c.cfg.GroupID,
		GroupTopics:    c.cfg.Topics,
		MaxWait:        c.cfg.MaxWait,
		CommitInterval: c.cfg.CommitInterval,
		SessionTimeout: c.cfg.SessionTimeout,
		StartOffset:    kafka.FirstOffset,
		MinBytes:       1,
		MaxBytes:       10 << 20,
		ErrorLogger:    kafka.LoggerFunc(func(msg string, args ...any) { c.cfg.Logger.Debug(fmt.Sprintf(msg, args...)) }),
	})
	defer func() {
		if err := r.Close(); err != nil {
			c.cfg.Logger.Warn("closing kafka reader", "err", err)
		}
	}()
	backoff := 100 * time.Millisecond
	for {
		msg, err := r.FetchMessage(ctx)
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			c.setErr(err)
			c.cfg.Logger.Warn("kafka fetch failed; retrying", "err", err, "backoff", backoff)
			select {
			case <-ctx.Done():
				return nil
			case <-time.After(backoff):
			}
			backoff = min(2*backoff, 5*time.Second)
			continue
		}
		backoff = 100 * time.Millisecond
		c.apply(&msg)
		// With CommitInterval set, this only records the offset; kafka-go
		// commits in the background and flushes on Close. Either way the
		// offset is recorded strictly after the event was applied.
		if err := r.CommitMessages(ctx, msg); err != nil && ctx.Err() == nil {
			c.cfg.Logger.Warn("kafka commit failed", "err", err, "topic", msg.Topic, "partition", msg.Partition, "offset", msg.Offset)
		}
	}
}

func (c *Consumer) apply(msg *kafka.Message) {
	if err := c.eng.ApplyJSON(msg.Value); err != nil {
		reason := "invalid"
		var de *engine.DecodeError
		if errors.As(err, &de) {
			reason = de.Reason
		}
		c.rejected(reason).Inc()
		c.cfg.Logger.Warn("event rejected", "topic", msg.Topic, "partition", msg.Partition, "offset", msg.Offset, "reason", err)
	} else {
		c.applied.Inc()
	}
	tp := TopicPartition{msg.Topic, msg.Partition}
	c.mu.Lock()
	c.position[tp] = msg.Offset + 1
	c.lag[tp] = max(msg.HighWaterMark-msg.Offset-1, 0)
	c.lastErr = nil
	c.mu.Unlock()
}

// prepare creates the topics, records the log end to be ready at, and
// resets the group's offsets when asked to.
func (c *Consumer) prepare(ctx context.Context) error {
	if err := CreateTopics(ctx, c.cfg.Brokers, 0, c.cfg.Topics...); err != nil {
		c.cfg.Logger.Debug("creating topics", "err", err)
	}
	tps, err := Partitions(ctx, c.cfg.Brokers, c.cfg.Topics)
	if err != nil {
		return err
	}
	bounds, err := LogBounds(ctx, c.cfg.Brokers, tps)
	if err != nil {
		return err
	}
	start := map[TopicPartition]int64{}
	for tp, b := range bounds {
		start[tp] = b.First
		if off, ok := c.cfg.FromOffsets[tp]; ok && off >= b.First {
			start[tp] = off
		}
	}
	if c.cfg.ResetToStart || c.cfg.FromOffsets != nil {
		if err := ResetGroup(ctx, c.cfg.Brokers, c.cfg.GroupID, start); err != nil {
			return err
		}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.target = map[TopicPartition]int64{}
	for tp, b := range bounds {
		if b.End > start[tp] {
			c.target[tp] = b.End
		}
		c.position[tp] = start[tp]
		c.lag[tp] = b.End - start[tp]
	}
	c.started = true
	return nil
}

func (c *Consumer) setErr(err error) {
	c.mu.Lock()
	c.lastErr = err
	c.mu.Unlock()
}

// Ready reports whether the consumer has applied everything that was in
// the log when it started; when not, reason says what it waits for.
func (c *Consumer) Ready() (ready bool, reason string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.started {
		return false, "consumer not started"
	}
	if c.lastErr != nil {
		return false, "kafka: " + c.lastErr.Error()
	}
	for tp, end := range c.target {
		if c.position[tp] < end {
			return false, fmt.Sprintf("catching up: %s/%d at offset %d of %d", tp.Topic, tp.Partition, c.position[tp], end)
		}
	}
	return true, ""
}

// Lag returns the number of messages known to be in Kafka but not applied.
func (c *Consumer) Lag() int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	var n int64
	for _, l := range c.lag {
		n += l
	}
	return n
}

// Positions returns the next offset to apply per partition.
func (c *Consumer) Positions() map[TopicPartition]int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make(map[TopicPartition]int64, len(c.position))
	for k, v := range c.position {
		out[k] = v
	}
	return out
}
