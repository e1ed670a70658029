package stream

import (
	"context"
	"sync"
)

// inFlight counts a BulkProducer's messages sent but not yet
// acknowledged, so that the one goroutine adding them waits while too
// many are, and keeps the first failed delivery for it.
type inFlight struct {
	mu   sync.Mutex
	n    int
	err  error         // the first failed delivery
	wake chan struct{} // signalled when deliveries complete
}

// reserve waits until n more messages may be in flight (always allowed
// when none are), and counts them. It returns the first failed delivery
// so far, or ctx's error.
func (f *inFlight) reserve(ctx context.Context, n, max int) error {
	for {
		f.mu.Lock()
		if f.err != nil {
			err := f.err
			f.mu.Unlock()
			return err
		}
		if f.n == 0 || f.n+n <= max {
			f.n += n
			f.mu.Unlock()
			return nil
		}
		f.mu.Unlock()
		select {
		case <-f.wake:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// done uncounts n messages, delivered or failed with err, or never sent
// (err nil), and wakes a reserve waiting for room.
func (f *inFlight) done(n int, err error) {
	f.mu.Lock()
	f.n -= n
	if f.err == nil {
		f.err = err
	}
	f.mu.Unlock()
	select {
	case f.wake <- struct{}{}:
	default:
	}
}

func (f *inFlight) firstErr() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.err
}
