package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestServeReplayAndBenchRefuseBadFlags: the other commands' numeric
// flags, the engine's among them, are checked as loadgen's are, before
// anything starts.
func TestServeReplayAndBenchRefuseBadFlags(t *testing.T) {
	tests := []struct {
		run  func(args []string) error
		args []string
		want string
	}{
		{func(a []string) error { return runReplay(t.Context(), a) }, []string{"--batch", "0", "events.jsonl"}, "--batch is 0: want more than 0"},
		{func(a []string) error { return runReplay(t.Context(), a) }, []string{"--rate", "-5", "events.jsonl"}, "--rate is -5: want 0 or more"},
		{func(a []string) error { return runReplay(t.Context(), a) }, []string{"--in-flight", "-1", "events.jsonl"}, "--in-flight is -1: want 0 or more"},
		{func(a []string) error { return runReplay(t.Context(), a) }, []string{"--linger", "-1s", "events.jsonl"}, "--linger is -1s: want 0 or more"},
		{func(a []string) error { return runServe(t.Context(), a) }, []string{"--fetch-max-bytes", "0"}, "--fetch-max-bytes is 0: want more than 0"},
		{func(a []string) error { return runServe(t.Context(), a) }, []string{"--cache-mb", "0"}, "--cache-mb is 0: want more than 0"},
		{func(a []string) error { return runServe(t.Context(), a) }, []string{"--cache-ttl", "-1s"}, "--cache-ttl is -1s: want 0 or more"},
		{func(a []string) error { return runServe(t.Context(), a) }, []string{"--snapshot-interval", "-1m"}, "--snapshot-interval is -1m0s: want 0 or more"},
		{func(a []string) error { return runServe(t.Context(), a) }, []string{"--history-len", "-1"}, "--history-len is -1: want more than 0"},
		{func(a []string) error { return runBench(t.Context(), a) }, []string{"--cooccurrence-window", "0"}, "--cooccurrence-window is 0: want more than 0"},
		{func(a []string) error { return runBench(t.Context(), a) }, []string{"--max-discount-pct", "150"}, "--max-discount-pct is 150: want less than 100"},
		{func(a []string) error { return runBench(t.Context(), a) }, []string{"--notify-cap-per-day", "-2"}, "--notify-cap-per-day is -2: want more than 0"},
		{func(a []string) error { return runServe(t.Context(), a) }, []string{"--max-event-future", "-1h"}, "--max-event-future is -1h0m0s: want 0 or more"},
		{func(a []string) error { return runServe(t.Context(), a) }, []string{"--embedded-retention-mb", "-1"}, "--embedded-retention-mb is -1: want 0 or more"},
		{func(a []string) error { return runServe(t.Context(), a) }, []string{"--max-concurrent-answers", "0"}, "--max-concurrent-answers is 0: want more than 0"},
		{func(a []string) error { return runServe(t.Context(), a) }, []string{"--heap-huge-pages-mb", "-2"}, "--heap-huge-pages-mb is -2: want -1 or more"},
		{func(a []string) error { return runBench(t.Context(), a) }, []string{"--heap-huge-pages-mb", "-5"}, "--heap-huge-pages-mb is -5: want -1 or more"},
		{func(a []string) error { return runLoadgen(t.Context(), a) }, []string{"--mode", "ingest", "--heap-huge-pages-mb", "-3"}, "--heap-huge-pages-mb is -3: want -1 or more"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			err := tt.run(tt.args)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("%q = %v, want an error with %q", tt.args, err, tt.want)
			}
		})
	}
}

// TestMaxEventFutureFlag: the flag's 0 means no bound, which the engine
// spells as a negative duration (its 0 is "the default").
func TestMaxEventFutureFlag(t *testing.T) {
	tests := []struct {
		args []string
		want time.Duration
	}{
		{nil, time.Hour},
		{[]string{"--max-event-future", "10m"}, 10 * time.Minute},
		{[]string{"--max-event-future", "0"}, -1},
	}
	for _, tt := range tests {
		fs := flag.NewFlagSet("serve", flag.ContinueOnError)
		o := engineFlags(fs)
		if err := fs.Parse(tt.args); err != nil {
			t.Fatal(err)
		}
		cfg, err := o.engine()
		if err != nil {
			t.Fatal(err)
		}
		if cfg.MaxFuture != tt.want {
			t.Errorf("%q: engine MaxFuture = %v, want %v", tt.args, cfg.MaxFuture, tt.want)
		}
	}
}

// TestBenchSaysHowToReplayAnotherTime: a dataset dated after this
// server's clock is refused by the engine's bound on events from the
// future; bench says which flag lifts it, and with it the run goes
// through.
func TestBenchSaysHowToReplayAnotherTime(t *testing.T) {
	var b strings.Builder
	b.WriteString("user,item,ts\n")
	ts := time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC).UnixMilli()
	for u := range 30 {
		for k := range 6 {
			fmt.Fprintf(&b, "u%d,i%d,%d\n", u, (u+k)%12, ts+int64(u*1000+k*100_000))
		}
	}
	path := filepath.Join(t.TempDir(), "future.csv")
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	err := runBench(t.Context(), []string{"--data", path, "--format", "csv", "--models", "popular"})
	if err == nil || !strings.Contains(err.Error(), "--max-event-future 0") {
		t.Fatalf("bench on a dataset from 2100 = %v, want an error naming --max-event-future 0", err)
	}
	if err := runBench(t.Context(), []string{"--data", path, "--format", "csv", "--models", "popular", "--max-event-future", "0"}); err != nil {
		t.Fatalf("bench with --max-event-future 0: %v", err)
	}
}
