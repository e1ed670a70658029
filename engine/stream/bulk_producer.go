package stream

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"sync"
	"time"

	"github.com/segmentio/kafka-go"
	"github.com/segmentio/kafka-go/protocol"
	metadataAPI "github.com/segmentio/kafka-go/protocol/metadata"
)

// BulkProducerConfig configures a BulkProducer.
type BulkProducerConfig struct {
	Brokers []string
	Topic   string
	// InFlight is how many messages may be sent but not yet acknowledged;
	// Add and Flush block beyond it. A batch may always go when nothing
	// is in flight, so 1 sends one batch at a time. Default 20,000.
	InFlight int
	// BatchSize is how many messages one partition's record batch holds
	// at most: a batch that reaches it is sent. Default 1000.
	BatchSize int
	// MaxBatchBytes caps one partition's record batch: a batch that
	// would grow past it is sent first. Default 1,000,000, under the
	// 1 MiB a Kafka broker accepts by default (message.max.bytes).
	MaxBatchBytes int
	// Attempts is how often a batch is sent before its error is final,
	// for errors that may pass (a broker restarting, a leader moving).
	// Default 10, kafka-go's Writer's.
	Attempts int
}

// BulkProducer writes a stream of messages to one topic as fast as the
// broker takes them: `reco replay`'s producer. Messages are partitioned
// by key exactly as Producer (the HTTP ingest's) partitions them with
// kafka-go's Hash balancer (hashPartition), so a user's events meet in
// one partition whichever way they came.
//
// Each partition's messages are encoded into a Kafka record batch as
// they are added (recordBatch) and sent with kafka-go's
// Client.RawProduce; each partition has one request in flight at a time,
// so its messages arrive in the order they were added. Add returns
// before the broker has the message: a failed delivery is returned by a
// later Add, Flush or Close. The contexts of Add, Flush and Close bound
// their own waiting; sends already under way end with Close's.
//
// Against kafka-go's Writer this copies each message once instead of
// three times and asks for the topic's metadata once instead of once per
// message. The topic's partition count is read once, by
// NewBulkProducer: partitions added later get no messages from this
// producer, and no key moves to another partition in the middle of a
// stream.
//
// A BulkProducer is for one goroutine.
type BulkProducer struct {
	cfg        BulkProducerConfig
	sendCtx    context.Context // the senders'; cancelled when Close gives up
	cancelSend context.CancelFunc
	client     *kafka.Client
	transport  *kafka.Transport
	filling    []*recordBatch      // per partition, the batch Add appends to
	sends      []chan *recordBatch // per partition, batches for its sender
	free       chan *recordBatch   // batches acknowledged, for reuse
	inFlight   *inFlight           // messages sent, not yet acknowledged
	senders    sync.WaitGroup      // the per-partition senders
	closed     bool
}

// NewBulkProducer returns a producer for cfg.Topic, which it creates if
// the cluster creates topics on demand; ctx bounds the lookup of the
// topic's partitions. Close it when done.
func NewBulkProducer(ctx context.Context, cfg BulkProducerConfig) (*BulkProducer, error) {
	if len(cfg.Brokers) == 0 || cfg.Topic == "" {
		return nil, errors.New("a bulk producer needs brokers and a topic")
	}
	if cfg.InFlight <= 0 {
		cfg.InFlight = 20000
	}
	if cfg.BatchSize <= 0 {
		cfg.BatchSize = 1000
	}
	if cfg.MaxBatchBytes <= 0 {
		cfg.MaxBatchBytes = 1_000_000
	}
	if cfg.Attempts <= 0 {
		cfg.Attempts = 10
	}
	transport := &kafka.Transport{}
	addr := kafka.TCP(cfg.Brokers...)
	n, err := topicPartitions(ctx, transport, addr, cfg.Topic)
	if err != nil {
		transport.CloseIdleConnections()
		return nil, err
	}
	sendCtx, cancelSend := context.WithCancel(context.Background())
	p := &BulkProducer{
		cfg:        cfg,
		sendCtx:    sendCtx,
		cancelSend: cancelSend,
		client:     &kafka.Client{Addr: addr, Transport: transport, Timeout: 30 * time.Second},
		transport:  transport,
		filling:    make([]*recordBatch, n),
		sends:      make([]chan *recordBatch, n),
		free:       make(chan *recordBatch, 2*n),
		inFlight:   &inFlight{wake: make(chan struct{}, 1)},
	}
	for i := range n {
		p.filling[i] = &recordBatch{}
		// A few batches queue per partition; beyond them handing one
		// over waits for the sender, as inFlight.reserve waits for
		// acknowledgements.
		p.sends[i] = make(chan *recordBatch, 16)
		p.senders.Add(1)
		go p.sendLoop(int32(i))
	}
	return p, nil
}

// topicPartitions returns how many partitions topic has, asking the
// cluster to create it if it does not exist, and asking again while it
// is being created (for up to 10 s, within ctx).
func topicPartitions(ctx context.Context, rt kafka.RoundTripper, addr net.Addr, topic string) (int, error) {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	for {
		var n int
		res, err := rt.RoundTrip(ctx, addr, &metadataAPI.Request{TopicNames: []string{topic}, AllowAutoTopicCreation: true})
		if err == nil {
			err = fmt.Errorf("the cluster did not describe topic %q", topic)
			for _, t := range res.(*metadataAPI.Response).Topics {
				if t.Name != topic {
					continue
				}
				if n, err = len(t.Partitions), nil; t.ErrorCode != 0 {
					err = kafka.Error(t.ErrorCode)
				} else if n == 0 {
					err = fmt.Errorf("topic %q has no partitions", topic)
				}
			}
		}
		if err == nil {
			return n, nil
		}
		select {
		case <-ctx.Done():
			return 0, fmt.Errorf("looking up topic %q at %s: %w", topic, addr, err)
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// Add queues a message for the partition its key belongs to (key and
// value are copied). A partition's batch goes out when it holds
// BatchSize messages, when the next message would take it past
// MaxBatchBytes, or at Flush. An earlier failed delivery is returned by
// the next Add that sends a batch, by Flush or by Close.
func (p *BulkProducer) Add(ctx context.Context, key string, value []byte) error {
	if p.closed {
		return errProducerClosed
	}
	part := hashPartition(key, len(p.filling))
	b := p.filling[part]
	body := recordBodySize(b.count, key, value)
	if b.count > 0 && b.len()+varintSize(int64(body))+body > p.cfg.MaxBatchBytes {
		if err := p.send(ctx, part); err != nil {
			return err
		}
		b = p.filling[part]
		body = recordBodySize(0, key, value) // its offset delta is now 0
	}
	b.addSized(key, value, body)
	if b.count >= p.cfg.BatchSize {
		return p.send(ctx, part)
	}
	return nil
}

// Flush sends every partition's queued messages, without waiting for the
// broker's acknowledgement. It returns the first failed delivery so far.
func (p *BulkProducer) Flush(ctx context.Context) error {
	if p.closed {
		return errProducerClosed
	}
	for part := range p.filling {
		if p.filling[part].count > 0 {
			if err := p.send(ctx, part); err != nil {
				return err
			}
		}
	}
	return p.inFlight.firstErr()
}

// send hands partition part's batch to its sender and starts a new one.
// It waits while InFlight messages are unacknowledged.
func (p *BulkProducer) send(ctx context.Context, part int) error {
	b := p.filling[part]
	if err := p.inFlight.reserve(ctx, b.count, p.cfg.InFlight); err != nil {
		return err
	}
	b.finish(time.Now().UnixMilli())
	select {
	case p.sends[part] <- b:
	case <-ctx.Done():
		p.inFlight.done(b.count, nil) // never sent: uncount it
		return ctx.Err()
	}
	select {
	case next := <-p.free:
		next.reset()
		p.filling[part] = next
	default:
		p.filling[part] = &recordBatch{}
	}
	return nil
}

// sendLoop sends partition part's batches in order, one at a time.
func (p *BulkProducer) sendLoop(part int32) {
	defer p.senders.Done()
	for b := range p.sends[part] {
		n := b.count
		err := p.produce(part, b.sized())
		if err == nil {
			// Reused only once acknowledged: a send that gave up may
			// still be writing from its bytes.
			select {
			case p.free <- b:
			default:
			}
		}
		p.inFlight.done(n, err)
	}
}

// produce sends one encoded batch to partition part and waits for the
// broker's acknowledgement, again after errors that may pass.
func (p *BulkProducer) produce(part int32, batch []byte) error {
	var err error
	for attempt := 1; ; attempt++ {
		var res *kafka.ProduceResponse
		res, err = p.client.RawProduce(p.sendCtx, &kafka.RawProduceRequest{
			Topic:        p.cfg.Topic,
			Partition:    int(part),
			RequiredAcks: kafka.RequireAll,
			RawRecords:   protocol.RawRecordSet{Reader: bytes.NewReader(batch)},
		})
		if err == nil && res.Error != nil {
			err = res.Error
		}
		if err == nil {
			return nil
		}
		if attempt >= p.cfg.Attempts || p.sendCtx.Err() != nil || !mayPass(err) {
			break
		}
		select {
		case <-p.sendCtx.Done():
		case <-time.After(min(time.Duration(attempt)*100*time.Millisecond, time.Second)):
		}
	}
	return fmt.Errorf("producing %d bytes to %s/%d: %w", len(batch), p.cfg.Topic, part, err)
}

// hashPartition returns the partition of n that kafka-go's Hash balancer
// gives a message keyed key: FNV-1a (32 bits) of the key, as a signed
// int32 modulo n, negated if negative (Sarama's hashPartitioner, which
// kafka-go copies). Computed here because Hash.Balance takes the key as
// a []byte that escapes: an allocation per message.
// TestHashPartitionIsKafkaGos checks it against Hash.Balance.
func hashPartition(key string, n int) int {
	h := uint32(2166136261)
	for i := 0; i < len(key); i++ {
		h ^= uint32(key[i])
		h *= 16777619
	}
	part := int32(h) % int32(n)
	if part < 0 {
		part = -part
	}
	return int(part)
}

// mayPass reports whether sending again may succeed where err failed:
// Kafka's errors say so themselves; a broken connection may be repaired.
func mayPass(err error) bool {
	var ke kafka.Error
	if errors.As(err, &ke) {
		return ke.Temporary()
	}
	return !errors.Is(err, context.Canceled) && !errors.Is(err, context.DeadlineExceeded)
}

// Close sends what is queued, waits for every acknowledgement and closes
// the connections. It returns the first failed delivery. If ctx ends
// first, the sends still under way are abandoned and Close returns ctx's
// error.
func (p *BulkProducer) Close(ctx context.Context) error {
	if p.closed {
		return nil
	}
	err := p.Flush(ctx)
	p.closed = true
	for _, c := range p.sends {
		close(c)
	}
	sent := make(chan struct{})
	go func() { p.senders.Wait(); close(sent) }()
	select {
	case <-sent:
	case <-ctx.Done():
		p.cancelSend()
		<-sent
		err = errors.Join(err, fmt.Errorf("closing the producer of %s: %w", p.cfg.Topic, ctx.Err()))
	}
	p.cancelSend()
	p.transport.CloseIdleConnections()
	// Flush may have returned the failed delivery already: say it once.
	if ferr := p.inFlight.firstErr(); ferr != nil && !errors.Is(err, ferr) {
		err = errors.Join(err, ferr)
	}
	return err
}
