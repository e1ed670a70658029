package engine

import (
	"bytes"
	"context"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"reco/features"
)

// TestPairWorkerMatchesApplyingAtOnce feeds the same events to an engine
// whose co-occurrence updates go through Run's worker and to one that
// applies them at once: the tables must be identical once a snapshot has
// been written (it waits for the worker), in the snapshot itself, and
// after Run stopped.
func TestPairWorkerMatchesApplyingAtOnce(t *testing.T) {
	cfg := Config{CoOccurrenceMaxRow: 16} // small rows: pruning happens too
	evs := benchEvents(300, 30, 120)
	// Carts and purchases make baskets, which the worker counts too; item
	// deletions forget an item's baskets, after what is queued for it.
	for i := range evs {
		switch i % 4 {
		case 1:
			evs[i].Type, evs[i].Value = "cart", 0
		case 2:
			evs[i].Type, evs[i].Value = "purchase", 0
		}
		if i%2000 == 1999 {
			evs[i] = Event{Type: TypeItemDelete, Item: fmt.Sprintf("i%d", i/2000), TS: evs[i].TS}
		}
	}

	sync := New(cfg)
	for i := range evs {
		if err := sync.Apply(&evs[i]); err != nil {
			t.Fatal(err)
		}
	}

	async := New(cfg)
	ctx, cancel := context.WithCancel(context.Background())
	ran := make(chan struct{})
	go func() { async.Run(ctx); close(ran) }()
	deadline := time.Now().Add(10 * time.Second)
	for async.pairs.Load() == nil {
		if time.Now().After(deadline) {
			t.Fatal("Run did not start the pair worker")
		}
		time.Sleep(time.Millisecond)
	}
	q := async.pairs.Load()
	msgs := make([]*Message, 0, 32)
	for i := range evs {
		msgs = append(msgs, &Message{Pos: Position{"t", 0}, Offset: int64(i), Event: evs[i]})
		if len(msgs) == cap(msgs) || i == len(evs)-1 {
			async.ApplyMessages(msgs)
			msgs = msgs[:0]
		}
	}
	var snap bytes.Buffer
	if err := async.WriteSnapshot(&snap); err != nil {
		t.Fatal(err)
	}
	q.mu.Lock()
	taken := q.taken
	q.mu.Unlock()
	if taken == 0 {
		t.Fatal("the worker applied no batch: the test did not exercise it")
	}
	want := sync.cooc.Export()
	async.coocMu.RLock()
	got := async.cooc.Export()
	async.coocMu.RUnlock()
	if !reflect.DeepEqual(got, want) {
		t.Fatal("co-occurrence through the worker differs from applying at once")
	}
	async.coocMu.RLock()
	gotBaskets := async.baskets.Export()
	async.coocMu.RUnlock()
	if wantBaskets := sync.baskets.Export(); !reflect.DeepEqual(gotBaskets, wantBaskets) {
		t.Fatal("baskets through the worker differ from applying at once")
	}
	if sync.baskets.Total() == 0 || sync.baskets.Support(sync.mustItem(t, "i5"), sync.mustItem(t, "i6")) == 0 {
		t.Fatal("the events made no baskets: the test did not exercise them")
	}
	restored, err := ReadSnapshot(&snap, cfg)
	if err != nil {
		t.Fatal(err)
	}
	var syncSnap bytes.Buffer
	if err := sync.WriteSnapshot(&syncSnap); err != nil {
		t.Fatal(err)
	}
	syncRestored, err := ReadSnapshot(&syncSnap, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(restored.cooc.Export(), syncRestored.cooc.Export()) ||
		!reflect.DeepEqual(restored.baskets.Export(), syncRestored.baskets.Export()) {
		t.Fatal("the snapshot's co-occurrence or baskets differ: it was written before the worker caught up")
	}

	// After Run, updates are applied at once again, and nothing queued is lost.
	cancel()
	<-ran
	if async.pairs.Load() != nil {
		t.Fatal("the worker's queue is still installed after Run returned")
	}
	extra := benchEvents(20, 5, 120)
	for i := range extra {
		if err := sync.Apply(&extra[i]); err != nil {
			t.Fatal(err)
		}
		if err := async.Apply(&extra[i]); err != nil {
			t.Fatal(err)
		}
	}
	if !reflect.DeepEqual(async.cooc.Export(), sync.cooc.Export()) {
		t.Fatal("after Run stopped, co-occurrence differs")
	}
}

func (e *Engine) mustItem(t *testing.T, name string) features.ItemID {
	t.Helper()
	id, ok := e.catalog.Lookup(name)
	if !ok {
		t.Fatalf("item %q unknown", name)
	}
	return id
}

// TestRepeatedInteractionPairsOnce: an interaction that repeats one in
// the user's co-occurrence window, at most as strong, changes neither its
// pairs nor its item's occurrence; a stronger one, or one whose earlier
// twin has left the window, still counts.
func TestRepeatedInteractionPairsOnce(t *testing.T) {
	for _, tc := range []struct {
		name   string
		window int
		before []string // "kind item", in order; then the last one
		last   string
		counts bool // whether the last one changes Pair(a, b) and Occurrence(a)
	}{
		{"a view repeating a view", 20, []string{"view a", "view b"}, "view a", false},
		{"a view repeating a purchase", 20, []string{"purchase a", "view b"}, "view a", false},
		{"a click after a view", 20, []string{"view a", "view b"}, "click a", true},
		{"a cart after a view", 20, []string{"view a", "view b"}, "cart a", true},
		{"a view whose twin left the window", 2, []string{"view a", "view b", "view c", "view d"}, "view a", true},
		{"a view whose twin is still in the window", 3, []string{"view a", "view b", "view c"}, "view a", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := New(Config{CoOccurrenceWindow: tc.window})
			ts := int64(1_700_000_000_000)
			apply := func(s string) {
				kind, item, _ := strings.Cut(s, " ")
				ts += 1000
				mustApply(t, e, Event{Type: kind, User: "u", Item: item, Price: 10, TS: ts})
			}
			for _, s := range tc.before {
				apply(s)
			}
			a, _ := e.catalog.Lookup("a")
			b, _ := e.catalog.Lookup("b")
			pair, occ := e.cooc.Pair(a, b), e.cooc.Occurrence(a)
			apply(tc.last)
			pair2, occ2 := e.cooc.Pair(a, b), e.cooc.Occurrence(a)
			if counted := pair2 != pair || occ2 != occ; counted != tc.counts {
				t.Fatalf("after %q: pair(a, b) %g → %g, occurrence(a) %g → %g; want counted = %v",
					tc.last, pair, pair2, occ, occ2, tc.counts)
			}
		})
	}
}
