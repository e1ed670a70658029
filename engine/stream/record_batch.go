package stream

import (
	"encoding/binary"
	"hash/crc32"
)

// recordBatch encodes messages into one uncompressed Kafka record batch,
// the v2 format ("magic" 2) produce requests carry since Kafka 0.11
// (https://kafka.apache.org/documentation/#recordbatch). A BulkProducer
// fills each partition's batch as lines arrive, so a message's key and
// value are copied once, into the bytes that go on the wire; kafka-go's
// Writer copied them three times and spent more than half of `reco
// replay`'s CPU doing it.
//
// A produce request carries a partition's record set as its length (an
// int32), then its batches: the buffer holds that length first, so that
// the bytes from it on (sized) go to the broker as they are. The batch's
// layout after it, big-endian, offsets in bytes:
//
//	 0 baseOffset int64 (0: the broker assigns offsets)
//	 8 batchLength int32 (the bytes after this field)
//	12 partitionLeaderEpoch int32 (-1)
//	16 magic int8 (2)
//	17 crc uint32 (CRC-32C of everything from attributes on)
//	21 attributes int16 (0: no compression, create time)
//	23 lastOffsetDelta int32
//	27 baseTimestamp int64 (unix milliseconds)
//	35 maxTimestamp int64
//	43 producerId int64 (-1: not idempotent)
//	51 producerEpoch int16 (-1)
//	53 baseSequence int32 (-1)
//	57 recordCount int32
//	61 records
//
// and each record, varints zigzag-encoded as encoding/binary's:
//
//	length varint (the bytes after this field)
//	attributes int8 (0)
//	timestampDelta varint (0: every record has the batch's time)
//	offsetDelta varint (its index in the batch)
//	keyLength varint, key
//	valueLength varint, value
//	headerCount varint (0)
type recordBatch struct {
	buf   []byte // the record set's length, the header's space, then the records
	count int
}

// recordBatchHeaderSize is the bytes before the first record.
const recordBatchHeaderSize = 61

// sizePrefix is the bytes of the record set's length before the batch.
const sizePrefix = 4

// castagnoli is the CRC-32C table record batches are checksummed with.
// Read-only once made; crc32 uses the CPU's instruction for it where
// there is one.
var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// reset empties b for a new batch, keeping its buffer.
func (b *recordBatch) reset() {
	if cap(b.buf) < sizePrefix+recordBatchHeaderSize {
		b.buf = make([]byte, sizePrefix+recordBatchHeaderSize, 64<<10)
	}
	b.buf = b.buf[:sizePrefix+recordBatchHeaderSize]
	b.count = 0
}

// recordBodySize returns the bytes the record of key and value at
// offsetDelta i takes in a batch after its length prefix.
func recordBodySize(i int, key string, value []byte) int {
	return 1 + 1 + // attributes, timestampDelta 0
		varintSize(int64(i)) +
		varintSize(int64(len(key))) + len(key) +
		varintSize(int64(len(value))) + len(value) +
		1 // headerCount 0
}

// addSized appends the record of key and value (not kept: copied),
// whose body size, recordBodySize(b.count, key, value), the caller has
// computed: BulkProducer.Add needs it first, to decide whether the record
// still fits.
func (b *recordBatch) addSized(key string, value []byte, body int) {
	if len(b.buf) < sizePrefix+recordBatchHeaderSize {
		b.reset()
	}
	buf := binary.AppendVarint(b.buf, int64(body))
	buf = append(buf, 0, 0) // attributes, timestampDelta (zigzag 0)
	buf = binary.AppendVarint(buf, int64(b.count))
	buf = binary.AppendVarint(buf, int64(len(key)))
	buf = append(buf, key...)
	buf = binary.AppendVarint(buf, int64(len(value)))
	buf = append(buf, value...)
	b.buf = append(buf, 0) // headerCount
	b.count++
}

// len returns the bytes the batch takes so far, its header included.
func (b *recordBatch) len() int {
	return max(len(b.buf), sizePrefix+recordBatchHeaderSize) - sizePrefix
}

// finish fills in the header of a batch of at least one record, every
// record stamped at unix milliseconds ts, and returns the batch's bytes:
// valid until the next reset or add.
func (b *recordBatch) finish(ts int64) []byte {
	be := binary.BigEndian
	be.PutUint32(b.buf, uint32(len(b.buf)-sizePrefix))
	h := b.buf[sizePrefix : sizePrefix+recordBatchHeaderSize]
	be.PutUint64(h[0:], 0)
	be.PutUint32(h[8:], uint32(len(b.buf)-sizePrefix-12))
	be.PutUint32(h[12:], 0xffffffff) // partitionLeaderEpoch -1
	h[16] = 2
	be.PutUint16(h[21:], 0)
	be.PutUint32(h[23:], uint32(b.count-1))
	be.PutUint64(h[27:], uint64(ts))
	be.PutUint64(h[35:], uint64(ts))
	be.PutUint64(h[43:], 0xffffffffffffffff) // producerId -1
	be.PutUint16(h[51:], 0xffff)             // producerEpoch -1
	be.PutUint32(h[53:], 0xffffffff)         // baseSequence -1
	be.PutUint32(h[57:], uint32(b.count))
	be.PutUint32(h[17:], crc32.Checksum(b.buf[sizePrefix+21:], castagnoli))
	return b.buf[sizePrefix:]
}

// sized returns a finished batch as a produce request carries it: its
// length, then its bytes.
func (b *recordBatch) sized() []byte { return b.buf }

// varintSize returns the bytes binary.AppendVarint takes for v.
func varintSize(v int64) int {
	u := uint64(v<<1) ^ uint64(v>>63) // zigzag
	n := 1
	for u >= 0x80 {
		u >>= 7
		n++
	}
	return n
}
