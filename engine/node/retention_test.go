package node

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/segmentio/kafka-go"

	"reco/engine/broker"
)

// TestResumesWhereTheLogNowStarts restarts a node whose snapshot points
// into a log that no longer holds those offsets. Records deleted before
// they were applied (retention, DeleteRecords) are counted as lost and the
// node goes on from the log's start; a log wiped and started again is
// replayed from its start. Either way the node catches up with what the
// log holds and is ready, instead of failing its fetches for ever.
func TestResumesWhereTheLogNowStarts(t *testing.T) {
	topics := []string{"reco.events", "reco.catalog"}
	t.Run("deleted before applied", func(t *testing.T) {
		dir := t.TempDir()
		b, err := broker.Start(broker.Config{Addr: "127.0.0.1:0", Topics: topics, DataDir: dir + "/kafka"})
		if err != nil {
			t.Fatal(err)
		}
		defer b.Close()
		n := startExternal(t, b.Addr(), dir)
		produceViews(t, b.Addr(), 0, 10)
		waitFor(t, "10 views", func() bool { return views(n) == 10 })
		if err := n.Close(); err != nil {
			t.Fatal(err)
		}

		produceViews(t, b.Addr(), 10, 20) // never applied: deleted next
		for p := range 4 {
			if err := b.DeleteRecords("reco.events", p, -1); err != nil {
				t.Fatal(err)
			}
		}
		// Two partitions get a new event: the others' offsets move only
		// by what the node records for their deleted records.
		produceViews(t, b.Addr(), 20, 22)
		n = startExternal(t, b.Addr(), dir)
		waitFor(t, "the 2 views after the deleted ones", func() bool { return views(n) == 12 })
		// Ready waits for every partition whose log lost the node's
		// offset, those now empty too: their losses are counted by then.
		waitFor(t, "ready", func() bool { ok, _ := n.Consumer.Ready(); return ok })
		if got := metric(t, n, "reco_events_lost_total"); got != 10 {
			t.Errorf("reco_events_lost_total = %v, want 10 (offsets 10-19 deleted)", got)
		}
		if err := n.Close(); err != nil {
			t.Fatal(err)
		}

		// The snapshot now holds the new position: nothing is lost again,
		// including on the partitions that got no new event (each
		// produceViews writer starts its round robin at partition 0: the
		// two events above went to partitions 0 and 1).
		n = startExternal(t, b.Addr(), dir)
		defer n.Close()
		produceViews(t, b.Addr(), 30, 34) // one per partition
		waitFor(t, "a view on every partition after a second restart", func() bool { return views(n) == 16 })
		waitFor(t, "ready after a second restart", func() bool { ok, _ := n.Consumer.Ready(); return ok })
		if got := metric(t, n, "reco_events_lost_total"); got != 0 {
			t.Errorf("after a second restart reco_events_lost_total = %v, want 0", got)
		}
	})
	t.Run("log wiped", func(t *testing.T) {
		dir := t.TempDir()
		b, err := broker.Start(broker.Config{Addr: "127.0.0.1:0", Topics: topics}) // in memory
		if err != nil {
			t.Fatal(err)
		}
		addr := b.Addr()
		n := startExternal(t, addr, dir)
		produceViews(t, addr, 0, 10)
		waitFor(t, "10 views", func() bool { return views(n) == 10 })
		if err := n.Close(); err != nil {
			t.Fatal(err)
		}
		b.Close()

		b, err = broker.Start(broker.Config{Addr: addr, Topics: topics}) // an empty log on the same address
		if err != nil {
			t.Fatalf("restarting the broker on %s: %v", addr, err)
		}
		defer b.Close()
		produceViews(t, addr, 100, 103)
		n = startExternal(t, addr, dir)
		defer n.Close()
		waitFor(t, "the 3 views of the new log", func() bool { return views(n) == 13 })
		waitFor(t, "ready", func() bool { ok, _ := n.Consumer.Ready(); return ok })
		if got := metric(t, n, "reco_events_lost_total"); got != 0 {
			t.Errorf("reco_events_lost_total = %v, want 0 (nothing was deleted unapplied)", got)
		}
	})
}

// startExternal starts a node on the broker at addr, keeping its
// snapshots in dataDir.
func startExternal(t *testing.T, addr, dataDir string) *Node {
	t.Helper()
	n, err := Start(context.Background(), Config{HTTPAddr: "127.0.0.1:0", Brokers: []string{addr}, DataDir: dataDir,
		Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// produceViews writes views of item x by users u<from>..u<to-1>, with ids,
// spread over the partitions by their keys.
func produceViews(t *testing.T, addr string, from, to int) {
	t.Helper()
	w := &kafka.Writer{Addr: kafka.TCP(addr), Topic: "reco.events", BatchTimeout: time.Millisecond, RequiredAcks: kafka.RequireAll}
	defer w.Close()
	for i := from; i < to; i++ {
		v := fmt.Sprintf(`{"type":"view","user":"u%d","item":"x","ts":%d,"id":"v%d"}`, i, 1_700_000_000_000+i, i)
		if err := w.WriteMessages(context.Background(), kafka.Message{Key: []byte(fmt.Sprint("u", i)), Value: []byte(v)}); err != nil {
			t.Fatal(err)
		}
	}
}

func views(n *Node) int64 {
	i, _ := n.Engine.ItemInfo("x")
	return i.Views
}

// metric reads an unlabelled series from the node's /metrics.
func metric(t *testing.T, n *Node, name string) float64 {
	t.Helper()
	resp, err := http.Get("http://" + n.HTTPAddr() + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(io.LimitReader(resp.Body, 1<<20))
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), name+" "); ok {
			f, err := strconv.ParseFloat(v, 64)
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			return f
		}
	}
	t.Fatalf("%s not in /metrics", name)
	return 0
}
