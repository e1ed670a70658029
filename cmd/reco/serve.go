package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"reco/engine/node"
	"reco/engine/stream"
)

func runServe(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	httpAddr := fs.String("http", "127.0.0.1:8080", "HTTP API listen address (loopback by default: put a reverse proxy in front for the internet)")
	brokers := fs.String("brokers", "", "comma-separated Kafka bootstrap brokers; empty starts an embedded broker")
	embedded := fs.String("embedded-broker", "127.0.0.1:9092", "listen address of the embedded broker (when --brokers is empty)")
	retentionMB := fs.Int("embedded-retention-mb", 256, "the embedded broker keeps at most this many MiB per partition, deleting the oldest records (0 = keep everything; memory without --data-dir)")
	topics := fs.String("topics", "reco.events,reco.catalog", "events topic and catalog topic, comma-separated")
	group := fs.String("group", "reco", "Kafka consumer group id")
	fetchBytes := fs.Int("fetch-max-bytes", stream.DefaultFetchMaxBytes, "most bytes one fetch of a partition returns")
	dataDir := fs.String("data-dir", "", "directory for durable data: state snapshots and the embedded broker's log; empty keeps nothing on disk")
	snapEvery := fs.Duration("snapshot-interval", time.Minute, "how often to snapshot the state when --data-dir is set (and always on shutdown)")
	deadLetter := fs.String("dead-letter-topic", "reco.dead-letter", "topic receiving messages the engine rejects, with the reason in headers")
	demoShop := fs.Bool("demo", false, "load the deterministic demo shop into an empty log at start")
	apiKey := fs.String("api-key", "", "API key required on write endpoints (empty = open); never logged")
	readKey := fs.String("read-api-key", "", "API key required on read endpoints (empty = open); the --api-key opens them too")
	cacheTTL := fs.Duration("cache-ttl", time.Second, "cache rendered answers this long (0 = off); a user's own events invalidate theirs at once")
	cacheMB := fs.Int("cache-mb", 64, "answer cache size in MiB")
	cpuProfile := fs.String("cpuprofile", "", "write a CPU profile of the whole run to this file (written at shutdown)")
	traceFile := fs.String("trace", "", "write an execution trace of the whole run to this file (go tool trace; large: ~10 MB/s under load)")
	eng := engineFlags(fs)
	hugeMiB := heapHugePagesFlag(fs)
	if err := fs.Parse(args); err != nil {
		return err
	}
	if err := applyEnv(fs); err != nil {
		return err
	}
	engCfg, err := eng.engine()
	if err != nil {
		return err
	}
	if err := checkMins(fs, flagMin{"fetch-max-bytes", float64(*fetchBytes), 1}, flagMin{"cache-mb", float64(*cacheMB), 1},
		flagMin{"cache-ttl", cacheTTL.Seconds(), 0}, flagMin{"snapshot-interval", snapEvery.Seconds(), 0},
		flagMin{"embedded-retention-mb", float64(*retentionMB), 0}, flagMin{"heap-huge-pages-mb", float64(*hugeMiB), -1}); err != nil {
		return err
	}
	ts := strings.Split(*topics, ",")
	if len(ts) != 2 || ts[0] == "" || ts[1] == "" {
		return fmt.Errorf("--topics: want two comma-separated topics (events,catalog), got %q", *topics)
	}
	cfg := node.Config{
		HTTPAddr: *httpAddr, EmbeddedBroker: *embedded, EmbeddedRetentionBytes: int64(*retentionMB) << 20, EventsTopic: ts[0], CatalogTopic: ts[1],
		Group: *group, FetchMaxBytes: *fetchBytes, DataDir: *dataDir, SnapshotInterval: *snapEvery, DeadLetterTopic: *deadLetter,
		Demo: *demoShop, APIKey: *apiKey, ReadAPIKey: *readKey, Engine: engCfg,
		CacheTTL: *cacheTTL, CacheBytes: int64(*cacheMB) << 20,
	}
	if *brokers != "" {
		cfg.Brokers = strings.Split(*brokers, ",")
	}
	adviseHeapHugePages(slog.Default(), thisHost(), *hugeMiB)
	stopProfile, err := startCPUProfile(*cpuProfile)
	if err != nil {
		return err
	}
	defer stopProfile()
	stopTrace, err := startTrace(*traceFile)
	if err != nil {
		return err
	}
	defer stopTrace()
	n, err := node.Start(ctx, cfg)
	if err != nil {
		return err
	}
	<-ctx.Done()
	runErr := n.Err()
	if err := n.Close(); err != nil && runErr == nil {
		runErr = err
	}
	return runErr
}
