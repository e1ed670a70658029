package node

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/segmentio/kafka-go"
)

// TestHostileMessagesGoToTheDeadLetterTopic produces messages that must
// be rejected; each is counted by reason, written to the dead-letter topic
// with where it came from, and consumption goes on.
func TestHostileMessagesGoToTheDeadLetterTopic(t *testing.T) {
	n := startNode(t, Config{})
	bad := map[string]string{
		"invalid_json":  `{"type":"view","user":`,
		"invalid_utf8":  "{\"type\":\"view\",\"user\":\"\xff\xfe\",\"item\":\"x\"}",
		"out_of_range":  `{"type":"item","item":"x","price":-5}`,
		"unknown_type":  `{"type":"teleport","user":"u","item":"x"}`,
		"missing_field": `{"type":"purchase","item":"x"}`,
		"too_large":     `{"type":"item","item":"x","title":"` + strings.Repeat("a", 70_000) + `"}`,
	}
	w := &kafka.Writer{Addr: kafka.TCP(n.Brokers()...), Topic: "reco.events", BatchTimeout: time.Millisecond,
		RequiredAcks: kafka.RequireAll, BatchBytes: 1 << 20}
	defer w.Close()
	var msgs []kafka.Message
	for _, v := range bad {
		msgs = append(msgs, kafka.Message{Key: []byte("k"), Value: []byte(v)})
	}
	// NaN is not JSON; a valid event after the bad ones must still apply.
	msgs = append(msgs, kafka.Message{Key: []byte("k"), Value: []byte(`{"type":"view","user":"u","item":"survivor","ts":1}`)})
	if err := w.WriteMessages(context.Background(), msgs...); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the valid event after the bad ones", func() bool { _, ok := n.Engine.ItemInfo("survivor"); return ok })

	r := kafka.NewReader(kafka.ReaderConfig{Brokers: n.Brokers(), GroupID: "dead-letter-test", Topic: "reco.dead-letter",
		StartOffset: kafka.FirstOffset, MaxWait: 100 * time.Millisecond})
	defer r.Close()
	got := map[string]bool{}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	for len(got) < len(bad) {
		m, err := r.ReadMessage(ctx)
		if err != nil {
			t.Fatalf("dead-letter topic: got %v, want all of %d reasons: %v", got, len(bad), err)
		}
		h := map[string]string{}
		for _, x := range m.Headers {
			h[x.Key] = string(x.Value)
		}
		if h["reco-topic"] != "reco.events" || h["reco-offset"] == "" || h["reco-error"] == "" {
			t.Fatalf("dead letter without its origin: %v", h)
		}
		if string(m.Value) != bad[h["reco-reason"]] {
			t.Fatalf("dead letter for %s carries %.60q, want the original message", h["reco-reason"], m.Value)
		}
		got[h["reco-reason"]] = true
	}
	var sb strings.Builder
	n.Metrics.Expose(&sb)
	for reason := range bad {
		if !strings.Contains(sb.String(), fmt.Sprintf("reco_events_rejected_total{reason=%q} 1", reason)) {
			t.Errorf("rejection %s not counted:\n%s", reason, sb.String())
		}
	}
}

// TestHostileHTTPRequests: oversized carts, huge bodies and junk answer
// 4xx, never 500, and the server keeps serving.
func TestHostileHTTPRequests(t *testing.T) {
	n := startNode(t, Config{})
	base := "http://" + n.HTTPAddr()
	hugeCart := strings.TrimSuffix(strings.Repeat("i1,", 100_000), ",")
	tests := []struct {
		name, method, path, body string
	}{
		{"100k-item cart", "GET", "/v1/recommend/cross-sell?cart=" + hugeCart, ""},
		{"600-item exclude", "GET", "/v1/recommend/feed?exclude=" + strings.TrimSuffix(strings.Repeat("a,", 600), ","), ""},
		{"n overflow", "GET", "/v1/recommend/feed?n=99999999999999999999", ""},
		{"NaN price", "GET", "/v1/recommend/feed?min_price=NaN", ""},
		{"body over the limit", "POST", "/v1/events", strings.Repeat("x", 17<<20)},
		{"binary body", "POST", "/v1/events", "\x00\x01\x02\xff"},
	}
	for _, tt := range tests {
		req, _ := http.NewRequest(tt.method, base+tt.path, strings.NewReader(tt.body))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			// The server may close the connection on a request it will
			// not read (too large); that is a refusal, not a crash.
			continue
		}
		resp.Body.Close()
		if resp.StatusCode < 400 || resp.StatusCode >= 500 {
			t.Errorf("%s: %d, want 4xx", tt.name, resp.StatusCode)
		}
	}
	resp, err := http.Get(base + "/healthz")
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("server unhealthy after hostile requests: %v", err)
	}
	resp.Body.Close()
}
