package httpapi

import (
	"hash/maphash"
	"strings"
	"testing"
	"time"

	"github.com/valyala/fasthttp"

	"reco/engine"
	"reco/engine/metrics"
)

func TestAnswerCacheServesOnlyItsOwnKey(t *testing.T) {
	ac, err := newAnswerCache(time.Hour, 1<<20, metrics.NewRegistry())
	if err != nil {
		t.Fatal(err)
	}
	key := appendCacheKey(nil, "feed", []byte("user=u1&n=3"), 7)
	body := []byte(`{"slot":"feed","request_id":"","variant":"a","items":[]}`)
	ac.store(key, newCachedAnswer(body, "feed", "a"))
	ac.c.Wait()
	copy(body, "XXXXXXX") // the server reuses its buffer: the cache must own a copy
	a, ok := ac.get(key)
	if !ok {
		t.Fatal("stored answer not found")
	}
	var resp fasthttp.Response
	a.writeTo(&resp, engine.New(engine.Config{}))
	if got := string(resp.Body()); !strings.Contains(got, `"request_id":"r-`) || !strings.HasSuffix(got, `"variant":"a","items":[]}`) {
		t.Fatalf("served %s: want the stored answer with a fresh request id", got)
	}
	if _, ok := ac.get(appendCacheKey(nil, "feed", []byte("user=u1&n=3"), 8)); ok {
		t.Fatal("another version of the key was served")
	}
	// An entry whose hash matches but whose key does not (a collision)
	// must read as a miss.
	other := appendCacheKey(nil, "feed", []byte("user=u2&n=3"), 7)
	ac.c.SetWithTTL(maphash.Bytes(ac.seed, other), cachedAnswer{key: "feed?user=u9&n=3#7", body: body, idAt: -1}, 1, time.Hour)
	ac.c.Wait()
	if _, ok := ac.get(other); ok {
		t.Fatal("an entry stored under a colliding hash was served for another key")
	}
}

func TestCachedAnswerWithoutAnIDIsWrittenAsItIs(t *testing.T) {
	body := []byte(`{"error":"no id here"}`)
	a := newCachedAnswer(body, "feed", "a")
	var resp fasthttp.Response
	a.writeTo(&resp, engine.New(engine.Config{}))
	if got := string(resp.Body()); got != string(body) {
		t.Fatalf("wrote %s, want %s unchanged", got, body)
	}
	ac, err := newAnswerCache(time.Hour, 1<<20, metrics.NewRegistry())
	if err != nil {
		t.Fatal(err)
	}
	key := appendCacheKey(nil, "feed", nil, 1)
	ac.store(key, a)
	ac.c.Wait()
	if _, ok := ac.get(key); ok {
		t.Fatal("an answer without a request id field was cached")
	}
}
