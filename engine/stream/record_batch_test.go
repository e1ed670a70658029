package stream

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"strings"
	"testing"

	"github.com/segmentio/kafka-go"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// record is one message of a test batch.
type record struct {
	key   string
	value []byte
}

// decodeRecordBatch decodes an encoded batch with franz-go's kmsg (a
// decoder written apart from ours) and checks what every batch of
// recordBatch must hold: the layout's constants, a length that covers
// the bytes, the CRC-32C, and offset deltas 0..n-1.
func decodeRecordBatch(t testing.TB, raw []byte, ts int64) []record {
	t.Helper()
	var b kmsg.RecordBatch
	if err := b.ReadFrom(raw); err != nil {
		t.Fatalf("kmsg cannot read the batch: %v", err)
	}
	if b.FirstOffset != 0 || b.Magic != 2 || b.Attributes != 0 || b.ProducerID != -1 || b.ProducerEpoch != -1 || b.FirstSequence != -1 || b.PartitionLeaderEpoch != -1 {
		t.Fatalf("header %+v: want offset 0, magic 2, attributes 0, no producer id, epoch or sequence", b)
	}
	if int(b.Length) != len(raw)-12 {
		t.Fatalf("length %d for %d bytes, want %d", b.Length, len(raw), len(raw)-12)
	}
	if want := int32(crc32.Checksum(raw[21:], crc32.MakeTable(crc32.Castagnoli))); b.CRC != want {
		t.Fatalf("crc %08x, want %08x", uint32(b.CRC), uint32(want))
	}
	if b.FirstTimestamp != ts || b.MaxTimestamp != ts {
		t.Fatalf("timestamps %d, %d, want %d", b.FirstTimestamp, b.MaxTimestamp, ts)
	}
	if b.LastOffsetDelta != b.NumRecords-1 {
		t.Fatalf("last offset delta %d for %d records", b.LastOffsetDelta, b.NumRecords)
	}
	var got []record
	rest := b.Records
	for i := 0; i < int(b.NumRecords); i++ {
		length, n := binary.Varint(rest)
		if n <= 0 || int(length) > len(rest)-n {
			t.Fatalf("record %d: length %d with %d bytes left", i, length, len(rest))
		}
		var r kmsg.Record
		if err := r.ReadFrom(rest[:n+int(length)]); err != nil {
			t.Fatalf("record %d: %v", i, err)
		}
		if int(r.OffsetDelta) != i || r.TimestampDelta64 != 0 || len(r.Headers) != 0 {
			t.Fatalf("record %d: offset delta %d, timestamp delta %d, %d headers", i, r.OffsetDelta, r.TimestampDelta64, len(r.Headers))
		}
		got = append(got, record{string(r.Key), r.Value})
		rest = rest[n+int(length):]
	}
	if len(rest) != 0 {
		t.Fatalf("%d bytes after %d records", len(rest), b.NumRecords)
	}
	return got
}

// add appends the record of key and value to b, sizing it as
// BulkProducer.Add does.
func (b *recordBatch) add(key string, value []byte) {
	b.addSized(key, value, recordBodySize(b.count, key, value))
}

// recordSize returns the bytes the record of key and value at
// offsetDelta i takes in a batch, its length prefix included.
func recordSize(i int, key string, value []byte) int {
	body := recordBodySize(i, key, value)
	return varintSize(int64(body)) + body
}

func TestRecordBatchDecodes(t *testing.T) {
	long := strings.Repeat("x", 300) // lengths past one varint byte
	tests := []struct {
		name    string
		records []record
	}{
		{"one", []record{{"u1", []byte(`{"type":"view"}`)}}},
		{"empty key and value", []record{{"", nil}, {"", []byte{}}}},
		{"long", []record{{long, []byte(long + long)}, {"k", []byte(long)}}},
		{"two hundred", func() (rs []record) { // offset deltas past 63, a two-byte zigzag varint
			for i := range 200 {
				rs = append(rs, record{fmt.Sprint("user", i), []byte(fmt.Sprint(i))})
			}
			return rs
		}()},
	}
	var b recordBatch
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b.reset() // reused across cases, as a BulkProducer reuses them
			want := 0
			for i, r := range tt.records {
				want += recordSize(i, r.key, r.value)
				b.add(r.key, r.value)
			}
			if want += recordBatchHeaderSize; b.len() != want {
				t.Errorf("len %d, recordSize's sum %d", b.len(), want)
			}
			batch := b.finish(1700000000123)
			if sized := b.sized(); len(sized) != 4+len(batch) || int(binary.BigEndian.Uint32(sized)) != len(batch) || !bytes.Equal(sized[4:], batch) {
				t.Fatalf("sized: %d bytes led by length %d, want %d led by %d", len(sized), binary.BigEndian.Uint32(sized), 4+len(batch), len(batch))
			}
			got := decodeRecordBatch(t, batch, 1700000000123)
			if len(got) != len(tt.records) {
				t.Fatalf("%d records, want %d", len(got), len(tt.records))
			}
			for i, r := range tt.records {
				if got[i].key != r.key || !bytes.Equal(got[i].value, r.value) {
					t.Fatalf("record %d: %q=%q, want %q=%q", i, got[i].key, got[i].value, r.key, r.value)
				}
			}
		})
	}
}

func FuzzRecordBatch(f *testing.F) {
	f.Add("user1", []byte(`{"type":"view","user":"user1"}`), uint8(3))
	f.Add("", []byte{}, uint8(1))
	f.Fuzz(func(t *testing.T, key string, value []byte, n uint8) {
		var b recordBatch
		for i := 0; i < int(n%70)+1; i++ {
			b.add(key, value)
		}
		got := decodeRecordBatch(t, b.finish(-1), -1)
		if len(got) != int(n%70)+1 {
			t.Fatalf("%d records, want %d", len(got), int(n%70)+1)
		}
		for i, r := range got {
			if r.key != key || !bytes.Equal(r.value, value) {
				t.Fatalf("record %d: %q=%q, want %q=%q", i, r.key, r.value, key, value)
			}
		}
	})
}

func TestVarintSize(t *testing.T) {
	for _, v := range []int64{0, 1, -1, 63, 64, -64, -65, 8191, 8192, 1 << 40, -1 << 62, 1<<63 - 1, -1 << 63} {
		if got, want := varintSize(v), len(binary.AppendVarint(nil, v)); got != want {
			t.Errorf("varintSize(%d) = %d, want %d", v, got, want)
		}
	}
}

// TestHashPartitionIsKafkaGos checks that BulkProducer puts every key
// where kafka-go's Hash balancer (Producer's) puts it.
func TestHashPartitionIsKafkaGos(t *testing.T) {
	for _, n := range []int{1, 2, 3, 4, 7, 12, 100} {
		parts := make([]int, n)
		for i := range parts {
			parts[i] = i
		}
		var h kafka.Hash
		for i := range 5000 {
			key := fmt.Sprint("user-", i*7919)
			if i%50 == 0 {
				key = strings.Repeat("é", i%13)
			}
			if got, want := hashPartition(key, n), h.Balance(kafka.Message{Key: []byte(key)}, parts...); got != want {
				t.Fatalf("%d partitions, key %q: partition %d, kafka-go's Hash %d", n, key, got, want)
			}
		}
	}
}
