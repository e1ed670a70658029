package engine

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"
)

// turnsShop returns an engine holding a few users' views that lets
// turns answers be computed at once.
func turnsShop(t *testing.T, turns int) *Engine {
	t.Helper()
	e := New(Config{MaxConcurrentAnswers: turns})
	ts := int64(1_700_000_000_000)
	for i := range 20 {
		mustApply(t, e, Event{Type: "view", User: fmt.Sprintf("u%d", i%4), Item: fmt.Sprintf("i%d", i%7), TS: ts + int64(i)})
	}
	return e
}

// TestAnswersTakeTurns holds the engine's write lock, as the applier does
// while it applies a batch, and asks for more answers than
// MaxConcurrentAnswers lets in: as many as it allows take a turn and wait
// for the lock, the rest wait for a turn without holding anything (and
// are counted); once the lock is released every answer is computed and
// every turn given back.
func TestAnswersTakeTurns(t *testing.T) {
	for _, turns := range []int{1, 2, 3} {
		t.Run(fmt.Sprintf("%d turns", turns), func(t *testing.T) {
			e := turnsShop(t, turns)
			e.ingesting.Store(true)
			const waiting = 2
			e.mu.Lock()
			var wg sync.WaitGroup
			errs := make(chan error, turns+waiting)
			for i := range turns + waiting {
				wg.Go(func() {
					resp, err := e.Recommend(&Request{Slot: SlotFeed, User: fmt.Sprintf("u%d", i%4), N: 3})
					if err == nil && len(resp.Items) == 0 {
						err = fmt.Errorf("u%d: empty feed", i%4)
					}
					errs <- err
				})
			}
			// Not a timing assertion: the deadline only turns a hang into a
			// failure.
			deadline := time.Now().Add(10 * time.Second)
			for len(e.answerTurns) != turns || e.stats.AnswerWaits.Load() != waiting {
				if time.Now().After(deadline) {
					e.mu.Unlock()
					t.Fatalf("with the write lock held: %d turns taken, %d answers waiting for one; want %d and %d",
						len(e.answerTurns), e.stats.AnswerWaits.Load(), turns, waiting)
				}
				time.Sleep(time.Millisecond)
			}
			e.mu.Unlock()
			done := make(chan struct{})
			go func() { wg.Wait(); close(done) }()
			select {
			case <-done:
			case <-time.After(10 * time.Second):
				t.Fatalf("answers still waiting with the lock free: %d turns taken", len(e.answerTurns))
			}
			close(errs)
			for err := range errs {
				if err != nil {
					t.Error(err)
				}
			}
			if n := len(e.answerTurns); n != 0 {
				t.Fatalf("%d turns still taken after every answer returned", n)
			}
		})
	}
}

// TestAnswersTakeTurnsOnlyWhileIngesting takes the only turn itself: an
// answer asked while events are being applied waits for it (and is
// counted), one asked while nothing is applied goes straight in.
func TestAnswersTakeTurnsOnlyWhileIngesting(t *testing.T) {
	for _, ingesting := range []bool{false, true} {
		t.Run(fmt.Sprintf("ingesting %v", ingesting), func(t *testing.T) {
			e := turnsShop(t, 1)
			e.ingesting.Store(ingesting)
			e.answerTurns <- struct{}{}
			done := make(chan error, 1)
			go func() {
				_, err := e.Recommend(&Request{Slot: SlotFeed, User: "u1", N: 3})
				done <- err
			}()
			if ingesting {
				deadline := time.Now().Add(10 * time.Second)
				for e.stats.AnswerWaits.Load() != 1 {
					if time.Now().After(deadline) {
						t.Fatal("the answer did not wait for the turn the test holds")
					}
					time.Sleep(time.Millisecond)
				}
				<-e.answerTurns
			}
			select {
			case err := <-done:
				if err != nil {
					t.Fatal(err)
				}
			case <-time.After(10 * time.Second):
				t.Fatal("the answer never came")
			}
			if !ingesting {
				<-e.answerTurns
			}
			if got, want := e.stats.AnswerWaits.Load(), map[bool]uint64{false: 0, true: 1}[ingesting]; got != want {
				t.Fatalf("%d answers waited, want %d", got, want)
			}
		})
	}
}

// TestRunNotesIngest: Run's tick turns the answers' turns on once events
// are applied and off again once none arrive.
func TestRunNotesIngest(t *testing.T) {
	e := New(Config{NeighborRefresh: time.Millisecond})
	ctx, cancel := context.WithCancel(t.Context())
	stopped := make(chan struct{})
	go func() { e.Run(ctx); close(stopped) }()
	defer func() { cancel(); <-stopped }()
	waitFor := func(want bool, apply bool) {
		t.Helper()
		deadline := time.Now().Add(10 * time.Second)
		for i := 0; e.ingesting.Load() != want; i++ {
			if time.Now().After(deadline) {
				t.Fatalf("ingesting = %v, want %v", !want, want)
			}
			if apply {
				mustApply(t, e, Event{Type: "view", User: "u1", Item: fmt.Sprintf("i%d", i%5), TS: 1_700_000_000_000 + int64(i)})
			}
			time.Sleep(time.Millisecond)
		}
	}
	waitFor(true, true)
	waitFor(false, false)
}
