package httpapi

import (
	"encoding/json"
	"log/slog"
	"regexp"
	"testing"

	"github.com/valyala/fasthttp"

	"reco/engine"
)

// TestComputedAnswersMatchRecommend checks the computed (cache-missing)
// path, which reuses one pooled request and answer for every request:
// each answer must be exactly what Engine.Recommend says for it, with a
// fresh request id, and nothing of an earlier, longer answer may linger
// in a later, shorter one.
func TestComputedAnswersMatchRecommend(t *testing.T) {
	eng := engine.New(engine.Config{Logger: slog.New(slog.DiscardHandler)})
	ts := int64(1_700_000_000_000)
	for i := range 30 {
		ev := &engine.Event{Type: engine.TypeItem, Item: "i" + string(rune('a'+i%26)) + string(rune('a'+i/26)), Price: 10, TS: ts}
		if err := eng.Apply(ev); err != nil {
			t.Fatal(err)
		}
	}
	// u1 viewed many items, u2 one: u2's answers are shorter.
	for i, item := range []string{"iaa", "iba", "ica", "ida", "iea", "ifa"} {
		for _, user := range []string{"u1", "u3"} {
			if err := eng.Apply(&engine.Event{Type: "view", User: user, Item: item, TS: ts + int64(i)}); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := eng.Apply(&engine.Event{Type: "view", User: "u2", Item: "iaa", TS: ts + 10}); err != nil {
		t.Fatal(err)
	}
	eng.RefreshNeighbors()
	s, err := New(Config{Engine: eng, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	id := regexp.MustCompile(`"request_id":"(r-[^"~]+~[^"~]+~[^"]+)"`)
	seen := map[string]bool{}
	lengths := map[string]int{}
	for _, uri := range []string{
		"/v1/recommend/feed?user=u1&n=20",
		"/v1/recommend/similar?item=iaa&n=2",
		"/v1/recommend/feed?user=u2&n=3",
		"/v1/recommend/feed?user=u1&n=20",
		"/v1/recommend/cross-sell?item=iba&user=u3&n=5",
	} {
		var ctx fasthttp.RequestCtx
		ctx.Request.SetRequestURI(uri)
		ctx.Request.Header.SetMethod("GET")
		s.handle(&ctx)
		if ctx.Response.StatusCode() != 200 {
			t.Fatalf("GET %s = %d %s", uri, ctx.Response.StatusCode(), ctx.Response.Body())
		}
		body := ctx.Response.Body()
		m := id.FindSubmatch(body)
		if m == nil {
			t.Fatalf("GET %s: no request id in %s", uri, body)
		}
		if seen[string(m[1])] {
			t.Fatalf("GET %s: request id %s given twice", uri, m[1])
		}
		seen[string(m[1])] = true

		var args fasthttp.Args
		args.Parse(string(ctx.URI().QueryString()))
		req := &engine.Request{Slot: string(ctx.Path()[len(recommendPrefix):]), User: string(args.Peek("user")),
			Item: string(args.Peek("item")), N: args.GetUintOrZero("n")}
		want, err := eng.Recommend(req)
		if err != nil {
			t.Fatal(err)
		}
		want.RequestID = string(m[1])
		lengths[uri] = len(want.Items)
		wantJSON, _ := json.Marshal(want)
		if string(body) != string(wantJSON)+"\n" {
			t.Fatalf("GET %s:\n got %s\nwant %s", uri, body, wantJSON)
		}
	}
	if long, short := lengths["/v1/recommend/feed?user=u1&n=20"], lengths["/v1/recommend/feed?user=u2&n=3"]; long <= short {
		t.Fatalf("u1's feed has %d items, u2's %d: the test needs a longer answer before a shorter one", long, short)
	}
}
