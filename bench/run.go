package bench

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strconv"
	"time"

	"reco/engine"
	"reco/models"
)

// Options configure a benchmark run.
type Options struct {
	// Protocol is "temporal" or "loo".
	Protocol string
	// Ks are the cutoffs to report. Default [10, 20].
	Ks []int
	// Models to evaluate: "blend" (what production serves) and any of
	// models.ModelNames(). Default: just "blend".
	Models []string
	// Engine configures the engine under test, exactly as reco serve does.
	Engine engine.Config
	// Progress, when set, receives a progress line about once a second.
	Progress io.Writer
}

// Result is the evaluation of one model.
type Result struct {
	Model            string             `json:"model"`
	Metrics          map[string]float64 `json:"metrics"`
	ReplayEventsPerS float64            `json:"replay_events_per_s"`
	QueryP50us       float64            `json:"query_p50_us"`
	QueryP99us       float64            `json:"query_p99_us"`
}

// Report is the outcome of a benchmark run (CONTRACT.md JSON shape).
type Report struct {
	Dataset  string   `json:"dataset"`
	Protocol string   `json:"protocol"`
	Users    int      `json:"users"`
	Events   int      `json:"events"`
	Ks       []int    `json:"ks"`
	Results  []Result `json:"results"`
}

// Run evaluates ds under opts: it replays the training split through a
// fresh engine's Apply, runs the background work once (neighbour refresh
// and training, as a running engine would after the replay), then queries
// every test user through Recommend.
func Run(ctx context.Context, ds *Dataset, opts Options) (*Report, error) {
	if len(opts.Ks) == 0 {
		opts.Ks = []int{10, 20}
	}
	if len(opts.Models) == 0 {
		opts.Models = []string{"blend"}
	}
	maxK := slices.Max(opts.Ks)
	if maxK > engine.MaxN {
		return nil, fmt.Errorf("bench: K %d exceeds the engine's maximum answer size %d", maxK, engine.MaxN)
	}
	var sp *Split
	var err error
	slot := engine.SlotFeed
	switch opts.Protocol {
	case "", "temporal":
		opts.Protocol = "temporal"
		sp, err = SplitTemporal(ds)
	case "loo":
		slot = engine.SlotCrossSell
		sp, err = SplitLOO(ds)
	default:
		return nil, fmt.Errorf("bench: unknown protocol %q (want temporal or loo)", opts.Protocol)
	}
	if err != nil {
		return nil, err
	}
	for _, m := range opts.Models {
		if _, ok := (models.BlendWeights{}).Only(m); !ok {
			return nil, fmt.Errorf("bench: unknown model %q (want blend or one of %v)", m, models.ModelNames())
		}
	}

	eng := engine.New(opts.Engine)
	eventsPerS, err := replay(ctx, eng, ds, sp, opts.Progress)
	if err != nil {
		return nil, err
	}
	// What the background loops of a running engine do after a bulk load.
	eng.RefreshNeighbors()
	if err := eng.Train(ctx); err != nil {
		return nil, fmt.Errorf("bench: training: %w", err)
	}
	rep := &Report{Dataset: ds.Name, Protocol: opts.Protocol, Users: len(sp.TestOrder), Events: len(sp.Train), Ks: opts.Ks}
	// Items each test user touched in training, excluded from their ranking.
	trainItems := map[string][]string{}
	for _, r := range sp.Train {
		if _, ok := sp.Test[r.User]; ok {
			trainItems[r.User] = append(trainItems[r.User], r.Item)
		}
	}
	for _, model := range opts.Models {
		res, err := evaluate(ctx, eng, sp, slot, model, maxK, opts, trainItems)
		if err != nil {
			return nil, err
		}
		res.ReplayEventsPerS = eventsPerS
		rep.Results = append(rep.Results, *res)
	}
	return rep, nil
}

// replay applies the catalog and the training rows, returning events/s.
func replay(ctx context.Context, eng *engine.Engine, ds *Dataset, sp *Split, progress io.Writer) (float64, error) {
	var first int64
	if len(sp.Train) > 0 {
		first = sp.Train[0].TS
	}
	for _, m := range ds.Items {
		ev := engine.Event{Type: engine.TypeItem, Item: m.Item, Title: m.Title, Categories: m.Categories, TS: first}
		if err := eng.Apply(&ev); err != nil {
			return 0, fmt.Errorf("bench: catalog item %q: %w", m.Item, err)
		}
	}
	start := time.Now()
	lastReport := start
	ev := engine.Event{}
	for i := range sp.Train {
		r := &sp.Train[i]
		ev = engine.Event{Type: r.Type, User: r.User, Item: r.Item, TS: r.TS, Value: r.Rating, Price: r.Price}
		if err := eng.Apply(&ev); err != nil {
			return 0, fmt.Errorf("bench: training row %d (user %q item %q): %w", i, r.User, r.Item, err)
		}
		if i%4096 == 0 {
			if err := ctx.Err(); err != nil {
				return 0, err
			}
			if progress != nil && time.Since(lastReport) > time.Second {
				lastReport = time.Now()
				fmt.Fprintf(progress, "replay %d/%d events (%.0f%%)\n", i, len(sp.Train), 100*float64(i)/float64(len(sp.Train)))
			}
		}
	}
	el := time.Since(start).Seconds()
	if el == 0 {
		return 0, nil
	}
	return float64(len(sp.Train)) / el, nil
}

func evaluate(ctx context.Context, eng *engine.Engine, sp *Split, slot, model string, maxK int, opts Options, trainItems map[string][]string) (*Result, error) {
	blend := eng.Config().Feed
	if slot == engine.SlotCrossSell {
		blend = eng.Config().CrossSell
	}
	weights, _ := blend.Only(model)
	metrics := make([]*rankMetrics, len(opts.Ks))
	for i, k := range opts.Ks {
		metrics[i] = newRankMetrics(k)
	}
	lat := make([]time.Duration, 0, len(sp.TestOrder))
	ranked := make([]string, 0, maxK)
	lastReport := time.Now()
	for qi, key := range sp.TestOrder {
		req := engine.Request{Slot: slot, N: maxK, Blend: &weights}
		if slot == engine.SlotFeed {
			req.User, req.Exclude = key, trainItems[key]
		} else {
			req.Cart = sp.Cart[key]
		}
		t0 := time.Now()
		resp, err := eng.Recommend(&req)
		lat = append(lat, time.Since(t0))
		if err != nil {
			return nil, fmt.Errorf("bench: %s for %q: %w", slot, key, err)
		}
		ranked = ranked[:0]
		for _, it := range resp.Items {
			ranked = append(ranked, it.Item)
		}
		for _, m := range metrics {
			m.add(ranked, sp.Test[key])
		}
		if qi%256 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
			if opts.Progress != nil && time.Since(lastReport) > time.Second {
				lastReport = time.Now()
				fmt.Fprintf(opts.Progress, "%s: query %d/%d\n", model, qi, len(sp.TestOrder))
			}
		}
	}
	res := &Result{Model: model, Metrics: map[string]float64{}}
	for _, m := range metrics {
		recall, ndcg, hit, mrr, cov := m.means(sp.Positives)
		k := strconv.Itoa(m.K)
		res.Metrics["recall@"+k] = round4(recall)
		res.Metrics["ndcg@"+k] = round4(ndcg)
		res.Metrics["hr@"+k] = round4(hit)
		res.Metrics["mrr@"+k] = round4(mrr)
		res.Metrics["coverage@"+k] = round4(cov)
	}
	slices.Sort(lat)
	if len(lat) > 0 {
		res.QueryP50us = float64(lat[len(lat)/2].Nanoseconds()) / 1e3
		res.QueryP99us = float64(lat[len(lat)*99/100].Nanoseconds()) / 1e3
	}
	return res, nil
}

func round4(x float64) float64 { return float64(int64(x*1e4+0.5)) / 1e4 }
