package httpapi

import (
	"testing"

	"github.com/valyala/fasthttp"

	"reco/engine"
	"reco/engine/metrics"
)

func do(s *Server, method, uri, key string) (int, string) {
	var ctx fasthttp.RequestCtx
	ctx.Request.SetRequestURI(uri)
	ctx.Request.Header.SetMethod(method)
	if key != "" {
		ctx.Request.Header.Set("Authorization", "Bearer "+key)
	}
	s.handle(&ctx)
	return ctx.Response.StatusCode(), string(ctx.Response.Body())
}

// TestPanicAnswers500AndServingGoesOn: a handler that panics (here: no
// engine at all) answers 500 for that request only.
func TestPanicAnswers500AndServingGoesOn(t *testing.T) {
	s, _ := New(Config{})
	if code, body := do(s, "GET", "/v1/recommend/feed?user=a", ""); code != 500 || body == "" {
		t.Fatalf("panicking handler = %d %q, want 500 with a reason", code, body)
	}
	if code, _ := do(s, "GET", "/healthz", ""); code != 200 {
		t.Fatalf("after a panic /healthz = %d", code)
	}
	if s.panics.Load() != 1 {
		t.Fatalf("panics counted: %d, want 1", s.panics.Load())
	}
}

func TestAPIKeys(t *testing.T) {
	s, _ := New(Config{Engine: engine.New(engine.Config{}), APIKey: "write", ReadAPIKey: "read"})
	tests := []struct {
		method, uri, key string
		want             int
	}{
		{"GET", "/v1/recommend/feed?user=a", "", 401},
		{"GET", "/v1/recommend/feed?user=a", "read", 200},
		{"GET", "/v1/recommend/feed?user=a", "write", 200},
		{"GET", "/v1/recommend/feed?user=a", "reaD", 401},
		{"GET", "/v1/users/a", "", 401},
		{"POST", "/v1/events", "read", 401},
		{"POST", "/v1/events", "", 401},
		{"GET", "/healthz", "", 200},
	}
	for _, tt := range tests {
		if code, body := do(s, tt.method, tt.uri, tt.key); code != tt.want {
			t.Errorf("%s %s with key %q = %d %s, want %d", tt.method, tt.uri, tt.key, code, body, tt.want)
		}
	}
}

// Requests are counted per route and status code (the counters are kept
// after the first request of a pair; each pair must keep its own).
func TestRequestsCountedByRouteAndCode(t *testing.T) {
	reg := metrics.NewRegistry()
	s, _ := New(Config{Engine: engine.New(engine.Config{}), Metrics: reg, APIKey: "k", ReadAPIKey: "k"})
	for range 3 {
		do(s, "GET", "/healthz", "")
	}
	do(s, "GET", "/v1/recommend/feed?user=a", "")  // 401
	do(s, "GET", "/v1/recommend/feed?user=a", "k") // 200
	do(s, "GET", "/v1/recommend/feed?user=a", "k")
	for _, tc := range []struct {
		route string
		code  int
		want  uint64
	}{{routeHealth, 200, 3}, {routeRecommend, 401, 1}, {routeRecommend, 200, 2}, {routeRecommend, 500, 0}} {
		if got := s.requestCounter(tc.route, tc.code).Load(); got != tc.want {
			t.Errorf("%s %d: counted %d, want %d", tc.route, tc.code, got, tc.want)
		}
	}
}
