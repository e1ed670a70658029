// Command reco is the single binary of the reco recommendation engine.
//
//	reco serve    run the engine: Kafka consumer + HTTP API
//	reco bench    offline evaluation on a dataset
//	reco replay   produce a file of events to Kafka
//	reco loadgen  HTTP load and freshness measurements against a server
//
// Run "reco <command> -h" for the flags of each command. This package only
// parses flags and wires packages together.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	if len(os.Args) < 2 {
		usage()
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	slog.SetDefault(slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelInfo})))
	var err error
	args := os.Args[2:]
	switch os.Args[1] {
	case "serve":
		err = runServe(ctx, args)
	case "bench":
		err = runBench(ctx, args)
	case "replay":
		replayOnOneProc()
		err = runReplay(ctx, args)
	case "loadgen":
		err = runLoadgen(ctx, args)
	case "-h", "-help", "--help", "help":
		usage()
		return
	default:
		fmt.Fprintf(os.Stderr, "reco: unknown command %q\n", os.Args[1])
		usage()
		os.Exit(2)
	}
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			os.Exit(2)
		}
		fmt.Fprintf(os.Stderr, "reco %s: %v\n", os.Args[1], err)
		os.Exit(1)
	}
}

func usage() {
	fmt.Fprint(os.Stderr, `usage: reco <command> [flags]

commands:
  serve     run the engine: Kafka consumer + HTTP API (embedded broker when --brokers is empty)
  bench     offline evaluation on a dataset (movielens, csv, baskets)
  replay    produce a JSONL file of events to Kafka
  loadgen   HTTP load and freshness measurements against a running server

Every flag of serve can also be set as RECO_<NAME> (e.g. RECO_HTTP, RECO_API_KEY).
`)
}
