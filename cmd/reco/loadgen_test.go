package main

import (
	"net"
	"strings"
	"testing"
	"time"

	"github.com/valyala/fasthttp"
)

func TestLoadgenRefusesBadFlags(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"--rate", "-5"}, "--rate is -5: want 0 or more"},
		{[]string{"--concurrency", "0"}, "--concurrency is 0: want more than 0"},
		{[]string{"--duration", "0s"}, "--duration is 0s: want more than 0"},
		{[]string{"--mode", "freshness", "--probe-every", "0s"}, "--probe-every is 0s: want more than 0"},
		{[]string{"--mode", "freshness", "--probe-conns", "0"}, "--probe-conns is 0: want more than 0"},
		{[]string{"--mode", "ingest", "--rounds", "-1"}, "--rounds is -1: want more than 0"},
		{[]string{"--mode", "memory", "--users", "0"}, "--users is 0: want more than 0"},
		{[]string{"--mode", "teleport"}, `unknown --mode "teleport"`},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			err := runLoadgen(t.Context(), append(tt.args, "--url", "http://127.0.0.1:1"))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("runLoadgen(%q) = %v, want an error with %q", tt.args, err, tt.want)
			}
		})
	}
}

// bound stops a broken load test from hanging; the requests, not the
// clock, end a passing one.
const bound = 30 * time.Second

// TestLoadReportsFailures runs the load generator against a real fasthttp
// server on loopback that refuses one user's requests, then against a port
// nobody listens on.
func TestLoadReportsFailures(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &fasthttp.Server{Handler: func(ctx *fasthttp.RequestCtx) {
		if string(ctx.QueryArgs().Peek("user")) == "u1" {
			ctx.Error("no such shopper", fasthttp.StatusNotFound)
			return
		}
		ctx.SetBodyString(`{"items":[]}`)
	}}
	go srv.Serve(ln)
	defer srv.Shutdown()
	base := "http://" + ln.Addr().String()

	// Zipf users: u1 is drawn most often, so some requests fail and most do not.
	res, err := load(t.Context(), loadConfig{base: base, path: "/feed?user={user}", users: 50,
		concurrency: 2, duration: bound, maxRequests: 400})
	if err != nil {
		t.Fatal(err)
	}
	if res.requests != 400 || res.errors == 0 || res.errors == res.requests {
		t.Fatalf("%d requests, %d errors; want 400 with some, not all, failed", res.requests, res.errors)
	}
	if res.firstErr == nil || !strings.Contains(res.firstErr.Error(), "status 404: no such shopper") {
		t.Fatalf("first error %v, want the 404 and its body", res.firstErr)
	}

	ln.Close()
	err = runLoadgen(t.Context(), []string{"--url", base, "--concurrency", "1", "--requests", "5", "--duration", bound.String()})
	if err == nil || !strings.Contains(err.Error(), "every request failed; the first:") {
		t.Fatalf("against a closed port: %v, want every request failed with the first error", err)
	}
}
