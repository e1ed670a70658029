// Package bench evaluates reco offline: it loads a dataset, splits it
// (CONTRACT.md "Offline benchmark"), replays the training part through
// engine.Apply exactly as the Kafka consumer would, asks engine.Recommend
// for every test user and scores the answers with standard ranking
// metrics. It never re-implements a model: what it measures is what
// production serves.
package bench
