package engine

// Answers take turns (Config.MaxConcurrentAnswers): a request computing
// its answer holds the engine's read lock from its first read of the
// state to its last, and the applier cannot apply its next batch until
// every answer inside has finished. Sixteen connections' answers inside
// at once, on two CPUs, means most of them wait for a CPU while they hold
// the lock — and ingest waits for the slowest. A turn is taken before the
// lock, so an answer waiting for one holds nothing.
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
