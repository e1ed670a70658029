package engine

import (
	"fmt"
	"sync"
	"testing"
	"time"
)

// TestAnswersTakeTurns holds the engine's write lock, as the applier does
// while it applies a batch, and asks for more answers than
// MaxConcurrentAnswers lets in: as many as it allows take a turn and wait
// for the lock, the rest wait for a turn without holding anything (and
// are counted); once the lock is released every answer is computed and
// every turn given back.
func TestAnswersTakeTurns(t *testing.T) {
	for _, turns := range []int{1, 2, 3} {
		t.Run(fmt.Sprintf("%d turns", turns), func(t *testing.T) {
			e := New(Config{MaxConcurrentAnswers: turns})
			ts := int64(1_700_000_000_000)
			for i := range 20 {
				mustApply(t, e, Event{Type: "view", User: fmt.Sprintf("u%d", i%4), Item: fmt.Sprintf("i%d", i%7), TS: ts + int64(i)})
			}
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
