package engine

import (
	"context"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"testing"

	"reco/models"
)

// TestTrainingBlocksNeitherServingNorIngest starts a training big enough
// to take a while and, while it is provably still running, applies
// events and answers requests.
func TestTrainingBlocksNeitherServingNorIngest(t *testing.T) {
	e := New(Config{Logger: slog.New(slog.DiscardHandler), EASE: models.EASEConfig{MaxItems: 2500, MinUsers: 1}})
	rng := rand.New(rand.NewPCG(5, 5))
	for u := 0; u < 3000; u++ {
		for k := 0; k < 30; k++ {
			e.Apply(&Event{Type: "view", User: fmt.Sprintf("u%d", u), Item: fmt.Sprintf("i%d", rng.IntN(2500)), TS: int64(1 + u*30 + k)})
		}
	}
	done := make(chan error, 1)
	go func() { done <- e.Train(context.Background()) }()
	// Wait until the trainer holds its lock: training has started.
	for e.trainMu.TryLock() {
		e.trainMu.Unlock()
	}
	for i := 0; i < 50; i++ {
		if err := e.Apply(&Event{Type: "view", User: "during", Item: fmt.Sprintf("i%d", i), TS: 1_000_000 + int64(i)}); err != nil {
			t.Fatal(err)
		}
		if _, err := e.Recommend(&Request{Slot: SlotFeed, User: "during", N: 5}); err != nil {
			t.Fatal(err)
		}
	}
	if e.trainMu.TryLock() {
		e.trainMu.Unlock()
		// A 2,500-item EASE is ~16 GFLOP: far longer than 50 small requests.
		t.Fatal("training finished before the checks ran: the test proves nothing; give it more items")
	}
	if u, _ := e.UserInfo("during"); u.HistoryLength != 50 {
		t.Fatalf("ingest during training: history %d, want 50", u.HistoryLength)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

// TestTrainingRowsCopyEveryUserOnce: the copy goes a slice of users per
// read lock; every consenting user with a history must come out exactly
// once, across the slices' boundaries, with the items they interacted with.
func TestTrainingRowsCopyEveryUserOnce(t *testing.T) {
	const users = 3*trainingSlice + 7
	e := New(Config{Logger: slog.New(slog.DiscardHandler)})
	no := false
	for u := 0; u < users; u++ {
		name := fmt.Sprintf("u%d", u)
		e.Apply(&Event{Type: "view", User: name, Item: fmt.Sprintf("i%d", u), TS: int64(1 + u)})
		if u%100 == 0 { // withdrew consent: not trained on
			e.Apply(&Event{Type: "user", User: name, Consent: &no, TS: int64(1 + u)})
		}
	}
	rows := e.trainingRows()
	seen := map[string]int{}
	for _, r := range rows {
		if len(r) != 1 {
			t.Fatalf("row %+v, want the user's one item", r)
		}
		seen[e.catalog.Item(r[0].Item).ID]++
	}
	want := users - (users+99)/100
	if len(rows) != want || len(seen) != want {
		t.Fatalf("%d rows over %d distinct items, want %d each", len(rows), len(seen), want)
	}
	if seen["i0"] != 0 || seen["i1"] != 1 || seen[fmt.Sprintf("i%d", users-1)] != 1 {
		t.Fatalf("i0 (no consent) %d, i1 %d, last %d; want 0, 1, 1", seen["i0"], seen["i1"], seen[fmt.Sprintf("i%d", users-1)])
	}
}
