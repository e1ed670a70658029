package httpapi

import (
	"bytes"
	"hash/maphash"
	"strconv"
	"time"

	"github.com/dgraph-io/ristretto/v2"
	"github.com/valyala/fasthttp"

	"reco/engine"
	"reco/engine/metrics"
)

// answerCache keeps rendered recommend answers for a short TTL. The key
// holds the engine's AnswerVersion for the user, so a user's new event, a
// catalog change or a new model makes the stored answer unreachable at
// once; only signals aggregated over everyone (popularity, co-views of
// other shoppers) may be up to TTL old in a cached answer.
//
// Entries are keyed by a 64-bit hash of the key and hold the key itself,
// compared on every hit: building, hashing and looking up a key allocates
// nothing on the request path, and a hash collision is a miss, never
// someone else's answer.
type answerCache struct {
	c      *ristretto.Cache[uint64, cachedAnswer]
	seed   maphash.Seed
	ttl    time.Duration
	hits   *metrics.Counter
	misses *metrics.Counter
}

// cachedAnswer is a rendered answer with its request id cut out: each copy
// served gets a fresh id spliced in at idAt.
type cachedAnswer struct {
	key     string
	body    []byte
	idAt    int
	slot    string
	variant string
}

func newAnswerCache(ttl time.Duration, maxBytes int64, reg *metrics.Registry) (*answerCache, error) {
	c, err := ristretto.NewCache(&ristretto.Config[uint64, cachedAnswer]{
		NumCounters: max(maxBytes/100, 1000), // ~10 counters per answer of ~1 kB
		MaxCost:     maxBytes,
		BufferItems: 64,
		Metrics:     true,
	})
	if err != nil {
		return nil, err
	}
	ac := &answerCache{c: c, ttl: ttl, seed: maphash.MakeSeed(),
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

// appendCacheKey appends the key of an answer to dst.
func appendCacheKey(dst []byte, slot string, query []byte, version uint64) []byte {
	dst = append(dst, slot...)
	dst = append(dst, '?')
	dst = append(dst, query...)
	dst = append(dst, '#')
	return strconv.AppendUint(dst, version, 16)
}

// requestIDField is what precedes an answer's request id in its JSON.
// It is the first match in any answer: an earlier field ("slot", "user")
// holding the same text would have its quotes escaped.
const requestIDField = `"request_id":"`

// newCachedAnswer describes body, an encoded answer whose request id is "",
// for writeTo. It does not copy body.
func newCachedAnswer(body []byte, slot, variant string) cachedAnswer {
	idAt := -1 // no id field (never, from AppendJSON): written as it is
	if i := bytes.Index(body, []byte(requestIDField)); i >= 0 {
		idAt = i + len(requestIDField)
	}
	return cachedAnswer{body: body, idAt: idAt, slot: slot, variant: variant}
}

// store keeps a copy of a (built by newCachedAnswer) under key.
func (ac *answerCache) store(key []byte, a cachedAnswer) {
	if a.idAt < 0 {
		return
	}
	a.key, a.body = string(key), bytes.Clone(a.body)
	ac.c.SetWithTTL(maphash.Bytes(ac.seed, key), a, int64(len(a.body)+len(a.key)), ac.ttl)
}

// get returns the stored answer for key; write it with writeTo.
func (ac *answerCache) get(key []byte) (cachedAnswer, bool) {
	a, ok := ac.c.Get(maphash.Bytes(ac.seed, key))
	if !ok || a.key != string(key) {
		ac.misses.Inc()
		return a, false
	}
	ac.hits.Inc()
	return a, true
}

// writeTo writes the answer into resp's body with a new request id spliced
// in, straight into fasthttp's pooled buffer: no copy of the answer is
// allocated.
func (a *cachedAnswer) writeTo(resp *fasthttp.Response, e *engine.Engine) {
	if a.idAt < 0 {
		resp.AppendBody(a.body)
		return
	}
	var id [64]byte
	resp.AppendBody(a.body[:a.idAt])
	resp.AppendBody(e.AppendRequestID(id[:0], a.slot, a.variant))
	resp.AppendBody(a.body[a.idAt:])
}
