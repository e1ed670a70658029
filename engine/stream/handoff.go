package stream

import (
	"context"
	"sync"
)

// handoff passes items from goroutines to another in batches: producers
// put a few items at a time, the consumer takes everything queued so far
// in one call. It is how the fetching goroutines (one per partition: kafka-go
// and decoding) and the applying goroutine (the engine's write lock) run
// on two cores at once, without a channel operation per message.
//
// About max items wait at most; putAll blocks beyond that, so a slow
// engine slows fetching instead of queueing the topic in memory.
type handoff[T any] struct {
	mu     sync.Mutex
	queued []T
	err    error         // set by close: why no more items will come
	ready  chan struct{} // signalled when items or err arrive
	// space is closed when take empties the queue, waking every producer
	// waiting for room (each partition's fetcher is one), and replaced.
	space chan struct{}
	max   int
	// wakeAt is how many queued items wake the consumer; fewer wait for
	// flush. A wake-up per item would cost the consumer a scheduler round
	// trip per message whenever it keeps up.
	wakeAt  int
	flushed bool // flush was called since the last take: take what is queued
}

func newHandoff[T any](capacity, wakeAt int) *handoff[T] {
	return &handoff[T]{
		queued: make([]T, 0, capacity),
		ready:  make(chan struct{}, 1),
		space:  make(chan struct{}),
		max:    capacity,
		wakeAt: min(max(wakeAt, 1), capacity),
	}
}

// putAll queues xs (copies of them), waiting while the queue is full; the
// queue may then exceed its bound by up to len(xs)-1 items. It returns
// ctx's error if ctx ends first, having queued none of them.
func (h *handoff[T]) putAll(ctx context.Context, xs []T) error {
	h.mu.Lock()
	for len(h.queued) >= h.max {
		space := h.space
		h.mu.Unlock()
		select {
		case <-space:
		case <-ctx.Done():
			return ctx.Err()
		}
		h.mu.Lock()
	}
	h.queued = append(h.queued, xs...)
	wake := len(h.queued) >= h.wakeAt
	h.mu.Unlock()
	if wake {
		h.wake()
	}
	return nil
}

// flush wakes the consumer for what is queued, however little: a producer
// calls it when it has nothing more to put for now.
func (h *handoff[T]) flush() {
	h.mu.Lock()
	wake := len(h.queued) > 0
	h.flushed = wake
	h.mu.Unlock()
	if wake {
		h.wake()
	}
}

func (h *handoff[T]) wake() {
	select {
	case h.ready <- struct{}{}:
	default: // already signalled
	}
}

// close tells take that no more items follow, and why.
func (h *handoff[T]) close(err error) {
	h.mu.Lock()
	h.err = err
	h.mu.Unlock()
	h.wake()
}

// take waits for wakeAt queued items (or fewer and a flush) and returns
// them all, reusing buf's storage (the caller hands back the slice the
// previous take returned). Once the queue is empty and closed it returns
// the error close was given; if ctx ends first, ctx's error.
func (h *handoff[T]) take(ctx context.Context, buf []T) ([]T, error) {
	for {
		h.mu.Lock()
		if len(h.queued) >= h.wakeAt || len(h.queued) > 0 && (h.flushed || h.err != nil) {
			h.flushed = false
			out := h.queued
			h.queued = buf[:0]
			if len(out) >= h.max {
				// Producers may be waiting for room: wake them all.
				close(h.space)
				h.space = make(chan struct{})
			}
			h.mu.Unlock()
			return out, nil
		}
		err := h.err
		h.mu.Unlock()
		if err != nil {
			return buf[:0], err
		}
		select {
		case <-h.ready:
		case <-ctx.Done():
			return buf[:0], ctx.Err()
		}
	}
}
