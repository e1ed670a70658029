package engine

// Position names one partition of one Kafka topic.
type Position struct {
	Topic     string
	Partition int
}

// A Message is one Kafka message on its way into the engine: decoded by
// Decode (which needs no lock and can run on another goroutine than the
// one applying), then applied by ApplyMessages.
type Message struct {
	Pos    Position
	Offset int64
	Event  Event
	// Err says why the message was rejected (a *DecodeError); a rejected
	// message changes nothing but the partition's offset.
	Err error
	// idHash is idHash(Event.ID), computed by Decode (on the decoding
	// goroutine, not under the lock); 0 without an id.
	idHash uint64
}

// Decode decodes and validates value into m.Event, or sets m.Err.
func (m *Message) Decode(value []byte) {
	m.Event = Event{}
	m.Err = decodeEventInto(value, &m.Event)
	m.idHash = 0
	if m.Err == nil && m.Event.ID != "" {
		m.idHash = idHash(m.Event.ID)
	}
}

// ApplyMessages applies msgs in order under one lock and records, under the
// same lock, that each message's partition continues at its offset+1 —
// also for rejected messages — so that a snapshot's state and offsets
// always agree: a restart resumes exactly after the last message the state
// holds. Readers wait while the lock is held: callers pass small batches
// (the consumer passes at most applyBatch). Pointers, because the caller
// keeps its messages where they were decoded: copying them here would
// move every event once more.
func (e *Engine) ApplyMessages(msgs []*Message) {
	e.mu.Lock()
	// The dedup window is far larger than the CPU caches: read the slots of
	// the whole batch first, so that their cache misses overlap.
	touched, i := false, 0
	for _, m := range msgs {
		if m.idHash != 0 {
			touched = e.dedup.touch(m.idHash, i) != touched
			i++
		}
	}
	e.touchSink = touched
	for _, m := range msgs {
		e.applyMessageLocked(m)
	}
	e.unlockApplied()
}

// ApplyMessage decodes and applies one Kafka message; see ApplyMessages.
func (e *Engine) ApplyMessage(pos Position, offset int64, value []byte) error {
	m := Message{Pos: pos, Offset: offset}
	m.Decode(value)
	e.mu.Lock()
	e.applyMessageLocked(&m)
	e.unlockApplied()
	return m.Err
}

func (e *Engine) applyMessageLocked(m *Message) {
	if m.Err == nil {
		e.applyHashedLocked(&m.Event, m.idHash)
	}
	e.offsets[m.Pos] = m.Offset + 1
}
