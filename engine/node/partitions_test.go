package node

import (
	"context"
	"fmt"
	"net"
	"testing"
	"time"

	"github.com/segmentio/kafka-go"
)

// TestConsumesPartitionsAddedWhileRunning adds partitions to the events
// topic under a running node, as an operator scaling the topic would, and
// writes to the new ones: their events are applied without a restart.
func TestConsumesPartitionsAddedWhileRunning(t *testing.T) {
	n := startNode(t, Config{})
	addr := n.Brokers()[0]
	write := func(partition int, user string) {
		t.Helper()
		conn, err := kafka.DialLeader(context.Background(), "tcp", addr, "reco.events", partition)
		if err != nil {
			t.Fatalf("dialling the leader of reco.events/%d: %v", partition, err)
		}
		defer conn.Close()
		v := fmt.Sprintf(`{"type":"view","user":%q,"item":"x","ts":%d}`, user, time.Now().UnixMilli())
		if _, err := conn.WriteMessages(kafka.Message{Key: []byte(user), Value: []byte(v)}); err != nil {
			t.Fatalf("writing to reco.events/%d: %v", partition, err)
		}
	}
	// The group has joined and its fetchers run: an event is applied.
	write(0, "before")
	waitFor(t, "the view on partition 0", func() bool { return views(n) == 1 })

	tcp, err := net.ResolveTCPAddr("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := (&kafka.Client{Addr: tcp}).CreatePartitions(context.Background(), &kafka.CreatePartitionsRequest{
		Topics: []kafka.TopicPartitionsConfig{{Name: "reco.events", Count: 6}}})
	if err != nil {
		t.Fatal(err)
	}
	if err := resp.Errors["reco.events"]; err != nil {
		t.Fatalf("adding partitions: %v", err)
	}
	write(4, "new-4")
	write(5, "new-5")
	waitFor(t, "the views on the added partitions", func() bool { return views(n) == 3 })
	if offs := n.Engine.Offsets(); len(offs) < 3 {
		t.Errorf("engine offsets %v: want the added partitions recorded", offs)
	}
}
