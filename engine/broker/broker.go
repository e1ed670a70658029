// Package broker runs an in-process Kafka-protocol broker (kfake) on
// loopback, so that "reco serve" with no --brokers runs the real pipeline —
// kafka-go producer, topic, kafka-go consumer group — with one command.
// It is a test broker: production points --brokers at a real cluster.
package broker

import (
	"fmt"
	"net"
	"strconv"

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
	// there across restarts. Empty keeps everything in memory.
	DataDir string
}

// Broker is a running embedded broker.
type Broker struct {
	cluster *kfake.Cluster
	addr    string
}

// Start starts the broker and creates its topics.
func Start(cfg Config) (*Broker, error) {
	if cfg.Addr == "" {
		cfg.Addr = "127.0.0.1:9092"
	}
	if cfg.Partitions <= 0 {
		cfg.Partitions = 4
	}
	host, portStr, err := net.SplitHostPort(cfg.Addr)
	if err != nil {
		return nil, fmt.Errorf("embedded broker address %q: %w", cfg.Addr, err)
	}
	port, err := strconv.Atoi(portStr)
	if err != nil || port < 0 || port > 65535 {
		return nil, fmt.Errorf("embedded broker address %q: bad port", cfg.Addr)
	}
	opts := []kfake.Opt{
		kfake.NumBrokers(1),
		kfake.Ports(port),
		kfake.SeedTopics(int32(cfg.Partitions), cfg.Topics...),
		kfake.AllowAutoTopicCreation(),
		kfake.DefaultNumPartitions(cfg.Partitions),
		// kfake always asks for 127.0.0.1; honour the configured host.
		kfake.ListenFn(func(network, address string) (net.Listener, error) {
			_, p, _ := net.SplitHostPort(address)
			return net.Listen(network, net.JoinHostPort(host, p))
		}),
	}
	if cfg.DataDir != "" {
		opts = append(opts, kfake.DataDir(cfg.DataDir))
	}
	c, err := kfake.NewCluster(opts...)
	if err != nil {
		return nil, fmt.Errorf("starting embedded broker on %s: %w", cfg.Addr, err)
	}
	b := &Broker{cluster: c, addr: c.ListenAddrs()[0]}
	// Topics seeded by an earlier run with DataDir are loaded, not seeded:
	// make sure every configured topic exists either way.
	for _, t := range cfg.Topics {
		if c.TopicInfo(t) == nil {
			if err := c.CreateTopic(t, int32(cfg.Partitions), nil); err != nil {
				c.Close()
				return nil, fmt.Errorf("embedded broker: creating topic %s: %w", t, err)
			}
		}
	}
	return b, nil
}

// Addr returns the host:port clients connect to.
func (b *Broker) Addr() string { return b.addr }

// Close stops the broker (flushing its data directory, if any).
func (b *Broker) Close() { b.cluster.Close() }
