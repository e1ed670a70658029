package main

import (
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/valyala/fasthttp"
)

// shopStub is a fasthttp server on loopback that takes probe events and
// answers feeds: a shopper's feed is personalised once visible(user, n)
// says so, n counting the events posted so far.
type shopStub struct {
	mu      sync.Mutex
	posted  int
	status  int // the POST's status
	visible func(user string, posted int) bool
}

func (s *shopStub) handle(ctx *fasthttp.RequestCtx) {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch string(ctx.Path()) {
	case "/v1/events":
		s.posted++
		ctx.SetStatusCode(s.status)
	case "/v1/recommend/feed":
		reason := "popular right now"
		if s.visible(string(ctx.QueryArgs().Peek("user")), s.posted) {
			reason = "because you viewed i1"
		}
		ctx.SetBodyString(`{"items":[{"item":"i2","reasons":["` + reason + `"]}]}`)
	default:
		ctx.SetStatusCode(fasthttp.StatusNotFound)
	}
}

func startShopStub(t *testing.T, s *shopStub) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &fasthttp.Server{Handler: s.handle}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Shutdown() })
	return "http://" + ln.Addr().String()
}

func TestFreshness(t *testing.T) {
	tests := []struct {
		name    string
		status  int
		visible func(user string, posted int) bool
		// wantMostWaiting is the fewest probes that must have waited at
		// once; wantErr, if set, is part of the error expected instead.
		wantMostWaiting int
		wantErr         string
	}{
		{name: "visible at once", status: 202,
			visible:         func(string, int) bool { return true },
			wantMostWaiting: 1},
		// Nothing shows until five events are in: probing one event after
		// another would wait for the first until its deadline.
		{name: "a stall does not hold the next probes back", status: 202,
			visible:         func(_ string, posted int) bool { return posted >= 5 },
			wantMostWaiting: 5},
		{name: "an event that never shows", status: 202,
			visible: func(user string, _ int) bool { return !strings.HasSuffix(user, "-2") },
			wantErr: "1 of 6 events not visible within 200ms (is i1 a known item?)"},
		{name: "a refused POST", status: 401,
			visible: func(string, int) bool { return true },
			wantErr: "POST /v1/events: 401"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			base := startShopStub(t, &shopStub{status: tt.status, visible: tt.visible})
			cfg := freshnessConfig{base: base, item: "i1", events: 6, every: time.Millisecond, conns: 4, deadline: 200 * time.Millisecond}
			if tt.wantMostWaiting > 0 {
				cfg.deadline = 5 * time.Second // a passing run never waits for it
			}
			rs, mostWaiting, err := freshness(t.Context(), cfg)
			var line string
			if err == nil {
				line, err = freshnessReport(rs, mostWaiting, cfg)
			}
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error %v, want one with %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if mostWaiting < tt.wantMostWaiting {
				t.Errorf("at most %d probes waited at once, want %d or more", mostWaiting, tt.wantMostWaiting)
			}
			for i, r := range rs {
				if r.total <= 0 || r.total < r.post || r.total < r.get {
					t.Errorf("probe %d: %+v, want a total covering its POST and GET", i, r)
				}
			}
			if !strings.HasPrefix(line, "freshness: 6 events, event-to-visible") || !strings.Contains(line, "one every 1ms") {
				t.Errorf("report %q", line)
			}
		})
	}
}
