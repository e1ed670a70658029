package httpapi

import (
	"encoding/json"
	"testing"

	"github.com/valyala/fasthttp"

	"reco/engine"
)

// FuzzRecommendQuery sends arbitrary paths and query strings to the
// handler: it must never panic or answer 500, and every error must be a
// JSON body with a reason.
func FuzzRecommendQuery(f *testing.F) {
	for _, s := range []string{
		"/v1/recommend/feed?user=u1&n=5", "/v1/recommend/similar?item=i1&category=a&min_price=1&max_price=2",
		"/v1/recommend/feed?n=-1", "/v1/recommend/feed?cart=a,b,,c&exclude=", "/v1/recommend/%ff?n=1e9",
		"/v1/items/x", "/v1/users/%00", "/metrics",
	} {
		f.Add(s)
	}
	eng := engine.New(engine.Config{DedupWindow: 16})
	stock := 3
	eng.Apply(&engine.Event{Type: "item", Item: "i1", Categories: []string{"a"}, Price: 1, Stock: &stock, TS: 1})
	eng.Apply(&engine.Event{Type: "view", User: "u1", Item: "i1", TS: 2})
	s, _ := New(Config{Engine: eng})
	f.Fuzz(func(t *testing.T, uri string) {
		var ctx fasthttp.RequestCtx
		ctx.Request.SetRequestURI(uri)
		ctx.Request.Header.SetMethod("GET")
		s.handle(&ctx)
		code := ctx.Response.StatusCode()
		if code >= 500 && code != fasthttp.StatusNotImplemented {
			t.Fatalf("GET %q = %d %s", uri, code, ctx.Response.Body())
		}
		if code >= 400 {
			var body struct{ Error string }
			if err := json.Unmarshal(ctx.Response.Body(), &body); err != nil || body.Error == "" {
				t.Fatalf("GET %q = %d with body %q: no JSON reason", uri, code, ctx.Response.Body())
			}
		}
	})
}
