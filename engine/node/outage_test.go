package node

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/segmentio/kafka-go"

	"reco/engine/broker"
)

// TestBrokerOutage stops the Kafka broker under a running node: answers
// go on from memory, /readyz says why it is not ready, and once the broker
// is back (with its data) the node catches up and is ready again.
func TestBrokerOutage(t *testing.T) {
	dir := t.TempDir()
	b, err := broker.Start(broker.Config{Addr: "127.0.0.1:0", Topics: []string{"reco.events", "reco.catalog"}, DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	addr := b.Addr()
	n, err := Start(context.Background(), Config{HTTPAddr: "127.0.0.1:0", Brokers: []string{addr},
		Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	defer n.Close()
	waitFor(t, "ready", func() bool { ok, _ := n.Consumer.Ready(); return ok })
	w := &kafka.Writer{Addr: kafka.TCP(addr), Topic: "reco.events", BatchTimeout: time.Millisecond, RequiredAcks: kafka.RequireAll}
	if err := w.WriteMessages(context.Background(), kafka.Message{Key: []byte("a"), Value: []byte(`{"type":"view","user":"a","item":"x","ts":1}`)}); err != nil {
		t.Fatal(err)
	}
	w.Close()
	waitFor(t, "first event", func() bool { i, ok := n.Engine.ItemInfo("x"); return ok && i.Views == 1 })

	b.Close()
	base := "http://" + n.HTTPAddr()
	waitFor(t, "not ready while the broker is down", func() bool {
		resp, err := http.Get(base + "/readyz")
		if err != nil {
			return false
		}
		defer resp.Body.Close()
		var body struct{ Reason string }
		json.NewDecoder(resp.Body).Decode(&body)
		return resp.StatusCode == 503 && strings.Contains(body.Reason, "kafka")
	})
	resp, err := http.Get(base + "/v1/recommend/similar?item=x")
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("serving stopped with the broker: %v %v", err, resp)
	}
	resp.Body.Close()

	b2, err := broker.Start(broker.Config{Addr: addr, Topics: []string{"reco.events", "reco.catalog"}, DataDir: dir})
	if err != nil {
		t.Fatalf("restarting the broker on %s: %v", addr, err)
	}
	defer b2.Close()
	w = &kafka.Writer{Addr: kafka.TCP(addr), Topic: "reco.events", BatchTimeout: time.Millisecond, RequiredAcks: kafka.RequireAll}
	defer w.Close()
	waitFor(t, "write after the broker is back", func() bool {
		return w.WriteMessages(context.Background(), kafka.Message{Key: []byte("b"), Value: []byte(`{"type":"view","user":"b","item":"x","ts":2,"id":"after"}`)}) == nil
	})
	waitFor(t, "caught up after the outage", func() bool { i, _ := n.Engine.ItemInfo("x"); return i.Views == 2 })
	waitFor(t, "ready again", func() bool { ok, _ := n.Consumer.Ready(); return ok })
}
