package stream

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/segmentio/kafka-go"

	"reco/engine"
)

// TopicPartition names one partition of a topic.
type TopicPartition = engine.Position

func newClient(brokers []string) *kafka.Client {
	return &kafka.Client{Addr: kafka.TCP(brokers...), Timeout: 10 * time.Second}
}

// Partitions returns every partition of the given topics.
func Partitions(ctx context.Context, brokers, topics []string) ([]TopicPartition, error) {
	md, err := newClient(brokers).Metadata(ctx, &kafka.MetadataRequest{Topics: topics})
	if err != nil {
		return nil, fmt.Errorf("metadata of %v: %w", topics, err)
	}
	var out []TopicPartition
	for _, t := range md.Topics {
		if t.Error != nil {
			return nil, fmt.Errorf("metadata of topic %s: %w", t.Name, t.Error)
		}
		for _, p := range t.Partitions {
			out = append(out, TopicPartition{Topic: t.Name, Partition: p.ID})
		}
	}
	slices.SortFunc(out, func(a, b TopicPartition) int {
		if a.Topic != b.Topic {
			if a.Topic < b.Topic {
				return -1
			}
			return 1
		}
		return a.Partition - b.Partition
	})
	return out, nil
}

// Bounds are the first and the next-to-be-written offset of a partition.
type Bounds struct{ First, End int64 }

// Holds reports whether the log holds offset: the next one to read is in
// it, or is the end, where the next record will be.
func (b Bounds) Holds(offset int64) bool { return offset >= b.First && offset <= b.End }

// LogBounds returns the offset range of every partition.
func LogBounds(ctx context.Context, brokers []string, tps []TopicPartition) (map[TopicPartition]Bounds, error) {
	req := &kafka.ListOffsetsRequest{Topics: map[string][]kafka.OffsetRequest{}}
	for _, tp := range tps {
		req.Topics[tp.Topic] = append(req.Topics[tp.Topic], kafka.FirstOffsetOf(tp.Partition), kafka.LastOffsetOf(tp.Partition))
	}
	resp, err := newClient(brokers).ListOffsets(ctx, req)
	if err != nil {
		return nil, fmt.Errorf("listing offsets: %w", err)
	}
	out := map[TopicPartition]Bounds{}
	for topic, ps := range resp.Topics {
		for _, p := range ps {
			if p.Error != nil {
				return nil, fmt.Errorf("offsets of %s/%d: %w", topic, p.Partition, p.Error)
			}
			out[TopicPartition{Topic: topic, Partition: p.Partition}] = Bounds{First: p.FirstOffset, End: p.LastOffset}
		}
	}
	return out, nil
}

// ResetGroup sets the committed offsets of group to the given offsets, so
// that its next member starts exactly there. It works only while the group
// has no active member (like kafka-consumer-groups --reset-offsets).
func ResetGroup(ctx context.Context, brokers []string, group string, offsets map[TopicPartition]int64) error {
	req := &kafka.OffsetCommitRequest{GroupID: group, GenerationID: -1, Topics: map[string][]kafka.OffsetCommit{}}
	for tp, off := range offsets {
		req.Topics[tp.Topic] = append(req.Topics[tp.Topic], kafka.OffsetCommit{Partition: tp.Partition, Offset: off})
	}
	resp, err := newClient(brokers).OffsetCommit(ctx, req)
	if err != nil {
		return fmt.Errorf("resetting offsets of group %s: %w", group, err)
	}
	var errs []error
	for topic, ps := range resp.Topics {
		for _, p := range ps {
			if p.Error != nil {
				errs = append(errs, fmt.Errorf("%s/%d: %w", topic, p.Partition, p.Error))
			}
		}
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("resetting offsets of group %s: %w", group, err)
	}
	return nil
}

// CreateTopics creates the topics (existing ones are left alone): a group
// reader on a topic that does not exist waits silently forever.
func CreateTopics(ctx context.Context, brokers []string, partitions int, topics ...string) error {
	req := &kafka.CreateTopicsRequest{}
	for _, t := range topics {
		req.Topics = append(req.Topics, kafka.TopicConfig{Topic: t, NumPartitions: partitions, ReplicationFactor: 1})
	}
	resp, err := newClient(brokers).CreateTopics(ctx, req)
	if err != nil {
		return fmt.Errorf("creating topics %v: %w", topics, err)
	}
	for t, e := range resp.Errors {
		if e != nil && !errors.Is(e, kafka.TopicAlreadyExists) {
			return fmt.Errorf("creating topic %s: %w", t, e)
		}
	}
	return nil
}
