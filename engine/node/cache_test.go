package node

import (
	"compress/gzip"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/segmentio/kafka-go"

	"reco/engine"
)

// TestAnswerCacheNeverHidesTheUsersOwnEvent: a repeated request is served
// from the cache with a fresh request id, and the user's next event makes
// the cached answer unreachable at once.
func TestAnswerCacheNeverHidesTheUsersOwnEvent(t *testing.T) {
	n := startNode(t, Config{CacheTTL: time.Hour})
	seedShop(t, n, 30)
	url := "http://" + n.HTTPAddr() + "/v1/recommend/feed?n=3&user=u1"
	var a, b engine.Response
	getJSON(t, url, &a)
	// ristretto stores asynchronously (and may drop a Set under load):
	// ask again until an answer comes from the cache.
	hits := n.Metrics.Counter("reco_cache_hits_total", "", "")
	waitFor(t, "a cached answer", func() bool {
		getJSON(t, url, &b)
		return hits.Load() > 0
	})
	if a.RequestID == b.RequestID || len(b.Items) != len(a.Items) || b.Items[0].Item != a.Items[0].Item {
		t.Fatalf("cached copy: %+v vs %+v (want same items, new request id)", b, a)
	}
	// u1 views the item that was first: it must leave u1's feed at once.
	w := &kafka.Writer{Addr: kafka.TCP(n.Brokers()...), BatchTimeout: time.Millisecond, RequiredAcks: kafka.RequireAll}
	defer w.Close()
	ev := []engine.Event{{Type: "view", User: "u1", Item: a.Items[0].Item, TS: 1_700_000_100_000}}
	if err := w.WriteMessages(context.Background(), messages(t, "reco.events", ev)...); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the view to change u1's answer", func() bool {
		var c engine.Response
		getJSON(t, url, &c)
		return len(c.Items) > 0 && c.Items[0].Item != a.Items[0].Item
	})
}

func TestGzipWhenAsked(t *testing.T) {
	n := startNode(t, Config{})
	seedShop(t, n, 30)
	req, _ := http.NewRequest("GET", "http://"+n.HTTPAddr()+"/v1/recommend/feed?n=50&user=u1", nil)
	req.Header.Set("Accept-Encoding", "gzip")
	resp, err := http.DefaultTransport.RoundTrip(req) // no transparent decompression
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.Header.Get("Content-Encoding") != "gzip" {
		t.Fatalf("Content-Encoding %q, want gzip", resp.Header.Get("Content-Encoding"))
	}
	zr, err := gzip.NewReader(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(zr)
	var r engine.Response
	if err := json.Unmarshal(b, &r); err != nil || len(r.Items) == 0 {
		t.Fatalf("gzip body %q: %v", b, err)
	}
}
