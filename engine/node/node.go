// Package node wires one running reco process: the Kafka side (an embedded
// broker when no brokers are given), the engine and its background
// trainer, the consumer that feeds it, the producer behind POST
// /v1/events, and the HTTP API. cmd/reco only turns flags into a Config.
package node

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"path/filepath"
	"sync"
	"time"

	"reco/engine"
	"reco/engine/broker"
	"reco/engine/demo"
	"reco/engine/httpapi"
	"reco/engine/metrics"
	"reco/engine/stream"
)

// Config configures a node.
type Config struct {
	// HTTPAddr is where the API listens. Default 127.0.0.1:8080; port 0
	// picks a free port.
	HTTPAddr string
	// Brokers of a real Kafka cluster. Empty starts an embedded broker on
	// EmbeddedBroker.
	Brokers []string
	// EmbeddedBroker is the address of the embedded broker. Default 127.0.0.1:9092.
	EmbeddedBroker string
	// EmbeddedRetentionBytes bounds each partition of the embedded
	// broker's log (broker.Config.RetentionBytes); 0 keeps everything.
	EmbeddedRetentionBytes int64
	// EventsTopic and CatalogTopic: defaults reco.events and reco.catalog.
	EventsTopic, CatalogTopic string
	// Group is the Kafka consumer group. Default "reco".
	Group string
	// FetchMaxBytes bounds one fetch of a partition; see
	// stream.ConsumerConfig. Default 1 MiB.
	FetchMaxBytes int
	// DataDir, when set, holds snapshots of the state (DataDir/snapshots)
	// and the embedded broker's log (DataDir/kafka), so that a restart
	// resumes where it stopped.
	DataDir string
	// SnapshotInterval is how often a snapshot is written when DataDir is
	// set (and always at shutdown). Default 1 minute.
	SnapshotInterval time.Duration
	// DeadLetterTopic receives messages the engine rejects. Default
	// reco.dead-letter.
	DeadLetterTopic string
	// Demo loads the demo shop into an empty log at start.
	Demo bool
	// APIKey guards write endpoints when set; ReadAPIKey guards the read
	// endpoints when set.
	APIKey, ReadAPIKey string
	// CacheTTL caches rendered answers this long (0: off); CacheBytes
	// bounds the cache (default 64 MiB). See httpapi.Config.
	CacheTTL   time.Duration
	CacheBytes int64
	Engine     engine.Config
	Logger     *slog.Logger
}

// Node is a running reco process.
type Node struct {
	cfg      Config
	Engine   *engine.Engine
	Broker   *broker.Broker // nil with external brokers
	Producer *stream.Producer
	Consumer *stream.Consumer
	Metrics  *metrics.Registry
	api      *httpapi.Server
	httpLn   net.Listener
	brokers  []string

	snapshots, snapshotFails *metrics.Counter

	closeOnce sync.Once
	closeErr  error

	cancel context.CancelFunc
	wg     sync.WaitGroup
	errMu  sync.Mutex
	err    error
}

// Start starts every part and returns once the HTTP API accepts
// connections. The consumer catches up in the background; /readyz says
// when it has.
func Start(ctx context.Context, cfg Config) (*Node, error) {
	if cfg.HTTPAddr == "" {
		cfg.HTTPAddr = "127.0.0.1:8080"
	}
	if cfg.EmbeddedBroker == "" {
		cfg.EmbeddedBroker = "127.0.0.1:9092"
	}
	if cfg.EventsTopic == "" {
		cfg.EventsTopic = "reco.events"
	}
	if cfg.CatalogTopic == "" {
		cfg.CatalogTopic = "reco.catalog"
	}
	if cfg.Group == "" {
		cfg.Group = "reco"
	}
	if cfg.SnapshotInterval <= 0 {
		cfg.SnapshotInterval = time.Minute
	}
	if cfg.DeadLetterTopic == "" {
		cfg.DeadLetterTopic = "reco.dead-letter"
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	cfg.Engine.Logger = cfg.Logger
	n := &Node{cfg: cfg, Metrics: metrics.NewRegistry(), brokers: cfg.Brokers}
	topics := []string{cfg.EventsTopic, cfg.CatalogTopic}
	if len(n.brokers) == 0 {
		bcfg := broker.Config{Addr: cfg.EmbeddedBroker, Topics: topics, RetentionBytes: cfg.EmbeddedRetentionBytes}
		if cfg.DataDir != "" {
			bcfg.DataDir = filepath.Join(cfg.DataDir, "kafka")
		}
		b, err := broker.Start(bcfg)
		if err != nil {
			return nil, err
		}
		n.Broker = b
		n.brokers = []string{b.Addr()}
		cfg.Logger.Info("embedded Kafka-protocol broker started", "addr", b.Addr(), "data_dir", bcfg.DataDir, "log_in_memory", b.MemoryDir())
	}
	ctx, n.cancel = context.WithCancel(ctx)
	if cfg.DataDir != "" {
		e, file, skipped, err := engine.LoadSnapshot(n.snapshotDir(), cfg.Engine)
		for _, s := range skipped {
			cfg.Logger.Error("snapshot unreadable, trying an older one", "err", s)
		}
		if err != nil {
			n.Close()
			return nil, err
		}
		if e != nil {
			n.Engine = e
			cfg.Logger.Info("state restored from snapshot", "file", file, "events", e.Version(), "partitions", len(e.Offsets()))
		} else if len(skipped) > 0 {
			cfg.Logger.Error("no readable snapshot: rebuilding the state by replaying the log from its start")
		}
	}
	if n.Engine == nil {
		n.Engine = engine.New(cfg.Engine)
	}
	n.registerEngineMetrics()
	n.Producer = stream.NewProducer(stream.ProducerConfig{Brokers: n.brokers, EventsTopic: cfg.EventsTopic, CatalogTopic: cfg.CatalogTopic, Metrics: n.Metrics})
	if cfg.Demo {
		if err := n.loadDemo(ctx, topics); err != nil {
			n.Close()
			return nil, err
		}
	}
	n.Consumer = stream.NewConsumer(n.Engine, stream.ConsumerConfig{
		Brokers: n.brokers, Topics: topics, GroupID: cfg.Group, FetchMaxBytes: cfg.FetchMaxBytes,
		// The consumer resumes where the engine's state stops: after the
		// restored snapshot, or at the start of the log without one.
		DeadLetter: n.Producer, DeadLetterTopic: cfg.DeadLetterTopic,
		Metrics: n.Metrics, Logger: cfg.Logger,
	})
	api, err := httpapi.New(httpapi.Config{
		Engine: n.Engine, Sink: n.Producer, Ready: n.Consumer.Ready,
		APIKey: cfg.APIKey, ReadAPIKey: cfg.ReadAPIKey, CacheTTL: cfg.CacheTTL, CacheBytes: cfg.CacheBytes,
		Metrics: n.Metrics, Logger: cfg.Logger,
	})
	if err != nil {
		n.Close()
		return nil, err
	}
	n.api = api
	ln, err := net.Listen("tcp", cfg.HTTPAddr)
	if err != nil {
		n.Close()
		return nil, fmt.Errorf("http listen on %s: %w", cfg.HTTPAddr, err)
	}
	n.httpLn = ln
	n.goRun("consumer", func() error { return n.Consumer.Run(ctx) })
	n.goRun("trainer", func() error { n.train(ctx); return nil })
	n.goRun("http", func() error { return n.api.Serve(ln) })
	if cfg.DataDir != "" {
		n.goRun("snapshots", func() error { n.snapshotLoop(ctx); return nil })
	}
	cfg.Logger.Info("reco serving", "http", ln.Addr().String(), "brokers", n.brokers, "topics", topics, "group", cfg.Group)
	return n, nil
}

func (n *Node) goRun(name string, fn func() error) {
	n.wg.Add(1)
	go func() {
		defer n.wg.Done()
		if err := fn(); err != nil {
			n.cfg.Logger.Error(name+" stopped", "err", err)
			n.errMu.Lock()
			if n.err == nil {
				n.err = fmt.Errorf("%s: %w", name, err)
			}
			n.errMu.Unlock()
			n.cancel()
		}
	}()
}

// train fits the first model as soon as the consumer has caught up with
// the log (instead of a full TrainInterval later), then retrains in the
// background.
func (n *Node) train(ctx context.Context) {
	t := time.NewTicker(200 * time.Millisecond)
	for ready := false; !ready; {
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C:
			ready, _ = n.Consumer.Ready()
		}
	}
	t.Stop()
	if n.Engine.Version() > 0 {
		if err := n.Engine.Train(ctx); err != nil && ctx.Err() == nil {
			n.cfg.Logger.Info("first training skipped", "err", err)
		}
	}
	n.Engine.Run(ctx)
}

func (n *Node) snapshotDir() string { return filepath.Join(n.cfg.DataDir, "snapshots") }

// snapshotLoop writes a snapshot every SnapshotInterval while events keep
// arriving.
func (n *Node) snapshotLoop(ctx context.Context) {
	t := time.NewTicker(n.cfg.SnapshotInterval)
	defer t.Stop()
	last := n.Engine.Version()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if v := n.Engine.Version(); v == last {
			continue
		}
		start := time.Now()
		file, err := n.Engine.SaveSnapshot(n.snapshotDir())
		if err != nil {
			n.snapshotFails.Inc()
			n.cfg.Logger.Error("snapshot failed; will retry", "err", err)
			continue
		}
		last = n.Engine.Version()
		n.snapshots.Inc()
		n.cfg.Logger.Debug("snapshot written", "file", file, "took", time.Since(start).Round(time.Millisecond))
	}
}

// HTTPAddr returns the address the API listens on.
func (n *Node) HTTPAddr() string { return n.httpLn.Addr().String() }

// Brokers returns the Kafka bootstrap addresses in use.
func (n *Node) Brokers() []string { return n.brokers }

// Err returns the first error that stopped a part of the node, if any.
func (n *Node) Err() error {
	n.errMu.Lock()
	defer n.errMu.Unlock()
	return n.err
}

// Close shuts down in the order that loses nothing: stop accepting
// requests and drain them, stop the consumer (committing what it applied),
// write a final snapshot, then close the producer and the broker.
func (n *Node) Close() error {
	n.closeOnce.Do(func() { n.closeErr = n.close() })
	return n.closeErr
}

func (n *Node) close() error {
	var errs []error
	if n.api != nil && n.httpLn != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		errs = append(errs, n.api.Shutdown(ctx))
		cancel()
	}
	if n.cancel != nil {
		n.cancel()
	}
	n.wg.Wait()
	if n.cfg.DataDir != "" && n.Engine != nil {
		if file, err := n.Engine.SaveSnapshot(n.snapshotDir()); err != nil {
			errs = append(errs, fmt.Errorf("final snapshot: %w", err))
		} else {
			n.cfg.Logger.Info("final snapshot written", "file", file, "events", n.Engine.Version())
		}
	}
	if n.Producer != nil {
		errs = append(errs, n.Producer.Close())
	}
	if n.Broker != nil {
		n.Broker.Close()
	}
	return errors.Join(errs...)
}

// loadDemo produces the demo shop unless the log already has events (a
// restart with a data dir must not load it twice).
func (n *Node) loadDemo(ctx context.Context, topics []string) error {
	tps, err := stream.Partitions(ctx, n.brokers, topics)
	if err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	bounds, err := stream.LogBounds(ctx, n.brokers, tps)
	if err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	for _, b := range bounds {
		if b.End > b.First {
			n.cfg.Logger.Info("demo: the log already has events; not loading the demo shop again")
			return nil
		}
	}
	evs := demo.Events(demo.Config{})
	start := time.Now()
	const batch = 5000
	for i := 0; i < len(evs); i += batch {
		if err := n.Producer.ProduceEvents(ctx, evs[i:min(i+batch, len(evs))]); err != nil {
			return fmt.Errorf("demo: %w", err)
		}
	}
	n.cfg.Logger.Info("demo shop produced to Kafka", "events", len(evs), "took", time.Since(start).Round(time.Millisecond))
	return nil
}

func (n *Node) registerEngineMetrics() {
	st := n.Engine.Stats()
	reg := n.Metrics
	n.snapshots = reg.Counter("reco_snapshots_total", "", "Snapshots written.")
	n.snapshotFails = reg.Counter("reco_snapshot_failures_total", "", "Snapshots that failed to write.")
	reg.CounterFunc("reco_engine_events_total", "", "Events folded into the state (after dedup).", func() float64 { return float64(n.Engine.Version()) })
	reg.CounterFunc("reco_engine_duplicates_total", "", "Events dropped because their id was seen before.", func() float64 { return float64(st.Duplicates.Load()) })
	reg.CounterFunc("reco_engine_answer_waits_total", "", "Answers that waited for a turn: more computed at once than --max-concurrent-answers.", func() float64 { return float64(st.AnswerWaits.Load()) })
	reg.CounterFunc("reco_model_trainings_total", "", "Successful background trainings.", func() float64 { return float64(st.Trainings.Load()) })
	reg.CounterFunc("reco_model_training_failures_total", "", "Failed background trainings.", func() float64 { return float64(st.TrainFails.Load()) })
	reg.GaugeFunc("reco_model_training_seconds", "", "Duration of the last successful training.", func() float64 { return float64(st.TrainNanos.Load()) / 1e9 })
	reg.GaugeFunc("reco_items", "", "Items held (not deleted).", func() float64 { i, _ := n.Engine.Size(); return float64(i) })
	reg.GaugeFunc("reco_users", "", "Users held (not erased).", func() float64 { _, u := n.Engine.Size(); return float64(u) })
}
