package main

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/valyala/fasthttp"
)

// freshnessConfig configures loadgen's freshness mode.
type freshnessConfig struct {
	base, item, apiKey string
	events             int           // probes
	every              time.Duration // between probes
	conns              int           // connections at most, shared by the probes
	deadline           time.Duration // a probe not visible by then fails
}

// probeResult is what one probe measured.
type probeResult struct {
	post  time.Duration // the POST alone
	get   time.Duration // the GET that saw the event
	total time.Duration // event-to-visible
	err   error         // not visible by the deadline
}

// freshness measures event-to-visible latency: each probe posts a view
// for a brand-new shopper, then asks for that shopper's feed until it is
// personalised.
//
// A probe starts every cfg.every, whatever the earlier ones are still
// waiting for, so a stall is sampled for as long as it lasts. Probing one
// event after another, as this mode did until session 21, samples a stall
// once however long it lasts, and the probes after it mostly measure the
// quiet that follows: at 200 k events/s, with the consumer 1 M events
// behind, such a run reported p50 0.6 ms.
//
// A waiting probe asks again at once at first, then after a pause of a
// sixteenth of its wait so far (at most 5 ms): that keeps the error
// within ~6 % of the latency, while a stall of seconds, with hundreds of
// probes waiting, does not multiply the load it measures.
func freshness(ctx context.Context, cfg freshnessConfig) ([]probeResult, int, error) {
	c := &fasthttp.Client{MaxConnsPerHost: cfg.conns, MaxConnWaitTimeout: cfg.deadline,
		ReadTimeout: 5 * time.Second, WriteTimeout: 5 * time.Second}
	run := strconv.FormatInt(time.Now().UnixNano(), 36)
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	results := make([]probeResult, cfg.events)
	var waiting, mostWaiting atomic.Int64
	var wg sync.WaitGroup
	tick := time.NewTicker(cfg.every)
	defer tick.Stop()
	for i := range cfg.events {
		if i > 0 {
			select {
			case <-tick.C:
			case <-ctx.Done():
			}
		}
		if ctx.Err() != nil {
			break
		}
		wg.Go(func() {
			n := waiting.Add(1)
			defer waiting.Add(-1)
			for m := mostWaiting.Load(); n > m; m = mostWaiting.Load() {
				if mostWaiting.CompareAndSwap(m, n) {
					break
				}
			}
			r, err := probe(ctx, c, cfg, "fresh-"+run+"-"+strconv.Itoa(i))
			if err != nil {
				cancel(err)
				return
			}
			results[i] = r
		})
	}
	wg.Wait()
	if err := context.Cause(ctx); err != nil {
		return nil, 0, err
	}
	return results, int(mostWaiting.Load()), nil
}

// probe posts a view of cfg.item by user and asks for user's feed until
// it is personalised. Only a failed request is an error; an event still
// invisible at the deadline is the result's err.
func probe(ctx context.Context, c *fasthttp.Client, cfg freshnessConfig, user string) (probeResult, error) {
	req, resp := fasthttp.AcquireRequest(), fasthttp.AcquireResponse()
	defer fasthttp.ReleaseRequest(req)
	defer fasthttp.ReleaseResponse(resp)
	start := time.Now()
	if err := post(c, req, resp, cfg, user); err != nil {
		return probeResult{}, err
	}
	r := probeResult{post: time.Since(start)}
	var body struct {
		Items []struct{ Reasons []string } `json:"items"`
	}
	for ctx.Err() == nil {
		req.Reset()
		req.SetRequestURI(cfg.base + "/v1/recommend/feed?n=1&user=" + user)
		getStart := time.Now()
		if err := c.Do(req, resp); err != nil {
			return probeResult{}, fmt.Errorf("GET feed: %w", err)
		}
		body.Items = nil
		if err := json.Unmarshal(resp.Body(), &body); err == nil && len(body.Items) > 0 &&
			len(body.Items[0].Reasons) > 0 && body.Items[0].Reasons[0] != "popular right now" {
			r.get, r.total = time.Since(getStart), time.Since(start)
			return r, nil
		}
		waited := time.Since(start)
		if waited > cfg.deadline {
			r.total, r.err = waited, fmt.Errorf("the view of %s by %s was not visible after %v", cfg.item, user, cfg.deadline)
			return r, nil
		}
		if pause := min(waited/16, 5*time.Millisecond); pause > 100*time.Microsecond {
			select {
			case <-time.After(pause):
			case <-ctx.Done():
			}
		}
	}
	return probeResult{}, context.Cause(ctx)
}

// post posts one view of cfg.item by user; it returns once the broker
// has it (a 202).
func post(c *fasthttp.Client, req *fasthttp.Request, resp *fasthttp.Response, cfg freshnessConfig, user string) error {
	req.Reset()
	req.SetRequestURI(cfg.base + "/v1/events")
	req.Header.SetMethod("POST")
	if cfg.apiKey != "" {
		req.Header.Set("Authorization", "Bearer "+cfg.apiKey)
	}
	req.SetBodyString(`{"type":"view","user":"` + user + `","item":"` + cfg.item + `"}`)
	if err := c.Do(req, resp); err != nil {
		return fmt.Errorf("POST /v1/events: %w", err)
	}
	if resp.StatusCode() != 202 {
		return fmt.Errorf("POST /v1/events: %d %s", resp.StatusCode(), resp.Body())
	}
	return nil
}

// freshnessReport is loadgen's line for a freshness run, or the error
// of the probes that never saw their event.
func freshnessReport(rs []probeResult, mostWaiting int, cfg freshnessConfig) (string, error) {
	var total, post, get []time.Duration
	var failed []error
	for _, r := range rs {
		if r.err != nil {
			failed = append(failed, r.err)
			continue
		}
		total, post, get = append(total, r.total), append(post, r.post), append(get, r.get)
	}
	if len(failed) > 0 {
		return "", fmt.Errorf("%d of %d events not visible within %v (is %s a known item?); the first: %w", len(failed), len(rs), cfg.deadline, cfg.item, failed[0])
	}
	slices.Sort(total)
	slices.Sort(post)
	slices.Sort(get)
	return fmt.Sprintf("freshness: %d events, event-to-visible (POST /v1/events → Kafka → consumer → feed answer) p50 %v p90 %v p99 %v max %v; the POST alone p50 %v p99 %v; the GET that saw it p50 %v p99 %v; one every %v, at most %d waiting at once",
		len(total), pct(total, 50), pct(total, 90), pct(total, 99), total[len(total)-1].Round(time.Microsecond), pct(post, 50), pct(post, 99), pct(get, 50), pct(get, 99),
		cfg.every, mostWaiting), nil
}
