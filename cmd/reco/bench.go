package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"strconv"
	"strings"

	"reco/bench"
	"reco/engine"
)

func runBench(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	data := fs.String("data", "", "dataset path: a MovieLens directory or file, a CSV file, or a baskets file")
	format := fs.String("format", "movielens", "dataset format: movielens, csv or baskets")
	protocol := fs.String("protocol", "", "evaluation protocol: temporal (ratings/events) or loo (baskets); default by format")
	ks := fs.String("k", "10,20", "comma-separated cutoffs K")
	modelList := fs.String("models", "blend", "comma-separated models to evaluate: blend, popular, content, itemknn, ease, baskets, or all")
	jsonOut := fs.String("json", "", "write the report as JSON to this file")
	plot := fs.String("plot", "", "write an SVG plot of NDCG@K and Recall@K against K to this file")
	cpuProfile := fs.String("cpuprofile", "", "write a CPU profile of the run to this file")
	generate := fs.Int("generate", 0, "baskets format: first write this many synthetic baskets with planted complements to --data (see bench/generate.go)")
	cfg := engineFlags(fs)
	hugeMiB := heapHugePagesFlag(fs)
	if err := fs.Parse(args); err != nil {
		return err
	}
	if err := checkMins(fs, flagMin{"heap-huge-pages-mb", float64(*hugeMiB), -1}); err != nil {
		return err
	}
	stopProfile, err := startCPUProfile(*cpuProfile)
	if err != nil {
		return err
	}
	defer stopProfile()
	// The engine's flags first: a bad one should not wait for a dataset to load.
	engCfg, err := cfg.engine()
	if err != nil {
		return err
	}
	if *data == "" {
		return fmt.Errorf("--data is required")
	}
	adviseHeapHugePages(slog.Default(), thisHost(), *hugeMiB)
	if *generate > 0 {
		if *format != "baskets" {
			return fmt.Errorf("--generate writes baskets: use it with --format baskets")
		}
		f, err := os.Create(*data)
		if err != nil {
			return fmt.Errorf("--generate: %w", err)
		}
		err = bench.GenerateBaskets(f, *generate, 42)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return fmt.Errorf("--generate: %w", err)
		}
	}
	var ds *bench.Dataset
	switch *format {
	case "movielens":
		ds, err = bench.LoadMovieLens(*data)
	case "csv":
		ds, err = bench.LoadCSV(*data)
	case "baskets":
		ds, err = bench.LoadBaskets(*data)
		if *protocol == "" {
			*protocol = "loo"
		}
	default:
		return fmt.Errorf("unknown --format %q (want movielens, csv or baskets)", *format)
	}
	if err != nil {
		return err
	}
	opts := bench.Options{Protocol: *protocol, Engine: engCfg, Progress: os.Stderr}
	for _, k := range strings.Split(*ks, ",") {
		v, err := strconv.Atoi(strings.TrimSpace(k))
		if err != nil || v < 1 {
			return fmt.Errorf("--k: %q is not a positive integer", k)
		}
		opts.Ks = append(opts.Ks, v)
	}
	if *modelList == "all" {
		*modelList = "blend,popular,content,itemknn,ease"
		if *format == "baskets" {
			*modelList = "blend,popular,itemknn,baskets"
		}
	}
	for _, m := range strings.Split(*modelList, ",") {
		opts.Models = append(opts.Models, strings.TrimSpace(m))
	}
	rep, err := bench.Run(ctx, ds, opts)
	if errors.Is(err, engine.ErrFromTheFuture) {
		// A dataset's time need not be today's: say how to replay it.
		return fmt.Errorf("%w (a dataset recorded at another time: --max-event-future 0 lifts the bound)", err)
	}
	if err != nil {
		return err
	}
	bench.WriteTable(os.Stdout, rep)
	if *jsonOut != "" {
		b, err := json.MarshalIndent(rep, "", "  ")
		if err != nil {
			return err
		}
		if err := os.WriteFile(*jsonOut, append(b, '\n'), 0o644); err != nil {
			return fmt.Errorf("--json: %w", err)
		}
	}
	if *plot != "" {
		f, err := os.Create(*plot)
		if err != nil {
			return fmt.Errorf("--plot: %w", err)
		}
		bench.WritePlotSVG(f, rep)
		if err := f.Close(); err != nil {
			return fmt.Errorf("--plot: %w", err)
		}
	}
	return nil
}
