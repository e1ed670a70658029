package stream

import (
	"context"
	"net"
	"sync"
	"time"

	"github.com/segmentio/kafka-go"
	metadataAPI "github.com/segmentio/kafka-go/protocol/metadata"
)

// metadataCache is the kafka.RoundTripper of a Producer's writer. It
// answers the writer's per-message question "how many partitions has this
// topic?" from the answer it got first, kept for ttl, and passes
// every other request on.
//
// kafka-go's Writer.WriteMessages asks that question once for every
// message, not once per batch, and kafka.Transport answers each from its
// own cache but builds a filtered copy of the cluster's metadata every
// time: 15–20 % of `reco replay`'s CPU at 390 k events/s, on the same two
// CPUs as the server it feeds. Here a repeat costs one map lookup.
//
// Only answers naming exactly the one topic asked for without an error
// are kept, so a topic still being created is asked about again. A
// partition added to a topic is seen within ttl (plus the transport's own
// metadata TTL, 6 s by default) — as with kafka.Transport alone, but for
// the ttl. An answer is dropped by a timer rather than checked against
// the clock on each use: time.Now costs ~56 ns on this VM's kvm-clock,
// which was half of what a cached lookup cost.
type metadataCache struct {
	next      kafka.RoundTripper
	ttl       time.Duration
	afterFunc func(time.Duration, func()) // time.AfterFunc; a test's timer

	mu     sync.Mutex
	topics map[metadataKey]*metadataAPI.Response
}

// metadataKey is what a Writer's lookup asks: the topic and whether it
// may be created. Lookups differing in either are different questions.
type metadataKey struct {
	topic  string
	create bool
}

// newMetadataCache wraps next, keeping answers for ttl.
func newMetadataCache(next kafka.RoundTripper, ttl time.Duration) *metadataCache {
	return &metadataCache{
		next:      next,
		ttl:       ttl,
		afterFunc: func(d time.Duration, f func()) { time.AfterFunc(d, f) },
		topics:    make(map[metadataKey]*metadataAPI.Response),
	}
}

// RoundTrip implements kafka.RoundTripper.
func (c *metadataCache) RoundTrip(ctx context.Context, addr net.Addr, req kafka.Request) (kafka.Response, error) {
	m, ok := req.(*metadataAPI.Request)
	if !ok || len(m.TopicNames) != 1 {
		return c.next.RoundTrip(ctx, addr, req)
	}
	key := metadataKey{topic: m.TopicNames[0], create: m.AllowAutoTopicCreation}
	c.mu.Lock()
	hit := c.topics[key]
	c.mu.Unlock()
	if hit != nil {
		return hit, nil
	}
	resp, err := c.next.RoundTrip(ctx, addr, req)
	if err != nil {
		return resp, err
	}
	if r, ok := resp.(*metadataAPI.Response); ok && len(r.Topics) == 1 && r.Topics[0].Name == key.topic && r.Topics[0].ErrorCode == 0 {
		c.mu.Lock()
		c.topics[key] = r
		c.mu.Unlock()
		c.afterFunc(c.ttl, func() { c.forget(key, r) })
	}
	return resp, nil
}

// forget drops the answer r kept for key, unless a newer one replaced it.
func (c *metadataCache) forget(key metadataKey, r *metadataAPI.Response) {
	c.mu.Lock()
	if c.topics[key] == r {
		delete(c.topics, key)
	}
	c.mu.Unlock()
}
