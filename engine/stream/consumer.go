package stream

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/segmentio/kafka-go"

	"reco/engine"
	"reco/engine/metrics"
)

// ConsumerConfig configures a Consumer. Durations and counts state their
// defaults; zero means the default.
type ConsumerConfig struct {
	Brokers []string
	Topics  []string
	// GroupID is the consumer group. Replicas that must each see the whole
	// log use different groups; members of one group split the partitions.
	GroupID string
	// MaxWait is how long a fetch waits for new data before returning. It
	// bounds how long Close waits too. Default 100 ms (kafka-go: 10 s).
	MaxWait time.Duration
	// FetchMaxBytes is the most one fetch of a partition may return.
	// Default 1 MiB. Larger fetches mean fewer round trips but buffers
	// that no longer fit the CPU's caches: on the embedded broker, 10 MiB
	// fetches halved a bare kafka-go reader's rate (docs/performance.md).
	FetchMaxBytes int
	// CommitInterval is how often applied offsets are committed. Default 500 ms.
	CommitInterval time.Duration
	// SessionTimeout is how long the group waits for a vanished member
	// before handing its partitions to others. Default 6 s (Kafka: 30 s,
	// which would make a restarted reco wait that long to rejoin).
	SessionTimeout time.Duration
	// DeadLetter, when set, receives every message that fails to decode
	// or validate, with headers naming its topic, partition, offset and
	// the reason, so that nothing rejected is lost without a trace.
	DeadLetter *Producer
	// DeadLetterTopic is the topic DeadLetter writes to. Default reco.dead-letter.
	DeadLetterTopic string
	// Metrics receives the consumer's series; nil disables them.
	Metrics *metrics.Registry
	Logger  *slog.Logger
}

// Consumer applies the events of Kafka topics to an engine.
//
// Where to read from is the engine's business, not the group's: the
// engine records the next offset of every partition it applied (and a
// snapshot stores them with the state). Before joining, the consumer
// resets the group's committed offsets to the engine's (partitions the
// engine never saw: their first offset), so a fresh process replays the
// whole log, a restored one resumes exactly after its snapshot, and a
// reconnect after a broker outage neither skips nor repeats anything.
type Consumer struct {
	cfg ConsumerConfig
	eng *engine.Engine

	applied      *metrics.Counter
	rejected     func(reason string) *metrics.Counter
	deadLettered *metrics.Counter
	deadFailed   *metrics.Counter
	lost         *metrics.Counter

	mu      sync.Mutex
	target  map[TopicPartition]int64 // log end seen at start: ready once the engine's offsets reach it
	lag     map[TopicPartition]int64
	lastErr error
	failing atomic.Bool // lastErr != nil, readable without the lock
	started bool

	// Partitions the current generation assigned to this process, and
	// how many its topics have (checkAssignment).
	assigned, partitions atomic.Int64
}

// NewConsumer returns a consumer for eng; Run starts it.
func NewConsumer(eng *engine.Engine, cfg ConsumerConfig) *Consumer {
	if cfg.MaxWait <= 0 {
		cfg.MaxWait = 100 * time.Millisecond
	}
	if cfg.FetchMaxBytes <= 0 {
		cfg.FetchMaxBytes = DefaultFetchMaxBytes
	}
	if cfg.CommitInterval <= 0 {
		cfg.CommitInterval = 500 * time.Millisecond
	}
	if cfg.SessionTimeout <= 0 {
		cfg.SessionTimeout = 6 * time.Second
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.DeadLetterTopic == "" {
		cfg.DeadLetterTopic = "reco.dead-letter"
	}
	reg := cfg.Metrics
	if reg == nil {
		reg = metrics.NewRegistry()
	}
	c := &Consumer{
		cfg:     cfg,
		eng:     eng,
		applied: reg.Counter("reco_events_applied_total", "", "Events consumed from Kafka and applied to the engine."),
		lag:     map[TopicPartition]int64{},
	}
	c.deadLettered = reg.Counter("reco_dead_letter_total", "", "Rejected messages written to the dead-letter topic.")
	c.lost = reg.Counter("reco_events_lost_total", "", "Events the consumer never applied because the log no longer held them when it fetched them (deleted by retention first).")
	c.deadFailed = reg.Counter("reco_dead_letter_failures_total", "", "Rejected messages that could not be written to the dead-letter topic (logged instead).")
	c.rejected = func(reason string) *metrics.Counter {
		return reg.Counter("reco_events_rejected_total", metrics.Label("reason", reason),
			"Events consumed from Kafka and rejected, by reason.")
	}
	reg.GaugeFunc("reco_consumer_partitions_assigned", "", "Partitions of the consumed topics assigned to this process; fewer than reco_consumer_partitions: its consumer group is shared.", func() float64 {
		return float64(c.assigned.Load())
	})
	reg.GaugeFunc("reco_consumer_partitions", "", "Partitions of the consumed topics.", func() float64 {
		return float64(c.partitions.Load())
	})
	reg.GaugeFunc("reco_consumer_lag", "", "Messages in Kafka not yet applied, summed over partitions.", func() float64 {
		return float64(c.Lag())
	})
	return c
}

// Run consumes until ctx ends. On a broker error it drops the reader,
// waits for the brokers with backoff (serving goes on from memory), resets
// the group to the engine's offsets and joins again.
func (c *Consumer) Run(ctx context.Context) error {
	go c.probe(ctx)
	backoff := 100 * time.Millisecond
	for first := true; ; first = false {
		if err := c.prepare(ctx); err != nil {
			if ctx.Err() != nil {
				return nil
			}
			if first && !isTransient(err) {
				return err
			}
			c.setErr(err)
			c.cfg.Logger.Warn("kafka not available; retrying", "err", err, "backoff", backoff)
			if !sleep(ctx, backoff) {
				return nil
			}
			backoff = min(2*backoff, 5*time.Second)
			continue
		}
		before := c.eng.Version()
		err := c.consume(ctx)
		if ctx.Err() != nil {
			return nil
		}
		c.setErr(err)
		if c.eng.Version() != before {
			backoff = 100 * time.Millisecond // it had worked: retry soon
		}
		c.cfg.Logger.Warn("kafka fetch failed; reconnecting", "err", err, "backoff", backoff)
		if !sleep(ctx, backoff) {
			return nil
		}
		backoff = min(2*backoff, 5*time.Second)
	}
}

func sleep(ctx context.Context, d time.Duration) bool {
	select {
	case <-ctx.Done():
		return false
	case <-time.After(d):
		return true
	}
}

// isTransient reports whether a start-up error may go away by itself (a
// broker not reachable yet) rather than being a configuration mistake.
func isTransient(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) || errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF)
}

// consume joins the group and applies the messages of the partitions it
// is assigned until a fetch fails or ctx ends.
//
// It uses kafka-go's group and connection API rather than its Reader: the
// Reader hands every message from its fetching goroutine to the caller
// over a channel, setting a read deadline and updating its statistics per
// message, which cost about as much CPU as applying the event (profiled:
// the bare Reader consumes ~1.3 M messages/s here, reading the same
// batches directly ~3–4 M). Here one goroutine per assigned partition
// reads the broker's batches, decodes each message and queues it; one
// applier applies what has queued under the engine's lock and commits.
func (c *Consumer) consume(ctx context.Context) error {
	group, err := kafka.NewConsumerGroup(kafka.ConsumerGroupConfig{
		ID:             c.cfg.GroupID,
		Brokers:        c.cfg.Brokers,
		Topics:         c.cfg.Topics,
		SessionTimeout: c.cfg.SessionTimeout,
		// Three heartbeats per session timeout, as Kafka's clients do.
		HeartbeatInterval: c.cfg.SessionTimeout / 3,
		StartOffset:       kafka.FirstOffset,
		// Partitions added to a topic while reco runs (to scale it) are
		// consumed after the next check, from their first offset: without
		// the watch they were not until a restart.
		WatchPartitionChanges:  true,
		PartitionWatchInterval: partitionWatchInterval,
		ErrorLogger:            kafka.LoggerFunc(func(msg string, args ...any) { c.cfg.Logger.Debug(fmt.Sprintf(msg, args...)) }),
	})
	if err != nil {
		return fmt.Errorf("joining consumer group %q: %w", c.cfg.GroupID, err)
	}
	defer func() {
		// Close leaves the group; with the broker gone it can hang, and
		// the next join resets offsets anyway, so do not wait forever.
		done := make(chan struct{})
		go func() {
			if err := group.Close(); err != nil {
				c.cfg.Logger.Debug("leaving consumer group", "err", err)
			}
			close(done)
		}()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			c.cfg.Logger.Warn("leaving the consumer group timed out")
		}
	}()

	q := newHandoff[fetched](maxQueued, applyBatch)
	actx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		gen      atomic.Pointer[kafka.Generation] // the current one, for commits
		progress pipeline
		failed   = make(chan error, 1)
	)
	fail := func(err error) { // a fetch failed: end consume with err
		select {
		case failed <- err:
		default: // another fetcher's error is already there
		}
		cancel()
	}
	applied := make(chan error, 1)
	go func() {
		applied <- c.applyLoop(actx, q, &gen, &progress)
	}()
	for {
		g, err := group.Next(actx)
		if err != nil {
			q.close(err)
			break
		}
		// Next returns once every fetcher of the previous generation has
		// stopped. Start this one's exactly after what the engine applied:
		// wait until everything queued before is applied.
		if err := progress.drain(actx); err != nil {
			q.close(err)
			break
		}
		gen.Store(g)
		c.checkAssignment(actx, g)
		offsets := c.eng.Offsets()
		for topic, assigned := range g.Assignments {
			for _, a := range assigned {
				tp := TopicPartition{Topic: topic, Partition: a.ID}
				start, ok := offsets[tp]
				if !ok {
					start = a.Offset // what prepare reset the group to, or FirstOffset
				}
				g.Start(func(gctx context.Context) {
					// Fetch until the generation ends or consume does.
					fctx, stop := context.WithCancel(gctx)
					defer stop()
					defer context.AfterFunc(actx, stop)()
					if err := c.fetchPartition(fctx, tp, start, q, &progress); err != nil && fctx.Err() == nil {
						fail(fmt.Errorf("fetching %s/%d: %w", tp.Topic, tp.Partition, err))
					}
				})
			}
		}
	}
	// The applier drains what was fetched before returning the error.
	err = <-applied
	select {
	case ferr := <-failed:
		return ferr
	default:
		return err
	}
}

// checkAssignment records how many of its topics' partitions generation g
// gave this process, and says so loudly when it is not all of them: the
// group is shared with other processes, and this one applies — and
// answers from — only the events of its share. Read replicas each need
// the whole log, hence their own group; sharing one is the write-scale
// topology of DESIGN.md, whose item-level republishing reco does not have.
func (c *Consumer) checkAssignment(ctx context.Context, g *kafka.Generation) {
	assigned := 0
	for _, as := range g.Assignments {
		assigned += len(as)
	}
	c.assigned.Store(int64(assigned))
	tps, err := Partitions(ctx, c.cfg.Brokers, c.cfg.Topics)
	if err != nil {
		c.cfg.Logger.Debug("counting partitions", "err", err)
		return
	}
	c.partitions.Store(int64(len(tps)))
	if assigned < len(tps) {
		c.cfg.Logger.Error("consumer group shared with another process: this one applies only the events of the partitions assigned to it and answers from them alone; give each reco replica its own --group",
			"group", c.cfg.GroupID, "assigned", assigned, "partitions", len(tps))
	}
}

// pipeline counts the messages queued by the fetchers and applied by the
// applier, so that a new generation's fetchers can wait until the
// previous one's messages are all applied.
type pipeline struct{ queued, applied atomic.Int64 }

func (p *pipeline) drain(ctx context.Context) error {
	for p.applied.Load() < p.queued.Load() {
		if !sleep(ctx, time.Millisecond) {
			return ctx.Err()
		}
	}
	return nil
}

// fetchPartition reads tp from offset start until ctx ends or a fetch
// fails, decoding each message and queueing it for the applier. A broken
// connection is dialled again (up to fetchRetries times in a row); a
// Kafka error (the partition moved, the offset is gone) is returned: the
// consumer then joins again from the engine's offsets.
func (c *Consumer) fetchPartition(ctx context.Context, tp TopicPartition, start int64, q *handoff[fetched], progress *pipeline) error {
	next := start
	for retry := 0; ; retry++ {
		n, err := c.fetchFrom(ctx, tp, next, q, progress)
		if ctx.Err() != nil {
			return nil
		}
		var kerr kafka.Error
		if errors.As(err, &kerr) {
			if !errors.Is(err, kafka.OffsetOutOfRange) {
				return err
			}
			// The log no longer holds n: move to where it now starts or,
			// if that is n after all (the log changed meanwhile), retry.
			resume, rerr := c.resumeInLog(ctx, tp, n, q, progress)
			if rerr != nil {
				return fmt.Errorf("%w (and %w)", err, rerr)
			}
			if resume != n {
				next, retry = resume, -1
				continue
			}
		}
		if n > next {
			retry = 0 // it had made progress: a new run of failures
		}
		if next = n; retry >= fetchRetries {
			return err
		}
		c.cfg.Logger.Debug("kafka fetch connection failed; dialling again", "topic", tp.Topic, "partition", tp.Partition, "offset", next, "err", err)
		if !sleep(ctx, time.Duration(retry+1)*100*time.Millisecond) {
			return nil
		}
	}
}

// resumeInLog is where a partition's fetcher goes on after a fetch from
// offset failed with OffsetOutOfRange, the offset no longer being in the
// partition's log, or offset itself if the log holds it again. Below the
// log's start, the records up to it were deleted (retention,
// DeleteRecords) before the engine applied them: they are lost, which is
// logged and counted, and the fetcher resumes at the start. Beyond the
// log's end, the topic was recreated or its log truncated or wiped: the
// fetcher resumes at the start too, so that no event the log holds now is
// skipped (events with ids that the engine already applied are dropped as
// duplicates). Either way a marker queued for the applier moves the
// engine's offset, in order with the messages queued before it, so that
// a snapshot records the new position and a restart does not report the
// same loss again.
func (c *Consumer) resumeInLog(ctx context.Context, tp TopicPartition, offset int64, q *handoff[fetched], progress *pipeline) (int64, error) {
	bounds, err := LogBounds(ctx, c.cfg.Brokers, []TopicPartition{tp})
	if err != nil {
		return offset, err
	}
	b, ok := bounds[tp]
	if !ok {
		return offset, fmt.Errorf("no offsets listed for %s/%d", tp.Topic, tp.Partition)
	}
	if b.Holds(offset) {
		return offset, nil
	}
	if offset < b.First {
		c.lost.Add(uint64(b.First - offset))
		c.cfg.Logger.Error("events lost: the log no longer holds them (deleted by retention before they were applied); resuming at its start",
			"topic", tp.Topic, "partition", tp.Partition, "from", offset, "to", b.First-1, "lost", b.First-offset)
	} else {
		c.cfg.Logger.Warn("the log ends before the engine's offset (topic recreated or its log truncated); replaying it from its start",
			"topic", tp.Topic, "partition", tp.Partition, "offset", offset, "log_start", b.First, "log_end", b.End)
	}
	marker := fetched{m: engine.Message{Pos: tp, Offset: b.First - 1, Err: errLogMoved}, hwm: b.End, moved: true}
	progress.queued.Add(1)
	if err := q.putAll(ctx, []fetched{marker}); err != nil {
		progress.queued.Add(-1)
		return offset, err
	}
	q.flush()
	return b.First, nil
}

// errLogMoved is the rejection of resumeInLog's marker: the engine applies
// nothing for it but its offset.
var errLogMoved = errors.New("the partition's log no longer holds this offset")

// fetchRetries is how many times in a row a partition's connection is
// dialled again before the consumer gives up and joins again.
const fetchRetries = 3

// fetchFrom dials the leader of tp and reads from offset until an error;
// it returns the offset to continue from.
func (c *Consumer) fetchFrom(ctx context.Context, tp TopicPartition, offset int64, q *handoff[fetched], progress *pipeline) (int64, error) {
	conn, err := c.dialLeader(ctx, tp)
	if err != nil {
		return offset, err
	}
	defer conn.Close()
	stop := context.AfterFunc(ctx, func() { conn.Close() }) // unblocks a waiting fetch
	defer stop()
	// Whatever this fetcher queued is applied even if it stops mid-fetch:
	// a new generation waits for it (pipeline.drain).
	defer q.flush()
	if offset < 0 {
		// No offset of ours nor the group's: the partition's first.
		if offset, err = conn.Seek(0, kafka.SeekStart); err != nil {
			return offset, fmt.Errorf("seeking to the first offset: %w", err)
		}
	} else if _, err := conn.Seek(offset, kafka.SeekAbsolute|kafka.SeekDontCheck); err != nil {
		return offset, fmt.Errorf("seeking to offset %d: %w", offset, err)
	}
	// Decoded messages are queued putBatch at a time: one lock of the
	// queue, which four fetchers and the applier share, per batch rather
	// than per message.
	pending := make([]fetched, 0, putBatch)
	put := func() error {
		if len(pending) == 0 {
			return nil
		}
		progress.queued.Add(int64(len(pending)))
		if err := q.putAll(ctx, pending); err != nil {
			progress.queued.Add(-int64(len(pending)))
			return err
		}
		offset = pending[len(pending)-1].m.Offset + 1
		clear(pending)
		pending = pending[:0]
		return nil
	}
	r := messageReader{deadLetters: c.cfg.DeadLetter != nil, reread: -1}
	for {
		// The broker holds a fetch for up to MaxWait when nothing is new;
		// its answer may then take a while on a busy machine. The deadline
		// was MaxWait itself, from which kafka-go derives the broker's
		// wait (three quarters of it, to leave time for the answer): with
		// two CPUs saturated at 200 k events/s, idle partitions' answers
		// came later than that, every few seconds, and each such timeout
		// ended the consumer's session — a rejoin that stalled every
		// partition for up to 7 s. The wait is now given explicitly and
		// the deadline allows a slow answer; a broker gone still fails at
		// once (the connection closes), a hung one after readTimeout.
		conn.SetReadDeadline(time.Now().Add(c.cfg.MaxWait + readTimeout))
		batch := conn.ReadBatchWith(kafka.ReadBatchConfig{MinBytes: 1, MaxBytes: c.cfg.FetchMaxBytes, MaxWait: c.cfg.MaxWait})
		hwm := batch.HighWaterMark()
		next := offset // the batch may start before it; pending is empty here
		for n := 0; ; n++ {
			if n%256 == 0 {
				// The batch streams from the connection: allow each part
				// of it the time a slow link may need.
				conn.SetReadDeadline(time.Now().Add(readTimeout))
			}
			// Decoded in place: a fetched is too large to copy around.
			pending = append(pending, fetched{hwm: hwm})
			f := &pending[len(pending)-1]
			if !r.read(batch, next, f) {
				pending = pending[:len(pending)-1]
				break
			}
			f.m.Pos = tp
			c.eng.DecodeMessage(&f.m, f.value)
			if f.m.Err != nil && r.deadLetters && !r.readWhole {
				// Rejected, and read without its key, which its
				// dead-letter copy keeps: read it again, whole.
				r.reread = f.m.Offset
				pending[len(pending)-1] = fetched{}
				pending = pending[:len(pending)-1]
				break
			}
			next = f.m.Offset + 1
			if len(pending) == cap(pending) {
				if err := put(); err != nil {
					batch.Close()
					return offset, err
				}
			}
		}
		if err := put(); err != nil {
			batch.Close()
			return offset, err
		}
		q.flush() // nothing more until the next fetch: apply what came
		err := batch.Close()
		if r.reread >= 0 {
			// Continue from the message to read whole (a short buffer
			// leaves the batch's offset there; a rejected one does not).
			if _, err := conn.Seek(r.reread, kafka.SeekAbsolute|kafka.SeekDontCheck); err != nil {
				return offset, fmt.Errorf("seeking to offset %d: %w", r.reread, err)
			}
			r.whole, r.reread = true, -1
			continue
		}
		switch {
		case err == nil, errors.Is(err, io.EOF), errors.Is(err, kafka.RequestTimedOut):
			// The end of a batch, or nothing new within MaxWait.
		default:
			return offset, err
		}
	}
}

// messageReader reads a fetch's messages into shared arenas with
// Batch.Read: kafka-go's ReadMessage allocates a key and a value for every
// message (two allocations and their garbage per event, ~7 % of ingest's
// CPU). Read keeps no key, so a message that needs one — a rejected
// message, which the dead-letter topic keeps keyed as it was — is read
// again with ReadMessage, as is one too long for an arena's free room.
type messageReader struct {
	arena       []byte // values are read into arena[len:cap]; queued messages share it
	deadLetters bool   // rejected messages are dead-lettered: they need their keys
	// whole says the next message is read with ReadMessage; reread, when
	// not -1, is the offset to fetch again from to do so. readWhole says
	// the last message was.
	whole, readWhole bool
	reread           int64
}

// Arena sizes: a message whose value is longer than arenaMinFree may be
// read twice (see messageReader); events are a few hundred bytes.
const (
	arenaSize    = 32 << 10
	arenaMinFree = 4 << 10
)

// read reads batch's next message at or after offset next (a fetch may
// start at an earlier one) into f's offset, value and key; false at the
// end of the batch, on an error (batch.Close returns it) or when the
// message must be fetched again (r.reread).
func (r *messageReader) read(batch *kafka.Batch, next int64, f *fetched) bool {
	r.readWhole = false
	for {
		if r.whole {
			msg, err := batch.ReadMessage() // skips messages before the conn's offset
			if err != nil {
				return false
			}
			r.whole, r.readWhole = false, true
			f.m.Offset, f.key, f.value = msg.Offset, msg.Key, msg.Value
			return true
		}
		if cap(r.arena)-len(r.arena) < arenaMinFree {
			r.arena = make([]byte, 0, arenaSize)
		}
		free := r.arena[len(r.arena):cap(r.arena)]
		n, err := batch.Read(free)
		if errors.Is(err, io.ErrShortBuffer) {
			// The batch has rolled back to this message and is done.
			r.reread = batch.Offset()
			return false
		}
		if err != nil {
			return false
		}
		off := batch.Offset() - 1 // Read moves the batch past the message
		if off < next {
			continue
		}
		f.m.Offset, f.value = off, free[:n:n]
		r.arena = r.arena[:len(r.arena)+n]
		return true
	}
}

// DefaultFetchMaxBytes is ConsumerConfig.FetchMaxBytes's default.
const DefaultFetchMaxBytes = 1 << 20

// Fetch limits: how long reading a part of a fetch may take, and how many
// decoded messages a fetcher queues at once.
const (
	readTimeout = 10 * time.Second
	putBatch    = 32
)

func (c *Consumer) dialLeader(ctx context.Context, tp TopicPartition) (*kafka.Conn, error) {
	d := &kafka.Dialer{Timeout: 10 * time.Second, ClientID: "reco", DialFunc: dialBuffered}
	var err error
	for _, b := range c.cfg.Brokers {
		var conn *kafka.Conn
		if conn, err = d.DialLeader(ctx, "tcp", b, tp.Topic, tp.Partition); err == nil {
			return conn, nil
		}
	}
	return nil, fmt.Errorf("dialling the leader of %s/%d: %w", tp.Topic, tp.Partition, err)
}

// A fetched message, decoded, waiting to be applied.
type fetched struct {
	m     engine.Message
	hwm   int64  // the partition's high-water mark when it was fetched
	value []byte // may share an arena with other messages' values
	key   []byte // read only for rejected messages (messageReader); nil: none
	moved bool   // not a message: resumeInLog's marker (m.Offset+1 is where the log resumes)
}

// partitionWatchInterval is how often the consumer group checks its topics
// for added partitions (kafka-go's default).
const partitionWatchInterval = 5 * time.Second

// deadLetterGrace is how long dead letters may still be written once the
// consumer is stopping.
const deadLetterGrace = 5 * time.Second

// maxQueued bounds the fetched messages waiting for the applier — and so
// how long a new event can wait behind others when the applier is the
// bottleneck (1,024 at 100 k events/s: 10 ms); applyBatch
// bounds how many are applied under one hold of the engine's write lock (a
// request waits at most that long: about 32 × 3 µs).
const (
	maxQueued  = 1024
	applyBatch = 32
)

// applyLoop applies what the fetchers queue, in order, until the queue is
// closed and drained. Every CommitInterval it hands the newest applied
// offsets to a committer goroutine: a commit is a round trip to the group
// coordinator, which the applier must not wait for.
func (c *Consumer) applyLoop(ctx context.Context, q *handoff[fetched], gen *atomic.Pointer[kafka.Generation], progress *pipeline) error {
	var (
		buf        []fetched
		batch      []*engine.Message
		lastCommit = time.Now()
		// The next offset of each partition applied since the last
		// commit was handed over.
		pending = map[string]map[int]int64{}
	)
	commits := make(chan map[string]map[int]int64, 1)
	committed := make(chan struct{})
	go func() {
		defer close(committed)
		for offsets := range commits {
			c.commit(gen, offsets)
		}
	}()
	defer func() {
		close(commits)
		<-committed
		c.commit(gen, pending)
	}()
	// A rejected message's offset is applied with its batch, so its dead
	// letter must still be written when consume winds down (it drains the
	// queue first), or it would be lost: dead letters get deadLetterGrace
	// after ctx ends.
	dlctx, dlcancel := context.WithCancel(context.WithoutCancel(ctx))
	defer dlcancel()
	defer context.AfterFunc(ctx, func() { time.AfterFunc(deadLetterGrace, dlcancel) })()
	for {
		got, err := q.take(ctx, buf)
		if len(got) == 0 {
			return err
		}
		for start := 0; start < len(got); start += applyBatch {
			part := got[start:min(start+applyBatch, len(got))]
			batch = batch[:0]
			for i := range part {
				batch = append(batch, &part[i].m)
			}
			c.eng.ApplyMessages(batch)
			progress.applied.Add(int64(len(part)))
			for i := range part {
				f := &part[i]
				c.settle(dlctx, f)
				// The newest message of each partition is what a commit
				// and the lag need: record it at the end of each run of
				// one partition.
				if i == len(part)-1 || part[i+1].m.Pos != f.m.Pos {
					c.recordApplied(pending, f)
				}
			}
		}
		if len(pending) > 0 && time.Since(lastCommit) > c.cfg.CommitInterval {
			select {
			case commits <- pending:
				pending, lastCommit = map[string]map[int]int64{}, time.Now()
			default: // the previous commit is still on its way: send with the next
			}
		}
		clear(got) // drop references to message bytes
		buf = got
	}
}

// recordApplied notes that msg is the newest applied message of its
// partition: for the next commit, and for the lag.
func (c *Consumer) recordApplied(pending map[string]map[int]int64, f *fetched) {
	tp := f.m.Pos
	if pending[tp.Topic] == nil {
		pending[tp.Topic] = map[int]int64{}
	}
	pending[tp.Topic][tp.Partition] = f.m.Offset + 1
	c.mu.Lock()
	c.lag[tp] = max(f.hwm-f.m.Offset-1, 0)
	c.mu.Unlock()
}

// commit commits offsets to the current generation. What is committed
// only matters to monitoring — the engine resumes from its own offsets —
// so a commit refused because the generation ended is worth a debug line.
func (c *Consumer) commit(gen *atomic.Pointer[kafka.Generation], offsets map[string]map[int]int64) {
	g := gen.Load()
	if g == nil || len(offsets) == 0 {
		return
	}
	if err := g.CommitOffsets(offsets); err != nil {
		c.cfg.Logger.Debug("kafka commit failed", "err", err)
	}
}

// settle counts an applied message, or logs, counts and dead-letters a
// rejected one.
func (c *Consumer) settle(ctx context.Context, f *fetched) {
	if f.moved {
		return
	}
	if err := f.m.Err; err != nil {
		reason := "invalid"
		var de *engine.DecodeError
		if errors.As(err, &de) {
			reason = de.Reason
		}
		c.rejected(reason).Inc()
		c.cfg.Logger.Warn("event rejected", "topic", f.m.Pos.Topic, "partition", f.m.Pos.Partition, "offset", f.m.Offset, "reason", err)
		c.deadLetter(ctx, f, reason, err)
	} else {
		c.applied.Inc()
	}
	if c.failing.Load() {
		c.setErr(nil)
	}
}

// deadLetter writes a rejected message to the dead-letter topic, keyed as
// it was, with where it came from and why it was rejected in headers.
func (c *Consumer) deadLetter(ctx context.Context, f *fetched, reason string, err error) {
	if c.cfg.DeadLetter == nil {
		return
	}
	tp := f.m.Pos
	dl := kafka.Message{Topic: c.cfg.DeadLetterTopic, Key: f.key, Value: f.value, Headers: []kafka.Header{
		{Key: "reco-topic", Value: []byte(tp.Topic)},
		{Key: "reco-partition", Value: []byte(strconv.Itoa(tp.Partition))},
		{Key: "reco-offset", Value: []byte(strconv.FormatInt(f.m.Offset, 10))},
		{Key: "reco-reason", Value: []byte(reason)},
		{Key: "reco-error", Value: []byte(err.Error())},
	}}
	wctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if werr := c.cfg.DeadLetter.Produce(wctx, dl); werr != nil {
		c.deadFailed.Inc()
		c.cfg.Logger.Error("dead-letter write failed", "topic", tp.Topic, "partition", tp.Partition, "offset", f.m.Offset, "err", werr)
		return
	}
	c.deadLettered.Inc()
}

// probe clears a fetch error once the brokers answer again, so that
// /readyz recovers even when no new message arrives to prove it.
func (c *Consumer) probe(ctx context.Context) {
	t := time.NewTicker(time.Second)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		c.mu.Lock()
		failing := c.lastErr != nil
		c.mu.Unlock()
		if !failing {
			continue
		}
		pctx, cancel := context.WithTimeout(ctx, 2*time.Second)
		_, err := Partitions(pctx, c.cfg.Brokers, c.cfg.Topics)
		cancel()
		if err == nil {
			c.setErr(nil)
		}
	}
}

// prepare creates the topics, records the log end to be ready at, and
// resets the group's offsets to the engine's.
func (c *Consumer) prepare(ctx context.Context) error {
	if err := CreateTopics(ctx, c.cfg.Brokers, 0, c.cfg.Topics...); err != nil {
		c.cfg.Logger.Debug("creating topics", "err", err)
	}
	tps, err := Partitions(ctx, c.cfg.Brokers, c.cfg.Topics)
	if err != nil {
		return err
	}
	bounds, err := LogBounds(ctx, c.cfg.Brokers, tps)
	if err != nil {
		return err
	}
	applied := c.eng.Offsets()
	start := map[TopicPartition]int64{}
	for tp, b := range bounds {
		start[tp] = b.First
		// Outside the log (see resumeInLog): from its start.
		if off, ok := applied[tp]; ok && b.Holds(off) {
			start[tp] = off
		}
	}
	if err := c.resetGroup(ctx, start); err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.started {
		// Ready means: caught up with the log end seen at the first start,
		// and every partition whose log no longer holds the engine's
		// offset moved to it (resumeInLog), its lost records counted —
		// even one with nothing left to apply.
		c.target = map[TopicPartition]int64{}
		for tp, b := range bounds {
			off, ok := applied[tp]
			if b.End > start[tp] || ok && !b.Holds(off) {
				c.target[tp] = b.End
			}
		}
	}
	for tp, b := range bounds {
		c.lag[tp] = b.End - start[tp]
	}
	c.started = true
	return nil
}

// resetGroup sets the group's offsets, retrying while a vanished member
// of a previous process still holds the group (until its session times
// out). If the group stays busy — other live members share it — it gives
// up after two session timeouts and resumes from the committed offsets.
func (c *Consumer) resetGroup(ctx context.Context, start map[TopicPartition]int64) error {
	deadline := time.Now().Add(2 * c.cfg.SessionTimeout)
	for {
		err := ResetGroup(ctx, c.cfg.Brokers, c.cfg.GroupID, start)
		if err == nil {
			return nil
		}
		if time.Now().After(deadline) {
			c.cfg.Logger.Warn("could not reset the consumer group (it has other active members?); resuming from its committed offsets", "group", c.cfg.GroupID, "err", err)
			return nil
		}
		c.cfg.Logger.Debug("group busy; retrying offset reset", "err", err)
		if !sleep(ctx, 500*time.Millisecond) {
			return ctx.Err()
		}
	}
}

func (c *Consumer) setErr(err error) {
	c.mu.Lock()
	c.lastErr = err
	c.failing.Store(err != nil)
	c.mu.Unlock()
}

// Ready reports whether the consumer has applied everything that was in
// the log when it started; when not, reason says what it waits for.
func (c *Consumer) Ready() (ready bool, reason string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.started {
		return false, "consumer not started"
	}
	if c.lastErr != nil {
		return false, "kafka: " + c.lastErr.Error()
	}
	applied := c.eng.Offsets()
	for tp, end := range c.target {
		if applied[tp] < end {
			return false, fmt.Sprintf("catching up: %s/%d at offset %d of %d", tp.Topic, tp.Partition, applied[tp], end)
		}
	}
	return true, ""
}

// Lag returns the number of messages known to be in Kafka but not applied.
func (c *Consumer) Lag() int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	var n int64
	for _, l := range c.lag {
		n += l
	}
	return n
}
