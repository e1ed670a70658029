package main

import (
	"bufio"
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/valyala/fasthttp"

	"reco/engine/stream"
)

// runLoadgen measures a running server over HTTP. Both modes are bounded
// in time and count and stop by themselves.
//
//	--mode freshness: --events probes, one every --probe-every, each
//	  posting a view for a brand-new shopper and asking for that shopper's
//	  feed until it is personalised; reports event-to-visible latency
//	  percentiles (freshness.go).
//	--mode load: --concurrency workers request --path (with {user} replaced
//	  by u1..u--users, Zipf-distributed) for --duration or --requests.
//	--mode ingest: in-process broker; a bare kafka-go reader and the
//	  engine's consumer each consume the same --events messages.
//	--mode memory: fills an engine in-process with --users, --items and
//	  --events and reports resident memory per user, item and event.
//	--mode soak: runs its own reco serve child for --duration under ingest
//	  and serving, restarts it half way, reports RSS and checks the counts.
//	--mode events: writes --events shop events (views, carts, purchases of
//	  u1..u--users on i1..i--items, Zipf items, unique ids) as JSONL to
//	  stdout, for `reco replay`.
func runLoadgen(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("loadgen", flag.ContinueOnError)
	base := fs.String("url", "http://127.0.0.1:8080", "server base URL")
	mode := fs.String("mode", "load", "load, freshness, ingest, memory, soak or events")
	events := fs.Int("events", 1000, "freshness: events to measure; ingest: events to produce and consume")
	item := fs.String("item", "i1", "freshness: item the new shoppers view")
	probeEvery := fs.Duration("probe-every", 20*time.Millisecond, "freshness: time between probes, each started whether or not the earlier ones saw their event")
	probeConns := fs.Int("probe-conns", 16, "freshness: connections at most, shared by the probes waiting")
	apiKey := fs.String("api-key", "", "API key for POST /v1/events")
	path := fs.String("path", "/v1/recommend/feed?user={user}&n=10", "load: request path; {user} is replaced by a user id")
	users := fs.Int("users", 3000, "load: users u1..uN to draw from (Zipf); memory: users to create")
	memItems := fs.Int("items", 100_000, "memory: items in the catalog")
	conc := fs.Int("concurrency", 16, "load: concurrent connections")
	dur := fs.Duration("duration", 10*time.Second, "load: how long to run")
	maxReq := fs.Int("requests", 1_000_000, "load: stop after this many requests")
	rate := fs.Float64("rate", 0, "load: target requests/s in total, spread evenly over the connections (0 = as fast as possible)")
	ingestRate := fs.Int("ingest-rate", 2000, "soak: events/s produced")
	soakQPS := fs.Int("qps", 200, "soak: feed requests/s")
	rounds := fs.Int("rounds", 3, "ingest: rounds of bare reader and engine consumer, each on a fresh consumer group")
	serveQPS := fs.Int("serve-qps", 1000, "ingest: feed answers per second computed while the engine ingests")
	fetchBytes := fs.Int("fetch-max-bytes", stream.DefaultFetchMaxBytes, "ingest: most bytes one fetch of a partition returns, for the bare reader and the engine alike")
	cpuProfile := fs.String("cpuprofile", "", "write a CPU profile of this process to this file (ingest: of the engine's consumption only)")
	memProfile := fs.String("memprofile", "", "memory: write a heap profile of the filled engine to this file (go tool pprof -sample_index=inuse_space)")
	hugeMiB := heapHugePagesFlag(fs)
	traceFile := fs.String("trace", "", "ingest: write an execution trace of the engine's consumption in the first round to this file (go tool trace)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if err := checkMins(fs,
		flagMin{"events", float64(*events), 1}, flagMin{"users", float64(*users), 1}, flagMin{"probe-every", probeEvery.Seconds(), 1e-9}, flagMin{"probe-conns", float64(*probeConns), 1}, flagMin{"items", float64(*memItems), 1},
		flagMin{"concurrency", float64(*conc), 1}, flagMin{"duration", dur.Seconds(), 1e-9}, flagMin{"requests", float64(*maxReq), 1},
		flagMin{"rate", *rate, 0}, flagMin{"ingest-rate", float64(*ingestRate), 1}, flagMin{"qps", float64(*soakQPS), 1},
		flagMin{"rounds", float64(*rounds), 1}, flagMin{"serve-qps", float64(*serveQPS), 0}, flagMin{"fetch-max-bytes", float64(*fetchBytes), 1},
		flagMin{"heap-huge-pages-mb", float64(*hugeMiB), -1},
	); err != nil {
		return err
	}
	switch *mode {
	case "ingest", "memory": // the modes that hold an engine in this process (soak's server is a child, which advises its own)
		adviseHeapHugePages(slog.Default(), thisHost(), *hugeMiB)
	}
	if *mode != "ingest" {
		stopProfile, err := startCPUProfile(*cpuProfile)
		if err != nil {
			return err
		}
		defer stopProfile()
	}
	switch *mode {
	case "freshness":
		cfg := freshnessConfig{base: strings.TrimRight(*base, "/"), item: *item, apiKey: *apiKey, events: *events,
			every: *probeEvery, conns: *probeConns, deadline: 10 * time.Second}
		rs, mostWaiting, err := freshness(ctx, cfg)
		if err != nil {
			return err
		}
		line, err := freshnessReport(rs, mostWaiting, cfg)
		if err != nil {
			return err
		}
		fmt.Println(line)
		return nil
	case "memory":
		return memoryBench(ctx, *users, *memItems, *events, *memProfile)
	case "ingest":
		return ingestBench(ctx, ingestOptions{events: *events, rounds: *rounds, serveQPS: *serveQPS,
			fetchMaxBytes: *fetchBytes, profile: *cpuProfile, traceFile: *traceFile})
	case "events":
		return writeEvents(os.Stdout, *events, *users, *memItems)
	case "soak":
		return soak(ctx, *dur, *ingestRate, *soakQPS)
	case "load":
		res, err := load(ctx, loadConfig{base: strings.TrimRight(*base, "/"), path: *path, users: *users,
			concurrency: *conc, duration: *dur, maxRequests: *maxReq, rate: *rate})
		if err != nil {
			return err
		}
		fmt.Println(res)
		if res.errors > 0 {
			// A run that only measured refusals or error pages must not pass
			// for a measurement: say why, and fail if nothing succeeded.
			if res.errors == res.requests {
				return fmt.Errorf("every request failed; the first: %w", res.firstErr)
			}
			fmt.Fprintf(os.Stderr, "load: %d of %d requests failed; the first: %v\n", res.errors, res.requests, res.firstErr)
		}
		return nil
	}
	return fmt.Errorf("unknown --mode %q (want freshness, load, ingest, memory, soak or events)", *mode)
}

// writeEvents writes n shop events as JSONL (shopEvents, no timestamps:
// the engine's clock stamps them).
func writeEvents(w io.Writer, n, users, items int) error {
	bw := bufio.NewWriterSize(w, 1<<16)
	gen := newShopEvents(5, users, items, "g-"+strconv.FormatInt(time.Now().UnixNano(), 36), 0)
	var b []byte
	for i := 0; i < n; i++ {
		b, _, _ = gen.next(b[:0])
		b = append(b, '\n')
		if _, err := bw.Write(b); err != nil {
			return err
		}
	}
	return bw.Flush()
}

func pct(s []time.Duration, p int) time.Duration {
	if len(s) == 0 {
		return 0
	}
	return s[min(len(s)-1, len(s)*p/100)].Round(time.Microsecond)
}

type loadConfig struct {
	base, path  string
	users       int
	concurrency int
	duration    time.Duration
	maxRequests int
	rate        float64
}

type loadResult struct {
	requests, errors int64
	firstErr         error // the first failure, when errors > 0
	elapsed          time.Duration
	lat              []time.Duration
}

func (r loadResult) String() string {
	return fmt.Sprintf("load: %d requests in %v = %.0f req/s, %d errors, latency p50 %v p90 %v p99 %v p99.9 %v",
		r.requests, r.elapsed.Round(time.Millisecond), float64(r.requests)/r.elapsed.Seconds(), r.errors,
		pct(r.lat, 50), pct(r.lat, 90), pct(r.lat, 99), r.lat[min(len(r.lat)-1, len(r.lat)*999/1000)].Round(time.Microsecond))
}

func load(ctx context.Context, cfg loadConfig) (loadResult, error) {
	hc := &fasthttp.HostClient{Addr: strings.TrimPrefix(cfg.base, "http://"), MaxConns: cfg.concurrency,
		ReadTimeout: 5 * time.Second, WriteTimeout: 5 * time.Second}
	ctx, cancel := context.WithTimeout(ctx, cfg.duration)
	defer cancel()
	var sent, errs atomic.Int64
	var firstErr atomic.Pointer[error]
	lats := make([][]time.Duration, cfg.concurrency)
	var interval time.Duration
	if cfg.rate > 0 {
		interval = time.Duration(float64(time.Second) * float64(cfg.concurrency) / cfg.rate)
	}
	start := time.Now()
	var wg sync.WaitGroup
	for w := 0; w < cfg.concurrency; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(w), 42))
			zipf := rand.NewZipf(rng, 1.1, 1, uint64(max(cfg.users-1, 1)))
			req, resp := fasthttp.AcquireRequest(), fasthttp.AcquireResponse()
			defer fasthttp.ReleaseRequest(req)
			defer fasthttp.ReleaseResponse(resp)
			var uri bytes.Buffer
			// At a fixed rate the workers are staggered over one interval:
			// started together they would send in bursts of concurrency
			// requests, and the answers queued behind each other would be
			// measured, not the server's latency at that rate.
			next := start.Add(interval * time.Duration(w) / time.Duration(cfg.concurrency))
			for ctx.Err() == nil && sent.Add(1) <= int64(cfg.maxRequests) {
				if interval > 0 {
					next = next.Add(interval)
					if d := time.Until(next); d > 0 {
						time.Sleep(d)
					}
				}
				uri.Reset()
				uri.WriteString(cfg.base)
				uri.WriteString(strings.Replace(cfg.path, "{user}", "u"+strconv.FormatUint(zipf.Uint64()+1, 10), 1))
				req.SetRequestURIBytes(uri.Bytes())
				t0 := time.Now()
				err := hc.Do(req, resp)
				lats[w] = append(lats[w], time.Since(t0))
				if err == nil && resp.StatusCode() != 200 {
					err = fmt.Errorf("GET %s: status %d: %.200s", uri.Bytes(), resp.StatusCode(), resp.Body())
				}
				if err != nil {
					errs.Add(1)
					first := err // a copy of its own: &err would move every request's err to the heap
					firstErr.CompareAndSwap(nil, &first)
				}
			}
		}(w)
	}
	wg.Wait()
	res := loadResult{errors: errs.Load(), elapsed: time.Since(start)}
	if p := firstErr.Load(); p != nil {
		res.firstErr = *p
	}
	for _, l := range lats {
		res.lat = append(res.lat, l...)
	}
	res.requests = int64(len(res.lat))
	if res.requests == 0 {
		return res, fmt.Errorf("no request completed")
	}
	slices.Sort(res.lat)
	return res, nil
}
