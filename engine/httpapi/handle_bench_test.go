package httpapi

import (
	"log/slog"
	"strconv"
	"testing"
	"time"

	"github.com/valyala/fasthttp"

	"reco/engine"
	"reco/engine/demo"
)

// BenchmarkHandle runs the whole request path of the demo shop in-process,
// as fasthttp calls it for each request on a connection: routing, query
// parsing, the answer cache, the answer and its encoding into the
// response; no network. healthz is the floor; "miss" is every request
// computed (cache off), "cached" the Zipf-free best case of the cache
// (the same few users, so nearly every request a hit).
func BenchmarkHandle(b *testing.B) {
	eng := engine.New(engine.Config{Logger: slog.New(slog.DiscardHandler)})
	for _, ev := range demo.Events(demo.Config{}) {
		if err := eng.Apply(ev); err != nil {
			b.Fatal(err)
		}
	}
	// As the demo server does at start: the feed ranks by EASE once it is
	// trained, and by item-kNN and content at full weight until then.
	if err := eng.Train(b.Context()); err != nil {
		b.Fatal(err)
	}
	eng.RefreshNeighbors()
	uncached, err := New(Config{Engine: eng, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		b.Fatal(err)
	}
	cached, err := New(Config{Engine: eng, Logger: slog.New(slog.DiscardHandler), CacheTTL: time.Hour})
	if err != nil {
		b.Fatal(err)
	}
	tests := []struct {
		name  string
		s     *Server
		path  string
		users int
	}{
		// healthz last: fasthttp's response buffers come from one
		// process-wide pool that sizes new buffers by recent use, and
		// after millions of 3-byte bodies a benchmark second of answers
		// is spent growing buffers (6 allocations per feed instead of 2).
		// A server answering recommendations keeps it sized for them.
		{"feed-miss", uncached, "/v1/recommend/feed?n=10&user=u", 3000},
		{"cross-sell-miss", uncached, "/v1/recommend/cross-sell?item=i5&n=10&user=u", 3000},
		{"feed-cached", cached, "/v1/recommend/feed?n=10&user=u", 10},
		{"healthz", uncached, "/healthz?user=", 1},
	}
	for _, tt := range tests {
		b.Run(tt.name, func(b *testing.B) {
			var ctx fasthttp.RequestCtx
			var uri []byte
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				i++
				uri = strconv.AppendInt(append(uri[:0], tt.path...), int64(1+i%tt.users), 10)
				ctx.Request.Reset()
				ctx.Response.Reset()
				ctx.Request.SetRequestURIBytes(uri)
				ctx.Request.Header.SetMethod("GET")
				tt.s.handle(&ctx)
				if ctx.Response.StatusCode() != 200 {
					b.Fatalf("GET %s = %d %s", uri, ctx.Response.StatusCode(), ctx.Response.Body())
				}
			}
		})
	}
}
