package stream

import (
	"context"
	"errors"
	"sync"

	"github.com/segmentio/kafka-go"

	"reco/engine/metrics"
)

// errProducerClosed is returned by a Produce after Close.
var errProducerClosed = errors.New("producer is closed")

// groupWriter writes the messages of synchronous Produce calls (a
// server's: the HTTP API's events, dead letters, the demo shop's load) by
// group commit: when nothing is being sent, a call's messages
// are sent at once; calls that arrive while a send is under way wait
// together and go out in the next send, one request for all of them.
//
// kafka-go's Writer can only wait a fixed BatchTimeout for a batch to
// fill. Every single-event POST then waited the whole timeout: with 2 ms,
// event-to-visible was 2.6–2.8 ms idle, 2.5–2.6 of it the POST; with the
// send at once, 0.26–0.35 ms. Sending every call at once on its own
// halved the throughput of 64 concurrent POSTers (9.8 k against 20 k
// events/s): one request per event. A group takes whatever arrived
// during one round trip, so it is as small as the load and never waits
// for a timer: 31 k events/s from those 64 (docs/performance.md,
// Freshness, Session 18).
type groupWriter struct {
	w *kafka.Writer // its BatchTimeout is tiny: a send goes out at once

	mu     sync.Mutex
	next   *writeGroup // the calls waiting for the next send; nil if none
	closed bool

	wake    chan struct{} // one pending signal: a group is waiting
	stopped chan struct{} // closed when run returns

	sends    *metrics.Counter // groups written
	messages *metrics.Counter // messages in them
}

// writeGroup is the messages of the calls that share one send.
type writeGroup struct {
	msgs []kafka.Message
	ends []int         // where each call's messages end in msgs
	done chan struct{} // closed once sent (or failed)
	err  error
	// callErrs, when set, is each call's own error: the group failed as a
	// whole and its calls were sent again one by one (send).
	callErrs []error
}

// newGroupWriter returns a groupWriter on w, counting its sends in reg,
// with its sending goroutine started; close stops it.
func newGroupWriter(w *kafka.Writer, reg *metrics.Registry) *groupWriter {
	g := &groupWriter{w: w, wake: make(chan struct{}, 1), stopped: make(chan struct{}),
		sends: reg.Counter("reco_produce_sends_total", "",
			"Writes to Kafka by this process's producer (events POSTed to the HTTP API, dead letters, the demo shop); the messages of every call that arrives while one write is under way share the next (group commit)."),
		messages: reg.Counter("reco_produce_messages_total", "",
			"Messages written to Kafka by this process's producer; divided by reco_produce_sends_total, the messages a write carried."),
	}
	go g.run()
	return g
}

// write sends msgs with the group being gathered and waits until the
// broker has them. A caller whose ctx ends before its group is being sent
// takes its messages back: a POST answered with an error is not written
// later behind the client's back. Once the send has begun they may still
// be written, as with any Kafka client whose wait ends early.
func (g *groupWriter) write(ctx context.Context, msgs []kafka.Message) error {
	g.mu.Lock()
	if g.closed {
		g.mu.Unlock()
		return errProducerClosed
	}
	grp := g.next
	if grp == nil {
		grp = &writeGroup{done: make(chan struct{})}
		g.next = grp
	}
	call := len(grp.ends)
	grp.msgs = append(grp.msgs, msgs...)
	grp.ends = append(grp.ends, len(grp.msgs))
	g.mu.Unlock()
	select {
	case g.wake <- struct{}{}:
	default: // already signalled
	}
	select {
	case <-grp.done:
		return grp.errFor(call)
	case <-ctx.Done():
		g.mu.Lock()
		if g.next == grp { // not being sent yet
			grp.withdraw(call)
		}
		g.mu.Unlock()
		return ctx.Err()
	}
}

// withdraw removes the call-th call's messages from a group not yet being
// sent; its range becomes empty, so every other call keeps its index.
func (grp *writeGroup) withdraw(call int) {
	lo, hi := grp.bounds(call)
	grp.msgs = append(grp.msgs[:lo], grp.msgs[hi:]...)
	for c := call; c < len(grp.ends); c++ {
		grp.ends[c] -= hi - lo
	}
}

// bounds returns where the call-th call's messages are in msgs.
func (grp *writeGroup) bounds(call int) (lo, hi int) {
	if call > 0 {
		lo = grp.ends[call-1]
	}
	return lo, grp.ends[call]
}

// run sends groups one at a time until close, then sends what is left.
func (g *groupWriter) run() {
	defer close(g.stopped)
	for {
		g.mu.Lock()
		grp, closed := g.next, g.closed
		g.next = nil
		g.mu.Unlock()
		if grp == nil {
			if closed {
				return
			}
			<-g.wake
			continue
		}
		g.send(grp)
		close(grp.done)
	}
}

// send writes a group. kafka-go fails a whole write for one bad message
// (too large, no topic) without saying which; then each call is sent
// alone, so that only the call with the bad message fails.
func (g *groupWriter) send(grp *writeGroup) {
	// Not a caller's context: the group is many callers', and one leaving
	// must not fail the others. kafka-go bounds the send (WriteTimeout,
	// MaxAttempts).
	ctx := context.Background()
	if len(grp.msgs) == 0 { // every call withdrew
		return
	}
	g.sends.Inc()
	g.messages.Add(uint64(len(grp.msgs)))
	grp.err = g.w.WriteMessages(ctx, grp.msgs...)
	var we kafka.WriteErrors
	if grp.err == nil || len(grp.ends) == 1 || errors.As(grp.err, &we) {
		return
	}
	grp.callErrs = make([]error, len(grp.ends))
	lo := 0
	for c, hi := range grp.ends {
		grp.callErrs[c] = g.w.WriteMessages(ctx, grp.msgs[lo:hi]...)
		lo = hi
	}
}

// close refuses new calls and returns once every group gathered so far is
// sent.
func (g *groupWriter) close() {
	g.mu.Lock()
	g.closed = true
	g.mu.Unlock()
	select {
	case g.wake <- struct{}{}:
	default:
	}
	<-g.stopped
}

// errFor returns the error of the group's call-th call: kafka-go reports
// one error per message when some of a send failed, and a caller is told
// only of its own messages'.
func (grp *writeGroup) errFor(call int) error {
	if grp.callErrs != nil {
		return grp.callErrs[call]
	}
	if grp.err == nil {
		return nil
	}
	lo, hi := grp.bounds(call)
	var we kafka.WriteErrors
	if errors.As(grp.err, &we) && len(we) == len(grp.msgs) {
		mine := we[lo:hi]
		if mine.Count() == 0 {
			return nil
		}
		return mine
	}
	return grp.err
}
