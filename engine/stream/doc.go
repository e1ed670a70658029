// Package stream connects the engine to Kafka with kafka-go: a Producer
// that writes events to their topics (keyed so that each user's and each
// item's events stay in order) and a Consumer that reads them as a
// consumer group, applies them to the engine in order per partition, and
// commits offsets only after applying.
package stream
