package main

import (
	"context"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"runtime"
	"runtime/debug"
	"slices"
	"strconv"
	"time"

	"github.com/segmentio/kafka-go"

	"reco/engine"
	"reco/engine/broker"
	"reco/engine/stream"
)

// ingestOptions are loadgen's flags for --mode ingest.
type ingestOptions struct {
	events, rounds int
	serveQPS       int // feed answers a second computed while the engine ingests
	fetchMaxBytes  int // of both the bare reader and the engine's consumer
	// profile and traceFile, when set, receive a CPU profile and an
	// execution trace of the engine's part of the first round.
	profile, traceFile string
}

// ingestBench measures, in one run against one in-process broker, how fast
// a bare kafka-go group reader consumes the topic (FetchMessage and a
// CommitMessages every 512 messages, nothing else: the ceiling) and how fast the engine's
// consumer consumes and applies the same messages, while serving goes on.
// Rounds repeat both on fresh groups (the VM's noise is large).
func ingestBench(ctx context.Context, o ingestOptions) error {
	b, err := broker.Start(broker.Config{Addr: "127.0.0.1:0", Topics: []string{"reco.events", "reco.catalog"}})
	if err != nil {
		return err
	}
	defer b.Close()
	brokers := []string{b.Addr()}
	w := &kafka.Writer{Addr: kafka.TCP(brokers...), Topic: "reco.events", Balancer: &kafka.Hash{},
		BatchSize: 5000, BatchTimeout: 5 * time.Millisecond, RequiredAcks: kafka.RequireOne}
	gen := newShopEvents(1, ingestUsers, 10_000, "e", 1_700_000_000_000)
	start := time.Now()
	batch := make([]kafka.Message, 0, 10000)
	for i := 0; i < o.events; i++ {
		v, at, n := gen.next(nil)
		batch = append(batch, kafka.Message{Key: v[at : at+n], Value: v})
		if len(batch) == cap(batch) || i == o.events-1 {
			if err := w.WriteMessages(ctx, batch...); err != nil {
				return fmt.Errorf("producing: %w", err)
			}
			batch = batch[:0]
		}
	}
	w.Close()
	fmt.Printf("ingest: produced %d events in %v; fetches of at most %d bytes\n", o.events, time.Since(start).Round(time.Millisecond), o.fetchMaxBytes)

	var ratios []float64
	for round := 1; round <= o.rounds; round++ {
		ratio, err := ingestRound(ctx, brokers, round, o)
		if err != nil {
			return err
		}
		o.profile, o.traceFile = "", "" // the first round's profile and trace only
		ratios = append(ratios, ratio)
	}
	slices.Sort(ratios)
	fmt.Printf("ingest: median of %d rounds: engine = %.0f %% of the bare reader\n", o.rounds, 100*ratios[len(ratios)/2])
	return nil
}

// ingestRound consumes the topic once with a bare reader and once with the
// engine's consumer (while o.serveQPS feed answers a second are computed)
// and returns the engine's rate over the reader's.
func ingestRound(ctx context.Context, brokers []string, round int, o ingestOptions) (float64, error) {
	// The ceiling (issue 6's reference): a bare kafka-go group Reader with
	// the fetch settings of the engine's consumer (MaxWait, MaxBytes),
	// committing in batches. The consumer itself reads the broker's
	// batches without the Reader (engine/stream/consumer.go). The previous
	// round's engine is garbage: collect it first, or its collection would
	// run during this measurement.
	runtime.GC()
	debug.FreeOSMemory()
	r := kafka.NewReader(kafka.ReaderConfig{Brokers: brokers, GroupID: fmt.Sprintf("bare-%d", round), GroupTopics: []string{"reco.events"},
		StartOffset: kafka.FirstOffset, MaxWait: 100 * time.Millisecond, CommitInterval: 500 * time.Millisecond, MaxBytes: o.fetchMaxBytes})
	start, use0 := time.Now(), readResourceUse()
	for n := 1; n <= o.events; n++ {
		m, err := r.FetchMessage(ctx)
		if err != nil {
			r.Close()
			return 0, err
		}
		if n%512 == 0 || n == o.events {
			r.CommitMessages(ctx, m)
		}
	}
	bare, bareUse := time.Since(start), readResourceUse().since(use0)
	r.Close()

	runtime.GC()
	debug.FreeOSMemory()
	eng := engine.New(engine.Config{Logger: slog.New(slog.DiscardHandler)})
	c := stream.NewConsumer(eng, stream.ConsumerConfig{Brokers: brokers, Topics: []string{"reco.events"}, GroupID: fmt.Sprintf("engine-%d", round),
		FetchMaxBytes: o.fetchMaxBytes, Logger: slog.New(slog.DiscardHandler)})
	cctx, cancel := context.WithCancel(ctx)
	defer cancel()
	done := make(chan error, 1)
	stopProfile, err := startCPUProfile(o.profile)
	if err != nil {
		return 0, err
	}
	stopTrace, err := startTrace(o.traceFile)
	if err != nil {
		stopProfile()
		return 0, err
	}
	start, use0 = time.Now(), readResourceUse()
	go func() { done <- c.Run(cctx) }()
	go eng.Run(cctx) // background work, as in production
	served := make(chan []time.Duration, 1)
	go func() { served <- serveWhileIngesting(cctx, eng, o.serveQPS) }()
	for eng.Version()+eng.Stats().Duplicates.Load() < uint64(o.events) {
		if ctx.Err() != nil {
			return 0, ctx.Err()
		}
		time.Sleep(time.Millisecond)
	}
	applied, appliedUse := time.Since(start), readResourceUse().since(use0)
	stopTrace()
	stopProfile()
	cancel()
	<-done
	lats := <-served
	br, ar := float64(o.events)/bare.Seconds(), float64(o.events)/applied.Seconds()
	fmt.Printf("ingest round %d: bare kafka-go reader %.0f msg/s; engine consumer (decode + apply + commit) %.0f events/s = %.0f %% of the reader\n", round, br, ar, 100*ar/br)
	if bareUse.process && appliedUse.process {
		fmt.Printf("ingest round %d: CPU per message (process, broker included): reader %.2f µs, engine %.2f µs; cores busy: reader %.2f, engine %.2f\n",
			round, bareUse.cpu.Seconds()*1e6/float64(o.events), appliedUse.cpu.Seconds()*1e6/float64(o.events), bareUse.cpu.Seconds()/bare.Seconds(), appliedUse.cpu.Seconds()/applied.Seconds())
		fmt.Printf("ingest round %d: page faults: reader %d, engine %d; threads gone to sleep: reader %d, engine %d", round, bareUse.faults, appliedUse.faults, bareUse.sleeps, appliedUse.sleeps)
		if bi, ei := bareUse.idlePercent(), appliedUse.idlePercent(); bi >= 0 && ei >= 0 {
			fmt.Printf("; the machine's CPUs idle: reader %.0f %%, engine %.0f %%", bi, ei)
		}
		fmt.Println()
	}
	if len(lats) > 0 {
		slices.Sort(lats)
		fmt.Printf("ingest round %d: served %d feed answers meanwhile (%.0f/s), latency p50 %v p99 %v max %v\n", round, len(lats),
			float64(len(lats))/applied.Seconds(), pct(lats, 50), pct(lats, 99), lats[len(lats)-1])
	}
	return ar / br, nil
}

// serveWhileIngesting asks eng for feeds of random known users at qps
// until ctx ends, as a storefront would while events stream in, and
// returns the latencies. The requests keep to their schedule: one that
// comes late (the goroutine waited for a CPU) is made at once, not
// dropped, as a ticker would drop it.
func serveWhileIngesting(ctx context.Context, eng *engine.Engine, qps int) []time.Duration {
	if qps <= 0 {
		return nil
	}
	rng := rand.New(rand.NewPCG(3, 4))
	interval := time.Second / time.Duration(qps)
	timer := time.NewTimer(0)
	defer timer.Stop()
	<-timer.C
	var lats []time.Duration
	for next := time.Now(); ; {
		next = next.Add(interval)
		if wait := time.Until(next); wait > 0 {
			timer.Reset(wait)
			select {
			case <-ctx.Done():
				return lats
			case <-timer.C:
			}
		} else if ctx.Err() != nil {
			return lats
		}
		t0 := time.Now()
		if _, err := eng.Recommend(&engine.Request{Slot: engine.SlotFeed, User: "u" + strconv.Itoa(1+rng.IntN(ingestUsers))}); err == nil {
			lats = append(lats, time.Since(t0))
		}
	}
}

// ingestUsers is how many users the ingest benchmark's events come from.
const ingestUsers = 100_000
