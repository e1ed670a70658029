package httpapi

import (
	"bytes"
	"context"
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

// discardSink accepts events without a broker (a unit test of the handler;
// the integration tests produce to a real one).
type discardSink struct{}

func (discardSink) ProduceEvents(context.Context, []*engine.Event) error { return nil }

// FuzzPostBodies sends arbitrary bodies to POST /v1/events and POST
// /v1/recommend/batch: never a panic or a 500, and every batch answer line
// is JSON.
func FuzzPostBodies(f *testing.F) {
	for _, s := range []string{
		`{"type":"view","user":"u1","item":"i1"}` + "\n" + `not json`,
		`{"user":"u1","slot":"feed","n":3}` + "\n" + `{"user":"u1","slot":"reminders","channel":"email"}`,
		`{"slot":"bundle","item":"i1"}`, "\n\n", `{"user":"u1","slot":"feed","n":1000,"cart":["a"]}`,
	} {
		f.Add([]byte(s), true)
		f.Add([]byte(s), false)
	}
	eng := engine.New(engine.Config{DedupWindow: 16})
	stock := 3
	eng.Apply(&engine.Event{Type: "item", Item: "i1", Categories: []string{"a"}, Price: 1, Stock: &stock, TS: 1})
	eng.Apply(&engine.Event{Type: "cart", User: "u1", Item: "i1", TS: 2})
	s, _ := New(Config{Engine: eng, Sink: discardSink{}})
	f.Fuzz(func(t *testing.T, body []byte, batch bool) {
		var ctx fasthttp.RequestCtx
		uri := "/v1/events"
		if batch {
			uri = "/v1/recommend/batch"
		}
		ctx.Request.SetRequestURI(uri)
		ctx.Request.Header.SetMethod("POST")
		ctx.Request.SetBody(body)
		s.handle(&ctx)
		if code := ctx.Response.StatusCode(); code >= 500 {
			t.Fatalf("POST %s %q = %d %s", uri, body, code, ctx.Response.Body())
		}
		if !batch || ctx.Response.StatusCode() != 200 {
			return
		}
		for _, l := range bytes.Split(bytes.TrimSpace(ctx.Response.Body()), []byte("\n")) {
			if len(l) > 0 && !json.Valid(l) {
				t.Fatalf("batch answer line is not JSON: %q", l)
			}
		}
	})
}
