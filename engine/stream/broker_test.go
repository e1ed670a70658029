package stream_test

import (
	"testing"

	"reco/engine/broker"
)

// startBroker starts an in-process Kafka-protocol broker on loopback with
// topic in 4 partitions, closed when the test ends, and returns its address.
func startBroker(t *testing.T, topic string) string {
	t.Helper()
	b, err := broker.Start(broker.Config{Addr: "127.0.0.1:0", Topics: []string{topic}, Partitions: 4})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close() })
	return b.Addr()
}
