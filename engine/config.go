package engine

import (
	"log/slog"
	"runtime"
	"time"

	"reco/models"
)

// Config holds every knob of the Engine. The zero value is usable: each
// field documents its default, which New fills in.
type Config struct {
	// HistoryLen is how many interactions are remembered per user (older
	// ones are forgotten first). It bounds memory per user. Default 200.
	HistoryLen int
	// CoOccurrenceWindow is how many of a user's previous interactions a
	// new interaction is paired with. Default 20: on ml-100k the blend's
	// NDCG@10 is the same as at 30 (0.2379 vs 0.2380; item-kNN alone loses
	// 2 %) and replay is 1.7× as fast; 50 was no better than 30 and half as
	// fast again (docs/performance.md).
	CoOccurrenceWindow int
	// CoOccurrenceMaxRow bounds the partners remembered per item; a full
	// row keeps its strongest half. Default 767: a row is a hash table of
	// a power-of-two size kept at most three quarters full, and 767
	// partners with the one being added fill 1,024 slots (8 KiB), where
	// the earlier 1,000 needed 2,048. With 1 M users, 100 k items and 20 M
	// events that is a fifth less live heap (2,242 → 1,754 MiB), filled
	// 7 % faster; ml-100k and the baskets benchmark score the same
	// (docs/performance.md, Memory at scale). A catalog of at most this
	// many items keeps its co-occurrences in one dense matrix instead
	// (features/dense.go): no row can reach the bound there.
	CoOccurrenceMaxRow int
	// CoOccurrenceHalfLife is the age at which a co-occurrence counts half.
	// Default 90 days.
	CoOccurrenceHalfLife time.Duration
	// PopularityHalfLife is the age at which an event counts half towards
	// popularity and demand. Default 7 days.
	PopularityHalfLife time.Duration
	// SeedHalfLife is the age at which a user's interaction counts half in
	// their personalised answers (relative to their newest interaction when
	// training). Default 90 days.
	SeedHalfLife time.Duration
	// AbandonAfter is how long a carted item must stay unbought to be an
	// abandoned cart in the reminders slot. Default 2 hours.
	AbandonAfter time.Duration
	// BasketWindow is the longest gap between two cart or purchase events
	// of one user within one basket. Default 24 hours.
	BasketWindow time.Duration
	// Weights says how much each event type says about a user's interest.
	Weights EventWeights

	ItemKNN models.ItemKNNConfig
	Content models.ContentSimilarityConfig
	EASE    models.EASEConfig
	Pricing models.PricingConfig
	// PopularTopN is how many popular items the fallback considers. Default 500.
	PopularTopN int

	// FeedCategoryCapPct caps the share of feed items from one leaf
	// category, in percent of n (at least 2 items). Default 40.
	FeedCategoryCapPct int
	// FeedMinRating hides items whose smoothed rating (with at least 5
	// ratings) is below it. Default 2.5.
	FeedMinRating float64
	// NewArrival is how long after listing an item counts as new: a
	// freshness lift in the feed and an exploration slot. Default 7 days.
	NewArrival time.Duration
	// MaxFuture is how far ahead of this server's clock an event's ts may
	// be; later events are rejected (out_of_range). The engine's clock is
	// the newest ts applied and every decay reads it, so one event from a
	// producer whose clock or time zone is off would age every history
	// and every popularity at once — a ts in 2100 zeroes the weight of
	// every user's seeds — and the snapshots would keep it. Default 1 h;
	// negative: no bound, for replaying data recorded at another time.
	MaxFuture time.Duration

	// CrossSellMinSupport is the number of baskets a pair needs before it
	// counts as a complement. Default 2.
	CrossSellMinSupport float64
	// CrossSellSameCategory multiplies the score of complements from the
	// anchor's own leaf category. Default 0.3.
	CrossSellSameCategory float64
	// ComplementMaxAge is how long an anchor's computed complements may
	// stand in for the current ones once the baskets changed (complementsOf).
	// Default 100 ms; negative: computed again after every change.
	ComplementMaxAge time.Duration
	// UpsellMaxStepPct bounds an upsell's price to this many percent above
	// the anchor's. Default 50.
	UpsellMaxStepPct float64
	// BundleMinSupport, BundleMinConfidence and BundleMinLift are the
	// thresholds of a bundle's every pair. Defaults 3, 0.1 and 1.5.
	BundleMinSupport    float64
	BundleMinConfidence float64
	BundleMinLift       float64
	// BundleDiscountPct is the discount offered on a bundle, within the
	// pricing guardrails. Default 10.
	BundleDiscountPct float64

	// Feed, Similar and CrossSell are the blend weights of those slots.
	// Zero values mean the defaults (DefaultFeedBlend, DefaultSimilarBlend,
	// DefaultCrossSellBlend).
	Feed      models.BlendWeights
	Similar   models.BlendWeights
	CrossSell models.BlendWeights

	// TrainInterval is how often the background trainer checks whether
	// enough new events arrived to retrain EASE. Default 1 minute.
	TrainInterval time.Duration
	// TrainMinEvents is how many events must arrive between two trainings.
	// Default 1000.
	TrainMinEvents uint64

	// NeighborRefresh is how often the background refresher recomputes
	// item-to-item neighbour lists whose co-occurrences changed, spending
	// at most a quarter of it each time: the most a list lags behind a
	// quiet shop's ingest; under heavy ingest lists take turns. Default
	// 100 ms.
	NeighborRefresh time.Duration
	// NeighborMinAge is how long a neighbour list the background refresher
	// computed stays, though its item's co-occurrences changed: under
	// heavy ingest a popular item's row changes with every event, and
	// recomputing it as often as the budget allowed took a tenth of the
	// CPU from ingest (loadgen --mode ingest, 2 M events). Default 1 s.
	NeighborMinAge time.Duration

	// MaxConcurrentAnswers is how many answers are computed at once while
	// events are being applied; the others wait for a turn before taking
	// the engine's lock (answer_turns.go). Every answer reads the state
	// under the engine's read lock, and the applier, to apply its next
	// batch, waits until every answer inside has finished: with one answer
	// per connection inside at once, on two CPUs shared with the broker and
	// the load, some of them wait for a CPU while they hold the lock, and
	// ingest waits with them. Default DefaultMaxConcurrentAnswers, the CPUs
	// less one: answers never take every CPU. On this machine's two CPUs it
	// brought the event-to-visible p99 at 100 k events/s under a saturating
	// feed load from 114–329 ms to 44–82 ms, about as many feeds served;
	// two turns were no better than none. A server that ingests nothing
	// lets every answer in: there turns would only cost throughput (a few
	// percent of the feed's cache misses; docs/performance.md, Freshness).
	MaxConcurrentAnswers int

	// DedupWindow is how many recent event ids are remembered to drop
	// duplicates. Default 1,000,000: 24 MB, whatever the ids' length (a
	// 64-bit hash of each, in arrival order and in a table; see dedup).
	DedupWindow int

	// NotifyCapWindow is how long an item sent to a user on a channel is
	// not sent to them on that channel again. Default 7 days.
	NotifyCapWindow time.Duration
	// NotifyCapPerDay is how many notification answers a user gets per 24
	// hours, over all channels. Default 3.
	NotifyCapPerDay int

	// Experiments split users between blend variants per slot (see
	// LoadExperiments). Empty: every answer is variant "default".
	Experiments []Experiment

	// Logger receives the engine's logs. Default slog.Default().
	Logger *slog.Logger
}

// EventWeights are the interest each event type expresses. Negative values
// push an item down for that user; they never count as co-occurrence.
type EventWeights struct {
	View     float32 // default 1
	Click    float32 // default 1.5
	Cart     float32 // default 3
	Uncart   float32 // default -1
	Purchase float32 // default 5
	Dismiss  float32 // default -3
	// A rating r weighs RateBase + RateSlope × (r - 3): with the defaults
	// (1, 0.5) a 5-star rating weighs 2 and a 1-star rating 0, so even a
	// poor rating says the user looked at the item, but far less.
	RateBase  float32
	RateSlope float32
}

// DefaultMaxConcurrentAnswers is Config.MaxConcurrentAnswers' default:
// GOMAXPROCS − 1, at least 1.
func DefaultMaxConcurrentAnswers() int { return max(1, runtime.GOMAXPROCS(0)-1) }

// DefaultFeedBlend is the feed blend used when Config.Feed is zero. Tuned
// on the ml-100k temporal split only; see docs/performance.md.
func DefaultFeedBlend() models.BlendWeights {
	// EASE carries the ranking; the online ItemKNN and content models add
	// what arrived since the last training and the items outside EASE.
	// Popularity only fills answers (cold start) through popularFloor.
	return models.BlendWeights{EASE: 1, ItemKNN: 0.05, Content: 0.05}
}

// DefaultSimilarBlend is the similar-slot blend used when Config.Similar is zero.
func DefaultSimilarBlend() models.BlendWeights {
	return models.BlendWeights{ItemKNN: 1, Content: 0.3, EASE: 0.5}
}

// DefaultCrossSellBlend is the cross-sell blend used when
// Config.CrossSell is zero: basket complements, with co-views from other
// categories (a third as strong at most) for items with few baskets yet.
func DefaultCrossSellBlend() models.BlendWeights {
	return models.BlendWeights{Baskets: 1, ItemKNN: 0.3}
}

func (c *Config) defaults() {
	setInt(&c.HistoryLen, 200)
	setInt(&c.CoOccurrenceWindow, 20)
	setInt(&c.CoOccurrenceMaxRow, 767)
	setDur(&c.CoOccurrenceHalfLife, 90*24*time.Hour)
	setDur(&c.PopularityHalfLife, 7*24*time.Hour)
	setDur(&c.SeedHalfLife, 90*24*time.Hour)
	setInt(&c.PopularTopN, 500)
	setDur(&c.BasketWindow, 24*time.Hour)
	setDur(&c.AbandonAfter, 2*time.Hour)
	setDur(&c.NotifyCapWindow, 7*24*time.Hour)
	setInt(&c.NotifyCapPerDay, 3)
	setInt(&c.FeedCategoryCapPct, 40)
	setFloat(&c.FeedMinRating, 2.5)
	setDur(&c.NewArrival, 7*24*time.Hour)
	if c.MaxFuture == 0 {
		c.MaxFuture = time.Hour
	}
	setFloat(&c.CrossSellMinSupport, 2)
	setFloat(&c.CrossSellSameCategory, 0.3)
	if c.ComplementMaxAge == 0 {
		c.ComplementMaxAge = 100 * time.Millisecond
	}
	setFloat(&c.UpsellMaxStepPct, 50)
	setFloat(&c.BundleMinSupport, 3)
	setFloat(&c.BundleMinConfidence, 0.1)
	setFloat(&c.BundleMinLift, 1.5)
	setFloat(&c.BundleDiscountPct, 10)
	setDur(&c.TrainInterval, time.Minute)
	setDur(&c.NeighborRefresh, 100*time.Millisecond)
	setDur(&c.NeighborMinAge, time.Second)
	if c.TrainMinEvents == 0 {
		c.TrainMinEvents = 1000
	}
	setInt(&c.DedupWindow, 1_000_000)
	setInt(&c.MaxConcurrentAnswers, DefaultMaxConcurrentAnswers())
	if c.Weights == (EventWeights{}) {
		c.Weights = EventWeights{View: 1, Click: 1.5, Cart: 3, Uncart: -1, Purchase: 5, Dismiss: -3, RateBase: 1, RateSlope: 0.5}
	}
	if c.Feed == (models.BlendWeights{}) {
		c.Feed = DefaultFeedBlend()
	}
	if c.Similar == (models.BlendWeights{}) {
		c.Similar = DefaultSimilarBlend()
	}
	if c.CrossSell == (models.BlendWeights{}) {
		c.CrossSell = DefaultCrossSellBlend()
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
}

func setInt(p *int, def int) {
	if *p <= 0 {
		*p = def
	}
}

func setFloat(p *float64, def float64) {
	if *p <= 0 {
		*p = def
	}
}

func setDur(p *time.Duration, def time.Duration) {
	if *p <= 0 {
		*p = def
	}
}
