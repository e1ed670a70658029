package node

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os/exec"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/segmentio/kafka-go"

	"reco/engine"
)

// startNode starts a node with an embedded broker and the HTTP API on free
// loopback ports and waits until it is ready.
func startNode(t *testing.T, cfg Config) *Node {
	t.Helper()
	cfg.HTTPAddr = "127.0.0.1:0"
	cfg.EmbeddedBroker = "127.0.0.1:0"
	cfg.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	n, err := Start(context.Background(), cfg)
	if err != nil {
		t.Fatalf("starting node: %v", err)
	}
	t.Cleanup(func() {
		if err := n.Close(); err != nil {
			t.Errorf("closing node: %v", err)
		}
	})
	waitFor(t, "node ready", func() bool { ok, _ := n.Consumer.Ready(); return ok })
	return n
}

// waitFor polls cond until it holds or 40 s pass. The bound only stops a
// broken test from hanging; nothing here asserts speed.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(40 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func getJSON(t *testing.T, url string, v any) int {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if v != nil {
		if err := json.Unmarshal(b, v); err != nil {
			t.Fatalf("GET %s: decoding %q: %v", url, b, err)
		}
	}
	return resp.StatusCode
}

func catalogEvents() []engine.Event {
	stock := 10
	var evs []engine.Event
	for i := 1; i <= 6; i++ {
		evs = append(evs, engine.Event{Type: "item", Item: fmt.Sprintf("tent%d", i), Title: fmt.Sprintf("Tent %d", i),
			Categories: []string{"outdoor", "outdoor/tents"}, Price: float64(100 + i), Stock: &stock, TS: 1_700_000_000_000})
		evs = append(evs, engine.Event{Type: "item", Item: fmt.Sprintf("lamp%d", i), Title: fmt.Sprintf("Lamp %d", i),
			Categories: []string{"outdoor", "outdoor/lamps"}, Price: float64(10 + i), Stock: &stock, TS: 1_700_000_000_000})
	}
	return evs
}

func messages(t *testing.T, topic string, evs []engine.Event) []kafka.Message {
	t.Helper()
	var out []kafka.Message
	for i := range evs {
		b, err := json.Marshal(&evs[i])
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, kafka.Message{Topic: topic, Key: []byte(evs[i].Key()), Value: b})
	}
	return out
}

// TestKafkaWriterChangesRecommendation produces with a plain kafka-go
// writer and watches the answer of the real HTTP server change.
func TestKafkaWriterChangesRecommendation(t *testing.T) {
	n := startNode(t, Config{})
	w := &kafka.Writer{Addr: kafka.TCP(n.Brokers()...), Balancer: &kafka.Hash{}, BatchTimeout: 5 * time.Millisecond, RequiredAcks: kafka.RequireAll}
	defer w.Close()
	ctx := context.Background()
	if err := w.WriteMessages(ctx, messages(t, "reco.catalog", catalogEvents())...); err != nil {
		t.Fatal(err)
	}
	url := "http://" + n.HTTPAddr() + "/v1/recommend/similar?item=tent1&n=3"
	var before engine.Response
	waitFor(t, "catalog applied", func() bool {
		return getJSON(t, url, &before) == 200 && len(before.Items) > 0
	})
	// Shoppers who look at tent1 then lamp4: lamp4 must become tent1's
	// most similar item.
	var evs []engine.Event
	for u := 0; u < 20; u++ {
		user := fmt.Sprintf("camper%d", u)
		evs = append(evs,
			engine.Event{Type: "view", User: user, Item: "tent1", TS: 1_700_000_100_000 + int64(u)},
			engine.Event{Type: "purchase", User: user, Item: "lamp4", TS: 1_700_000_100_001 + int64(u)})
	}
	if err := w.WriteMessages(ctx, messages(t, "reco.events", evs)...); err != nil {
		t.Fatal(err)
	}
	var after engine.Response
	waitFor(t, "similar answer to change", func() bool {
		return getJSON(t, url, &after) == 200 && len(after.Items) > 0 && after.Items[0].Item == "lamp4"
	})
	if before.Items[0].Item == "lamp4" {
		t.Fatalf("lamp4 was first before any event: %+v", before.Items)
	}
	if !strings.Contains(after.Items[0].Reasons[0], "Tent 1") {
		t.Fatalf("reason %q does not name the anchor", after.Items[0].Reasons[0])
	}
}

// TestKcatProducesToTheEngine uses kcat (librdkafka), a client nobody here
// wrote, to produce keyed messages, and checks they were applied.
func TestKcatProducesToTheEngine(t *testing.T) {
	kcat, err := exec.LookPath("kcat")
	if err != nil {
		t.Fatal("kcat is not installed: `make test` installs it (Debian package kcat)")
	}
	n := startNode(t, Config{})
	var in bytes.Buffer
	for i := 0; i < 25; i++ {
		fmt.Fprintf(&in, "u%d\t{\"type\":\"view\",\"user\":\"u%d\",\"item\":\"kcat-item\",\"ts\":1700000000000,\"id\":\"kcat-%d\"}\n", i, i, i)
	}
	// One duplicate id and one invalid line: counted once and rejected.
	in.WriteString("u0\t{\"type\":\"view\",\"user\":\"u0\",\"item\":\"kcat-item\",\"ts\":1700000000000,\"id\":\"kcat-0\"}\n")
	in.WriteString("u0\t{\"type\":\"view\",\"user\":\"u0\"}\n")
	cmd := exec.Command(kcat, "-P", "-b", n.Brokers()[0], "-t", "reco.events", "-K", "\t", "-z", "zstd")
	cmd.Stdin = &in
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("kcat: %v\n%s", err, out)
	}
	var info engine.ItemInfo
	url := "http://" + n.HTTPAddr() + "/v1/items/kcat-item"
	// The invalid line is the partition's last message, so it settles
	// after the duplicate: wait for its count too rather than read the
	// metrics the moment the duplicate shows.
	exposition := func() string {
		var b bytes.Buffer
		n.Metrics.Expose(&b)
		return b.String()
	}
	waitFor(t, "kcat events applied, the duplicate dropped and the invalid line rejected", func() bool {
		return getJSON(t, url, &info) == 200 && info.Views == 25 && n.Engine.Stats().Duplicates.Load() == 1 &&
			strings.Contains(exposition(), `reco_events_rejected_total{reason="missing_field"} 1`)
	})
}

// TestHTTPIngestGoesThroughKafka posts events to the API and finds them in
// the Kafka log as well as applied.
func TestHTTPIngestGoesThroughKafka(t *testing.T) {
	n := startNode(t, Config{})
	body := `{"type":"item","item":"mug","title":"Mug","categories":["kitchen"],"price":9.5,"stock":3}
{"type":"view","user":"ann","item":"mug"}
{"type":"view","user":"ann"}
not json
{"type":"view","user":"ann","item":"mug","ts":4102444800000}
`
	resp, err := http.Post("http://"+n.HTTPAddr()+"/v1/events", "application/x-ndjson", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	var got struct {
		Accepted, Rejected int
		Errors             []struct {
			Line  int
			Error string
		}
	}
	json.NewDecoder(resp.Body).Decode(&got)
	resp.Body.Close()
	if resp.StatusCode != 202 || got.Accepted != 2 || got.Rejected != 3 || len(got.Errors) != 3 || got.Errors[0].Line != 3 ||
		got.Errors[2].Line != 5 || !strings.Contains(got.Errors[2].Error, "ahead of this server's clock") {
		t.Fatalf("POST /v1/events = %d %+v, want 202 with 2 accepted, 3 rejected (lines 3, 4, and 5 from the year 2100)", resp.StatusCode, got)
	}
	var info engine.ItemInfo
	waitFor(t, "posted events applied", func() bool {
		return getJSON(t, "http://"+n.HTTPAddr()+"/v1/items/mug", &info) == 200 && info.Views == 1 && info.Listed
	})
	inLog := 0
	for tp, pos := range n.Engine.Offsets() {
		if tp.Topic == "reco.events" || tp.Topic == "reco.catalog" {
			inLog += int(pos)
		}
	}
	if inLog != 2 {
		t.Fatalf("consumer applied %d messages from Kafka, want the 2 posted events", inLog)
	}
	// One POST, one write of its two events (they went to two topics).
	if sends, events := metric(t, n, "reco_produce_sends_total"), metric(t, n, "reco_produce_messages_total"); sends != 1 || events != 2 {
		t.Fatalf("/metrics: %v sends of %v events, want 1 of 2", sends, events)
	}
}

func TestHTTPErrors(t *testing.T) {
	n := startNode(t, Config{APIKey: "s3cret"})
	base := "http://" + n.HTTPAddr()
	tests := []struct {
		method, path string
		want         int
	}{
		{"GET", "/v1/recommend/feed?user=x", 200},
		{"GET", "/v1/recommend/feed?n=abc", 400},
		{"GET", "/v1/recommend/feed?n=1000", 400},
		{"GET", "/v1/recommend/feed?min_price=-1", 400},
		{"GET", "/v1/recommend/similar", 400},
		{"GET", "/v1/recommend/teleport", 404},
		{"GET", "/v1/recommend/reminders", 400},
		{"GET", "/v1/recommend/upsell", 400},
		{"POST", "/v1/recommend/feed", 405},
		{"GET", "/v1/items/none", 404},
		{"GET", "/v1/users/none", 404},
		{"POST", "/v1/events", 401}, // API key configured, none sent
		{"GET", "/nope", 404},
		{"GET", "/healthz", 200},
		{"GET", "/readyz", 200},
		{"GET", "/metrics", 200},
	}
	for _, tt := range tests {
		req, _ := http.NewRequest(tt.method, base+tt.path, strings.NewReader(""))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != tt.want {
			t.Errorf("%s %s = %d %s, want %d", tt.method, tt.path, resp.StatusCode, b, tt.want)
		}
		if tt.want >= 400 && !bytes.Contains(b, []byte(`"error"`)) {
			t.Errorf("%s %s: error body %q has no reason", tt.method, tt.path, b)
		}
	}
	req, _ := http.NewRequest("POST", base+"/v1/events", strings.NewReader(`{"type":"view","user":"a","item":"b"}`))
	req.Header.Set("Authorization", "Bearer s3cret")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 202 {
		t.Fatalf("POST /v1/events with the key = %d, want 202", resp.StatusCode)
	}
}

// TestFreshness produces a view for a new shopper and waits for that
// shopper's feed to show it; it reports event-to-visible latency (the
// figure lives in docs/benchmarks.md, measured by reco loadgen) and
// asserts only that every event became visible.
func TestFreshness(t *testing.T) {
	n := startNode(t, Config{})
	w := &kafka.Writer{Addr: kafka.TCP(n.Brokers()...), Balancer: &kafka.Hash{}, BatchTimeout: time.Millisecond, RequiredAcks: kafka.RequireAll}
	defer w.Close()
	ctx := context.Background()
	if err := w.WriteMessages(ctx, messages(t, "reco.catalog", catalogEvents())...); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "catalog applied", func() bool { _, ok := n.Engine.ItemInfo("tent2"); return ok })
	var lat []time.Duration
	for i := 0; i < 50; i++ {
		user := fmt.Sprintf("fresh%d", i)
		ev := []engine.Event{{Type: "view", User: user, Item: "tent2", TS: time.Now().UnixMilli()}}
		start := time.Now()
		if err := w.WriteMessages(ctx, messages(t, "reco.events", ev)...); err != nil {
			t.Fatal(err)
		}
		url := "http://" + n.HTTPAddr() + "/v1/recommend/feed?n=1&user=" + user
		waitFor(t, "view visible in feed", func() bool {
			var r engine.Response
			// A personal reason means the engine used the view.
			return getJSON(t, url, &r) == 200 && len(r.Items) == 1 && r.Items[0].Reasons[0] != "popular right now"
		})
		lat = append(lat, time.Since(start))
	}
	slices.Sort(lat)
	t.Logf("event-to-visible over %d events (including the write): p50 %v, max %v", len(lat), lat[len(lat)/2], lat[len(lat)-1])
}
