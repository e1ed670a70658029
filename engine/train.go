package engine

import (
	"context"
	"fmt"
	"sync"
	"time"

	"reco/features"
	"reco/models"
)

// Train fits the EASE model on the current user histories and swaps it in.
// It holds the read lock only while copying the histories, a slice of
// users at a time, so serving and ingest go on during the copy and during
// the expensive part. Concurrent calls are serialised.
func (e *Engine) Train(ctx context.Context) error {
	e.trainMu.Lock()
	defer e.trainMu.Unlock()
	start := time.Now()
	ver := e.version.Load()
	rows := e.trainingRows()
	m, err := models.TrainEASE(ctx, rows, e.cfg.EASE)
	if err != nil {
		e.stats.TrainFails.Add(1)
		return fmt.Errorf("training on %d users: %w", len(rows), err)
	}
	e.ease.Store(m)
	e.modelVersion.Add(1)
	e.trainedAt.Store(ver)
	e.stats.Trainings.Add(1)
	e.stats.TrainNanos.Store(int64(time.Since(start)))
	e.cfg.Logger.Info("model trained", "model", "ease", "users", m.Users, "items", m.Items(),
		"lambda", m.Lambda, "took", time.Since(start).Round(time.Millisecond))
	return nil
}

// trainingRows copies every consenting user's seeds, weighted as a query
// would see them and decayed relative to the user's own last event: a
// user who shopped months ago still counts fully as evidence of which items
// go together, while within each user recent interest weighs more.
//
// The copy takes the read lock for trainingSlice users at a time: it
// costs ~0.6 µs per user (BenchmarkTrainingRows: 61 ms for 100,000 users
// of ~10 events), so at a million users the applier — and every request
// arriving after it — would wait most of a second. Users who act
// meanwhile are copied before or after their event; either is a valid
// history to train on.
func (e *Engine) trainingRows() [][]models.Seed {
	var pos itemSet
	var kinds []features.Kind
	var rows [][]models.Seed
	for from, more := 0, true; more; from += trainingSlice {
		e.mu.RLock()
		if rows == nil {
			rows = make([][]models.Seed, 0, e.users.Live())
		}
		end := min(from+trainingSlice, e.users.Len())
		more = end < e.users.Len()
		for i := from; i < end; i++ {
			u := e.users.User(features.UserID(i))
			if u.ID == "" || !u.Consent || u.HistoryLen() == 0 {
				continue
			}
			pos.reset(e.catalog.Len())
			var seeds []models.Seed
			seeds, kinds = e.appendSeeds(u, u.LastTS, &pos, nil, nil, kinds[:0])
			if len(seeds) > 0 {
				rows = append(rows, seeds)
			}
		}
		e.mu.RUnlock()
	}
	return rows
}

// trainingSlice is how many users trainingRows copies per read lock:
// ~80 µs, about what the applier holds the write lock for per batch.
const trainingSlice = 128

// Run does the engine's background work until ctx ends: it applies
// co-occurrence updates on a goroutine of their own (pairs.go), refreshes the
// item-to-item neighbour lists and the popular list every NeighborRefresh
// (requests then never rebuild them), and retrains the
// EASE model every TrainInterval when at least TrainMinEvents events
// arrived since the last training. A failed training is logged and retried
// at the next tick; the previous model keeps serving.
func (e *Engine) Run(ctx context.Context) {
	e.popular.SetBackground(true)
	defer e.popular.SetBackground(false)
	var wg sync.WaitGroup
	wg.Add(2)
	go func() {
		defer wg.Done()
		e.trainLoop(ctx)
	}()
	go func() {
		defer wg.Done()
		e.runPairWorker(ctx)
	}()
	t := time.NewTicker(e.cfg.NeighborRefresh)
	defer t.Stop()
	from := 0       // where the previous tick's neighbour refresh stopped
	var seen uint64 // the version at the previous tick
	defer e.ingesting.Store(false)
	for {
		select {
		case <-ctx.Done():
			wg.Wait()
			return
		case <-t.C:
			seen = e.noteIngest(seen)
			e.kickPairs() // fresh pairs for the refresh, even when ingest is slow
			// A quarter of the interval at most: under heavy ingest every
			// row changes all the time, and recomputing them all would
			// take a core from ingest. Lists get staler instead.
			from, _ = e.refreshNeighborsUntil(from, time.Now().Add(e.cfg.NeighborRefresh/4), e.cfg.NeighborMinAge)
			e.popular.Refresh(e.appliedClock.Load(), e.version.Load(), e.mu.RLocker())
		}
	}
}

// refreshSlice is how many items the neighbour refresh visits per read
// lock of the co-occurrence table: the pair worker waiting for the lock
// (and every request arriving after it) waits at most that long. A popular item's row has up to
// CoOccurrenceMaxRow partners (~10–20 µs to recompute); 4 items per lock
// instead of 16 measured 5–10 % more ingest (loadgen --mode ingest,
// 1 M events).
const refreshSlice = 4

// RefreshNeighbors recomputes every neighbour list whose co-occurrence row
// changed since it was computed. Run refreshes within a time budget
// instead; call this directly after a bulk load to serve fresh lists at
// once.
func (e *Engine) RefreshNeighbors() (recomputed int) {
	_, recomputed = e.refreshNeighborsUntil(0, time.Time{}, 0)
	return recomputed
}

// refreshNeighborsUntil refreshes neighbour lists from item from on until
// deadline (zero: none) or the end of the catalog, leaving lists the
// refresh computed less than minAge ago, and returns where the next call
// goes on (0: from the start) and how many lists it recomputed.
func (e *Engine) refreshNeighborsUntil(from int, deadline time.Time, minAge time.Duration) (next, recomputed int) {
	for {
		// Only the co-occurrence table's lock: lists are derived from it
		// alone, and its writer is the pair worker, not the applier, which
		// would otherwise wait for every slice (models.ItemKNN).
		e.coocMu.RLock()
		var n int
		next, n = e.itemKNN.Refresh(e.appliedClock.Load(), from, refreshSlice, time.Now().UnixNano(), minAge.Nanoseconds())
		e.coocMu.RUnlock()
		recomputed += n
		if next == 0 || (!deadline.IsZero() && time.Now().After(deadline)) {
			return next, recomputed
		}
		from = next
	}
}

func (e *Engine) trainLoop(ctx context.Context) {
	t := time.NewTicker(e.cfg.TrainInterval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if e.version.Load()-e.trainedAt.Load() < e.cfg.TrainMinEvents {
			continue
		}
		if err := e.Train(ctx); err != nil && ctx.Err() == nil {
			e.cfg.Logger.Warn("training failed; the previous model keeps serving", "err", err)
		}
	}
}
