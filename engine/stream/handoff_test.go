package stream

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"
)

func TestHandoffKeepsOrderAcrossBatches(t *testing.T) {
	ctx := context.Background()
	h := newHandoff[int](8, 1)
	done := make(chan []int)
	go func() {
		var got, buf []int
		for {
			batch, err := h.take(ctx, buf)
			got = append(got, batch...)
			if err != nil {
				done <- got
				return
			}
			buf = batch
		}
	}()
	for i := 0; i < 1000; i++ {
		if err := h.putAll(ctx, []int{i}); err != nil {
			t.Fatal(err)
		}
	}
	h.close(errors.New("end"))
	got := <-done
	if len(got) != 1000 {
		t.Fatalf("took %d items, want 1000", len(got))
	}
	for i, v := range got {
		if v != i {
			t.Fatalf("item %d is %d: order lost", i, v)
		}
	}
}

func TestHandoffPutWaitsWhileFull(t *testing.T) {
	ctx := context.Background()
	h := newHandoff[int](2, 1)
	for i := 0; i < 2; i++ {
		if err := h.putAll(ctx, []int{i}); err != nil {
			t.Fatal(err)
		}
	}
	put := make(chan error, 1)
	go func() {
		x := 2
		put <- h.putAll(ctx, []int{x})
	}()
	select {
	case err := <-put:
		t.Fatalf("put into a full queue returned (%v) before anything was taken", err)
	case <-time.After(50 * time.Millisecond):
	}
	batch, err := h.take(ctx, nil)
	if err != nil || len(batch) != 2 {
		t.Fatalf("take = %v, %v; want the 2 queued items", batch, err)
	}
	if err := <-put; err != nil {
		t.Fatalf("put after take: %v", err)
	}
	batch, _ = h.take(ctx, nil)
	if len(batch) != 1 || batch[0] != 2 {
		t.Fatalf("second take = %v, want [2]", batch)
	}
}

func TestHandoffEndsWithCloseOrContext(t *testing.T) {
	h := newHandoff[int](4, 1)
	x := 7
	h.putAll(context.Background(), []int{x})
	want := errors.New("broker gone")
	h.close(want)
	// What was queued before close is still delivered, then the error.
	if batch, err := h.take(context.Background(), nil); err != nil || len(batch) != 1 {
		t.Fatalf("take after close = %v, %v; want the queued item first", batch, err)
	}
	if _, err := h.take(context.Background(), nil); err != want {
		t.Fatalf("take on a closed, empty queue: %v, want %v", err, want)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := newHandoff[int](1, 1).take(ctx, nil); !errors.Is(err, context.Canceled) {
		t.Fatalf("take with a cancelled context: %v", err)
	}
	full := newHandoff[int](1, 1)
	full.putAll(context.Background(), []int{x})
	if err := full.putAll(ctx, []int{x}); !errors.Is(err, context.Canceled) {
		t.Fatalf("put into a full queue with a cancelled context: %v", err)
	}
}

// Fewer items than wakeAt wait for flush (the fetcher calls it when a
// fetch's messages are all queued); wakeAt items wake the taker at once.
func TestHandoffWakesAtThresholdOrFlush(t *testing.T) {
	ctx := context.Background()
	h := newHandoff[int](8, 3)
	got := make(chan []int)
	taker := func() {
		b, err := h.take(ctx, nil)
		if err != nil {
			t.Error(err)
		}
		got <- b
	}
	go taker()
	for i := 1; i <= 2; i++ {
		if err := h.putAll(ctx, []int{i}); err != nil {
			t.Fatal(err)
		}
	}
	select {
	case b := <-got:
		t.Fatalf("take returned %v: woken below the threshold, before flush", b)
	case <-time.After(50 * time.Millisecond):
	}
	h.flush()
	if b := <-got; !slices.Equal(b, []int{1, 2}) {
		t.Fatalf("after flush: %v, want [1 2]", b)
	}
	go taker()
	for i := 3; i <= 5; i++ {
		if err := h.putAll(ctx, []int{i}); err != nil {
			t.Fatal(err)
		}
	}
	if b := <-got; !slices.Equal(b, []int{3, 4, 5}) {
		t.Fatalf("after reaching the threshold: %v, want [3 4 5]", b)
	}
}
