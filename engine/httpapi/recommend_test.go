package httpapi

import (
	"encoding/json"
	"log/slog"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/valyala/fasthttp"

	"reco/engine"
)

// smallShop returns an engine with 30 items, u1 and u3 who viewed six of
// them and u2 who viewed one: answers of different lengths.
func smallShop(t *testing.T) *engine.Engine {
	t.Helper()
	eng := engine.New(engine.Config{Logger: slog.New(slog.DiscardHandler)})
	ts := int64(1_700_000_000_000)
	for i := range 30 {
		ev := &engine.Event{Type: engine.TypeItem, Item: "i" + string(rune('a'+i%26)) + string(rune('a'+i/26)), Price: 10, TS: ts}
		if err := eng.Apply(ev); err != nil {
			t.Fatal(err)
		}
	}
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
	return eng
}

// TestComputedAnswersMatchRecommend checks the computed (cache-missing)
// path, which reuses one pooled request and answer for every request:
// each answer must be exactly what Engine.Recommend says for it, with a
// fresh request id, and nothing of an earlier, longer answer may linger
// in a later, shorter one.
func TestComputedAnswersMatchRecommend(t *testing.T) {
	eng := smallShop(t)
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

// TestBatchAnswersMatchRecommend: the batch endpoint reuses one answer for
// all its lines and writes each line's fields around the answer's own
// JSON. Each line must read as {"line":N} plus exactly what Recommend
// says for the request, with a request id of its own.
func TestBatchAnswersMatchRecommend(t *testing.T) {
	eng := smallShop(t)
	s, err := New(Config{Engine: eng, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	reqs := []engine.Request{
		{Slot: engine.SlotFeed, User: "u1", N: 20},
		{Slot: engine.SlotFeed, User: "u2", N: 3},
		{Slot: engine.SlotSimilar, Item: "iaa", N: 2},
		{Slot: engine.SlotCrossSell, Item: "iba", User: "u3", N: 5},
	}
	var body []byte
	for _, r := range reqs {
		l, _ := json.Marshal(map[string]any{"slot": r.Slot, "user": r.User, "item": r.Item, "n": r.N})
		body = append(append(body, l...), '\n')
	}
	body = append(body, "{\"slot\":\"teleport\"}\n"...)
	var ctx fasthttp.RequestCtx
	ctx.Request.SetRequestURI("/v1/recommend/batch")
	ctx.Request.Header.SetMethod("POST")
	ctx.Request.SetBody(body)
	s.handle(&ctx)
	lines := strings.Split(strings.TrimSuffix(string(ctx.Response.Body()), "\n"), "\n")
	if len(lines) != len(reqs)+1 {
		t.Fatalf("%d answer lines, want %d:\n%s", len(lines), len(reqs)+1, ctx.Response.Body())
	}
	id := regexp.MustCompile(`"request_id":"(r-[^"]+)"`)
	seen := map[string]bool{}
	for i, r := range reqs {
		m := id.FindStringSubmatch(lines[i])
		if m == nil || seen[m[1]] {
			t.Fatalf("line %d: request id missing or repeated: %s", i+1, lines[i])
		}
		seen[m[1]] = true
		want, err := eng.Recommend(&r)
		if err != nil {
			t.Fatal(err)
		}
		want.RequestID = m[1]
		wantJSON := `{"line":` + strconv.Itoa(i+1) + "," + string(want.AppendJSON(nil)[1:])
		if lines[i] != wantJSON {
			t.Fatalf("line %d:\n got %s\nwant %s", i+1, lines[i], wantJSON)
		}
	}
	if last := lines[len(reqs)]; !strings.HasPrefix(last, `{"line":5,"error":`) {
		t.Fatalf("unknown slot answered %s, want an error line", last)
	}
}
