package httpapi

import (
	"bytes"
	"strconv"
	"time"

	"github.com/dgraph-io/ristretto/v2"

	"reco/engine/metrics"
)

// answerCache keeps rendered recommend answers for a short TTL. The key
// holds the engine's AnswerVersion for the user, so a user's new event, a
// catalog change or a new model makes the stored answer unreachable at
// once; only signals aggregated over everyone (popularity, co-views of
// other shoppers) may be up to TTL old in a cached answer.
type answerCache struct {
	c      *ristretto.Cache[string, cachedAnswer]
	ttl    time.Duration
	hits   *metrics.Counter
	misses *metrics.Counter
}

// cachedAnswer is a rendered answer with its request id cut out: each copy
// served gets a fresh id spliced in at idAt.
type cachedAnswer struct {
	body    []byte
	idAt    int
	slot    string
	variant string
}

func newAnswerCache(ttl time.Duration, maxBytes int64, reg *metrics.Registry) (*answerCache, error) {
	c, err := ristretto.NewCache(&ristretto.Config[string, cachedAnswer]{
		NumCounters: max(maxBytes/100, 1000), // ~10 counters per answer of ~1 kB
		MaxCost:     maxBytes,
		BufferItems: 64,
		Metrics:     true,
	})
	if err != nil {
		return nil, err
	}
	ac := &answerCache{c: c, ttl: ttl,
		hits:   reg.Counter("reco_cache_hits_total", "", "Recommend answers served from the cache."),
		misses: reg.Counter("reco_cache_misses_total", "", "Recommend answers computed (not in the cache)."),
	}
	reg.GaugeFunc("reco_cache_hit_ratio", "", "Share of recommend answers served from the cache.", func() float64 {
		h, m := float64(ac.hits.Load()), float64(ac.misses.Load())
		if h+m == 0 {
			return 0
		}
		return h / (h + m)
	})
	reg.CounterFunc("reco_cache_sets_dropped_total", "", "Answers ristretto declined to store (contention or admission policy).", func() float64 {
		return float64(c.Metrics.SetsDropped() + c.Metrics.SetsRejected())
	})
	return ac, nil
}

func cacheKey(slot string, query []byte, version uint64) string {
	b := make([]byte, 0, len(slot)+len(query)+24)
	b = append(b, slot...)
	b = append(b, '?')
	b = append(b, query...)
	b = append(b, '#')
	b = strconv.AppendUint(b, version, 16)
	return string(b)
}

// store renders body (an answer whose request id is "") for later copies.
func (ac *answerCache) store(key string, body []byte, slot, variant string) {
	marker := []byte(`"request_id":"`)
	i := bytes.Index(body, marker)
	if i < 0 {
		return
	}
	ac.c.SetWithTTL(key, cachedAnswer{body: body, idAt: i + len(marker), slot: slot, variant: variant}, int64(len(body)), ac.ttl)
}

// get returns a copy of the stored answer with requestID spliced in.
func (ac *answerCache) get(key string, newID func(slot, variant string) string) ([]byte, bool) {
	a, ok := ac.c.Get(key)
	if !ok {
		ac.misses.Inc()
		return nil, false
	}
	ac.hits.Inc()
	id := newID(a.slot, a.variant)
	out := make([]byte, 0, len(a.body)+len(id))
	out = append(out, a.body[:a.idAt]...)
	out = append(out, id...)
	out = append(out, a.body[a.idAt:]...)
	return out, true
}
