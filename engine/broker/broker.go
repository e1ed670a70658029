// Package broker runs an in-process Kafka-protocol broker (kfake) on
// loopback, so that "reco serve" with no --brokers runs the real pipeline —
// kafka-go producer, topic, kafka-go consumer group — with one command.
// It is a test broker: production points --brokers at a real cluster.
package broker

import (
	"fmt"
	"net"
	"strconv"
	"sync"
	"time"

	"github.com/twmb/franz-go/pkg/kfake"
)

// Config configures the embedded broker.
type Config struct {
	// Addr is the host:port to listen on. Port 0 picks a free port
	// (tests). Default 127.0.0.1:9092.
	Addr string
	// Topics are created at start with Partitions partitions each.
	Topics []string
	// Partitions per topic. Default 4.
	Partitions int
	// DataDir, when set, persists topics, records and committed offsets
	// there across restarts. Empty keeps everything in memory: in a
	// directory of the broker's own under MemoryDir while it runs.
	DataDir string
	// MemoryDir is where the log goes without DataDir (memory_dir.go): a
	// directory of this broker's own under it, removed by Close. Default
	// /dev/shm when there is one with room for the log (RetentionBytes for
	// every partition of every topic; 1 GiB when retention keeps
	// everything); otherwise kfake keeps the log in the Go heap.
	MemoryDir string
	// SegmentBytes is the size at which a partition's log starts a new
	// segment. Default 4 MiB (kfake: 100 MiB). kfake grows a segment's
	// buffer by doubling; doubling and copying buffers of up to 128 MiB
	// into fresh memory stalled the broker, and with it the consumer, for
	// long enough to show in the event-to-visible tail: at 100 k events/s
	// p99 104–214 ms and max 0.53–0.68 s with 100 MiB segments, 66–99 ms
	// and 83–214 ms with 1–4 MiB ones, and a quarter less server CPU
	// (docs/performance.md, Freshness).
	SegmentBytes int
	// RetentionBytes bounds each partition's log: beyond it the oldest
	// records are deleted, checked every RetentionCheck (default 10 s).
	// Without it the log only grows — in memory without a DataDir, where
	// a day at 10 k events/s is ~170 GB. 0 keeps everything.
	RetentionBytes int64
	RetentionCheck time.Duration
}

// DefaultSegmentBytes is Config.SegmentBytes's default.
const DefaultSegmentBytes = 4 << 20

// Broker is a running embedded broker.
type Broker struct {
	cluster   *kfake.Cluster
	addr      string
	memoryDir string        // the log's directory without DataDir, removed by Close; "" none
	stop      chan struct{} // closed by Close: ends the retention loop
	stopped   chan struct{} // closed when no retention loop runs (any more)
	once      sync.Once
}

// Start starts the broker and creates its topics.
func Start(cfg Config) (*Broker, error) {
	if cfg.Addr == "" {
		cfg.Addr = "127.0.0.1:9092"
	}
	if cfg.Partitions <= 0 {
		cfg.Partitions = 4
	}
	if cfg.SegmentBytes <= 0 {
		cfg.SegmentBytes = DefaultSegmentBytes
	}
	host, portStr, err := net.SplitHostPort(cfg.Addr)
	if err != nil {
		return nil, fmt.Errorf("embedded broker address %q: %w", cfg.Addr, err)
	}
	port, err := strconv.Atoi(portStr)
	if err != nil || port < 0 || port > 65535 {
		return nil, fmt.Errorf("embedded broker address %q: bad port", cfg.Addr)
	}
	if cfg.RetentionBytes < 0 {
		return nil, fmt.Errorf("embedded broker: retention of %d bytes: want 0 (keep everything) or more", cfg.RetentionBytes)
	}
	if cfg.RetentionCheck <= 0 {
		cfg.RetentionCheck = 10 * time.Second
	}
	brokerConfigs := map[string]string{"log.segment.bytes": strconv.Itoa(cfg.SegmentBytes)}
	if cfg.RetentionBytes > 0 {
		// Every topic's default, those loaded from DataDir and those
		// created later (dead letters) included. kfake applies it when
		// asked (the loop in Start), not on a ticker of its own: that one
		// runs only for topics that set retention themselves.
		brokerConfigs["log.retention.bytes"] = strconv.FormatInt(cfg.RetentionBytes, 10)
	}
	opts := []kfake.Opt{
		kfake.NumBrokers(1),
		kfake.Ports(port),
		kfake.SeedTopics(int32(cfg.Partitions), cfg.Topics...),
		kfake.AllowAutoTopicCreation(),
		kfake.DefaultNumPartitions(cfg.Partitions),
		kfake.BrokerConfigs(brokerConfigs),
		// kfake always asks for 127.0.0.1; honour the configured host.
		kfake.ListenFn(func(network, address string) (net.Listener, error) {
			_, p, _ := net.SplitHostPort(address)
			return net.Listen(network, net.JoinHostPort(host, p))
		}),
	}
	dir, memoryDir := cfg.DataDir, ""
	if dir == "" {
		if memoryDir, err = makeMemoryDir(cfg.MemoryDir, logBound(cfg)); err != nil {
			return nil, fmt.Errorf("embedded broker: %w", err)
		}
		dir = memoryDir
	}
	if dir != "" {
		opts = append(opts, kfake.DataDir(dir))
	}
	c, err := kfake.NewCluster(opts...)
	if err != nil {
		removeMemoryDir(memoryDir)
		return nil, fmt.Errorf("starting embedded broker on %s: %w", cfg.Addr, err)
	}
	b := &Broker{cluster: c, addr: c.ListenAddrs()[0], memoryDir: memoryDir, stop: make(chan struct{}), stopped: make(chan struct{})}
	// Topics seeded by an earlier run with DataDir are loaded, not seeded:
	// make sure every configured topic exists either way.
	for _, t := range cfg.Topics {
		if c.TopicInfo(t) == nil {
			if err := c.CreateTopic(t, int32(cfg.Partitions), nil); err != nil {
				c.Close()
				removeMemoryDir(memoryDir)
				return nil, fmt.Errorf("embedded broker: creating topic %s: %w", t, err)
			}
		}
	}
	if cfg.RetentionBytes > 0 {
		go b.retain(cfg.RetentionCheck)
	} else {
		close(b.stopped)
	}
	return b, nil
}

// retain applies the retention every interval until Close.
func (b *Broker) retain(interval time.Duration) {
	defer close(b.stopped)
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-b.stop:
			return
		case <-t.C:
			b.cluster.ApplyRetention()
		}
	}
}

// Addr returns the host:port clients connect to.
func (b *Broker) Addr() string { return b.addr }

// Close stops the broker (flushing its data directory, if any; removing
// the log it kept in memory otherwise).
func (b *Broker) Close() {
	b.once.Do(func() {
		close(b.stop)
		<-b.stopped
		b.cluster.Close()
		removeMemoryDir(b.memoryDir)
	})
}

// MemoryDir returns the directory the log is kept in without DataDir, ""
// when kfake keeps it in the Go heap or with DataDir.
func (b *Broker) MemoryDir() string { return b.memoryDir }

// DeleteRecords deletes the records of topic's partition before offset
// (-1: all of them), as a Kafka DeleteRecords request or retention would:
// fetching from a deleted offset then fails with OffsetOutOfRange.
func (b *Broker) DeleteRecords(topic string, partition int, before int64) error {
	if err := b.cluster.DeleteRecords(topic, int32(partition), before); err != nil {
		return fmt.Errorf("deleting records of %s/%d before offset %d: %w", topic, partition, before, err)
	}
	return nil
}
