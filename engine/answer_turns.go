package engine

// Answers take turns while events are being applied
// (Config.MaxConcurrentAnswers): a request computing its answer holds the
// engine's read lock from its first read of the state to its last, and
// the applier cannot apply its next batch until every answer inside has
// finished. Sixteen connections' answers inside at once, on two CPUs,
// means most of them wait for a CPU while they hold the lock — and ingest
// waits for the slowest. A turn is taken before the lock, so an answer
// waiting for one holds nothing.
//
// With nothing applied there is nothing to protect, and answers go
// straight in: Run notes on each tick (Config.NeighborRefresh, 100 ms)
// whether events were applied since the last (noteIngest), so a server
// that only serves gets every CPU for its answers, and one that starts
// ingesting takes turns within a tick.
//
// The turns are the tokens of a buffered channel: Go's own queue of
// waiting senders, no lock of ours, and a free turn costs one channel
// send and receive (~0.1 µs against an answer's 5–25 µs).

// beginAnswer waits for a turn to compute an answer, counting the answers
// that had to wait (Stats.AnswerWaits). Every beginAnswer is followed by
// one endAnswer.
func (e *Engine) beginAnswer() {
	select {
	case e.answerTurns <- struct{}{}:
	default:
		e.stats.AnswerWaits.Add(1)
		e.answerTurns <- struct{}{}
	}
}

// endAnswer gives the turn taken by beginAnswer back.
func (e *Engine) endAnswer() { <-e.answerTurns }

// noteIngest records whether events were applied since the version seen
// at the previous tick — answers take turns while they are — and returns
// the version to compare the next tick with.
func (e *Engine) noteIngest(seen uint64) uint64 {
	v := e.version.Load()
	e.ingesting.Store(v != seen)
	return v
}
