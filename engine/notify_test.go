package engine

import (
	"sync"
	"testing"
	"time"
)

// TestNotifyCapHoldsUnderConcurrentCalls: notification systems may send
// several batches at once, and a user can be in more than one. However
// many Notify calls for one user run side by side, no more answers go out
// than the daily cap allows.
func TestNotifyCapHoldsUnderConcurrentCalls(t *testing.T) {
	const capPerDay = 3
	e := New(Config{NotifyCapPerDay: capPerDay})
	ts := int64(1_700_000_000_000)
	for i, item := range []string{"a", "b", "c", "d", "e", "f", "g", "h"} {
		if err := e.Apply(&Event{Type: TypeItem, Item: item, Price: 10, TS: ts}); err != nil {
			t.Fatal(err)
		}
		if err := e.Apply(&Event{Type: "view", User: "other", Item: item, TS: ts + int64(i)}); err != nil {
			t.Fatal(err)
		}
	}
	// The shopper viewed one item: the seven others can be recommended.
	if err := e.Apply(&Event{Type: "view", User: "shopper", Item: "a", TS: ts + 10}); err != nil {
		t.Fatal(err)
	}
	now := time.UnixMilli(ts + 60_000)
	var (
		wg        sync.WaitGroup
		mu        sync.Mutex
		delivered int
	)
	for range 32 {
		wg.Go(func() {
			resp, out, err := e.Notify(&Request{Slot: SlotFeed, User: "shopper", N: 1}, "email", now)
			if err != nil {
				t.Error(err)
				return
			}
			if resp != nil && len(resp.Items) > 0 && out.Skipped == "" {
				mu.Lock()
				delivered++
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if delivered != capPerDay {
		t.Fatalf("%d notifications delivered to one user by 32 concurrent calls, want the cap, %d", delivered, capPerDay)
	}
}
