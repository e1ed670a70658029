package main

import (
	"flag"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"reco/engine"
	"reco/models"
)

// engineOptions are the engine flags shared by serve and bench, so that a
// benchmark runs with exactly the configuration production would.
type engineOptions struct {
	fs             *flag.FlagSet // for the values' own spelling in errors
	historyLen     int
	coWindow       int
	seedHalfLife   time.Duration
	easeMaxItems   int
	easeLambda     float64
	trainInterval  time.Duration
	maxDiscountPct float64
	minMarginPct   float64
	feed, similar  blendFlag
	crossSell      blendFlag
	experiments    string
	notifyWindow   time.Duration
	notifyPerDay   int
	abandonAfter   time.Duration
	maxFuture      time.Duration
	maxAnswers     int
}

func engineFlags(fs *flag.FlagSet) *engineOptions {
	o := &engineOptions{fs: fs}
	fs.IntVar(&o.historyLen, "history-len", 200, "interactions remembered per user")
	fs.IntVar(&o.coWindow, "cooccurrence-window", 20, "previous interactions of the same user a new one is paired with")
	fs.DurationVar(&o.seedHalfLife, "seed-half-life", 90*24*time.Hour, "age at which a user's interaction counts half in their answers")
	fs.IntVar(&o.easeMaxItems, "ease-max-items", 4000, "most interacted-with items the EASE model covers (training is O(n³))")
	fs.Float64Var(&o.easeLambda, "ease-lambda", 0, "EASE L2 regularisation (0 = 5 × mean item weight, adapts to the data)")
	fs.DurationVar(&o.trainInterval, "train-interval", time.Minute, "how often the background trainer looks for new events")
	fs.Float64Var(&o.maxDiscountPct, "max-discount-pct", 30, "largest discount a pricing hint may suggest, percent")
	fs.Float64Var(&o.minMarginPct, "min-margin-pct", 10, "smallest margin a pricing hint may leave when cost is known, percent")
	o.feed.w = engine.DefaultFeedBlend()
	o.similar.w = engine.DefaultSimilarBlend()
	fs.Var(&o.feed, "feed-blend", "feed blend weights as model=weight pairs (models: ease, itemknn, content, popular)")
	fs.Var(&o.similar, "similar-blend", "similar blend weights as model=weight pairs")
	fs.StringVar(&o.experiments, "experiments", "", "JSON file of A/B experiments (variants with blend weights per slot)")
	fs.DurationVar(&o.notifyWindow, "notify-cap-window", 7*24*time.Hour, "an item sent to a user on a channel is not sent there again within this window")
	fs.IntVar(&o.notifyPerDay, "notify-cap-per-day", 3, "notification answers a user gets per 24 hours, over all channels")
	fs.DurationVar(&o.abandonAfter, "abandon-after", 2*time.Hour, "a carted item not bought within this is an abandoned cart (reminders slot)")
	fs.DurationVar(&o.maxFuture, "max-event-future", time.Hour, "events whose ts is further ahead of this server's clock are rejected (0 = no bound: replaying data recorded at another time)")
	fs.IntVar(&o.maxAnswers, "max-concurrent-answers", engine.DefaultMaxConcurrentAnswers(), "answers computed at once while events are being applied; the others wait for a turn (default: the CPUs less one, so that ingest keeps one)")
	o.crossSell.w = engine.DefaultCrossSellBlend()
	fs.Var(&o.crossSell, "cross-sell-blend", "cross-sell blend weights as model=weight pairs (models: baskets, itemknn, popular)")
	return o
}

func (o *engineOptions) engine() (engine.Config, error) {
	// The engine reads zero as "the default"; a negative value or a zero
	// the user typed would silently become the default too, so they are
	// refused here. Percentages above 100 mean nothing for a price.
	if err := checkMins(o.fs,
		flagMin{"history-len", float64(o.historyLen), 1}, flagMin{"cooccurrence-window", float64(o.coWindow), 1},
		flagMin{"seed-half-life", o.seedHalfLife.Seconds(), 1e-9}, flagMin{"ease-max-items", float64(o.easeMaxItems), 1},
		flagMin{"ease-lambda", o.easeLambda, 0}, flagMin{"train-interval", o.trainInterval.Seconds(), 1e-9},
		flagMin{"max-discount-pct", o.maxDiscountPct, 1e-9}, flagMin{"min-margin-pct", o.minMarginPct, 1e-9},
		flagMin{"notify-cap-window", o.notifyWindow.Seconds(), 1e-9}, flagMin{"notify-cap-per-day", float64(o.notifyPerDay), 1},
		flagMin{"abandon-after", o.abandonAfter.Seconds(), 1e-9}, flagMin{"max-event-future", o.maxFuture.Seconds(), 0},
		flagMin{"max-concurrent-answers", float64(o.maxAnswers), 1},
	); err != nil {
		return engine.Config{}, err
	}
	for _, f := range []struct {
		name string
		pct  float64
	}{{"max-discount-pct", o.maxDiscountPct}, {"min-margin-pct", o.minMarginPct}} {
		if f.pct >= 100 {
			return engine.Config{}, fmt.Errorf("--%s is %g: want less than 100", f.name, f.pct)
		}
	}
	var exps []engine.Experiment
	if o.experiments != "" {
		var err error
		if exps, err = engine.LoadExperiments(o.experiments); err != nil {
			return engine.Config{}, err
		}
	}
	maxFuture := o.maxFuture
	if maxFuture == 0 {
		maxFuture = -1 // the engine reads 0 as its default
	}
	return engine.Config{
		MaxFuture:            maxFuture,
		MaxConcurrentAnswers: o.maxAnswers,
		Experiments:          exps,
		NotifyCapWindow:      o.notifyWindow,
		NotifyCapPerDay:      o.notifyPerDay,
		AbandonAfter:         o.abandonAfter,
		HistoryLen:           o.historyLen,
		CoOccurrenceWindow:   o.coWindow,
		SeedHalfLife:         o.seedHalfLife,
		EASE:                 models.EASEConfig{MaxItems: o.easeMaxItems, Lambda: o.easeLambda},
		TrainInterval:        o.trainInterval,
		Pricing:              models.PricingConfig{MaxDiscountPct: o.maxDiscountPct, MinMarginPct: o.minMarginPct},
		Feed:                 o.feed.w,
		Similar:              o.similar.w,
		CrossSell:            o.crossSell.w,
	}, nil
}

// blendFlag parses "model=weight,..." into blend weights.
type blendFlag struct{ w models.BlendWeights }

func (b *blendFlag) String() string {
	return fmt.Sprintf("itemknn=%g,content=%g,ease=%g,popular=%g,baskets=%g", b.w.ItemKNN, b.w.Content, b.w.EASE, b.w.Popular, b.w.Baskets)
}

func (b *blendFlag) Set(s string) error {
	var w models.BlendWeights
	for _, part := range strings.Split(s, ",") {
		name, val, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok {
			return fmt.Errorf("%q is not model=weight", part)
		}
		v, err := strconv.ParseFloat(val, 64)
		if err != nil || v < 0 {
			return fmt.Errorf("weight of %s: %q is not a non-negative number", name, val)
		}
		switch name {
		case "itemknn":
			w.ItemKNN = v
		case "content":
			w.Content = v
		case "ease":
			w.EASE = v
		case "popular":
			w.Popular = v
		case "baskets":
			w.Baskets = v
		default:
			return fmt.Errorf("unknown model %q (want itemknn, content, ease, popular, baskets)", name)
		}
	}
	b.w = w
	return nil
}

// applyEnv sets every flag not given on the command line from
// RECO_<NAME> (dashes become underscores), so that containers can be
// configured without a wrapper script.
func applyEnv(fs *flag.FlagSet) error {
	given := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
	var err error
	fs.VisitAll(func(f *flag.Flag) {
		if given[f.Name] || err != nil {
			return
		}
		env := "RECO_" + strings.ToUpper(strings.ReplaceAll(f.Name, "-", "_"))
		if v, ok := os.LookupEnv(env); ok {
			if e := fs.Set(f.Name, v); e != nil {
				err = fmt.Errorf("%s: %w", env, e)
			}
		}
	})
	return err
}

// flagMin is a numeric flag's value and the least it may be: 0 (none
// below zero) or anything above (none at or below zero).
type flagMin struct {
	name     string
	val, min float64
}

// checkMins returns an error naming the first flag below its minimum, so
// that a negative rate or a zero count is refused instead of meaning
// something nobody asked for.
func checkMins(fs *flag.FlagSet, mins ...flagMin) error {
	for _, f := range mins {
		if f.val < f.min {
			want := "more than 0"
			if f.min <= 0 {
				want = fmt.Sprintf("%g or more", f.min)
			}
			return fmt.Errorf("--%s is %s: want %s", f.name, fs.Lookup(f.name).Value, want)
		}
	}
	return nil
}
