// Package features holds the state that events update: the item catalog
// and its content index, user histories, item-to-item co-occurrence and
// time-decayed popularity.
//
// Every type here is a plain data structure without its own locking: the
// engine serialises writers (one Apply at a time) and lets readers run in
// parallel, so the rules are "mutate only under the engine's write lock,
// read under its read lock". Items and users are interned to dense
// integer ids so that models can score into flat slices instead of maps.
package features
