// Package models holds the scorers that read features and rank items:
// item-to-item similarity from co-occurrence (ItemKNN), content similarity
// (ContentSimilarity), a linear item model trained in the background
// (EASE), time-decayed popularity (Popular), the Blend that combines them,
// and the PricingHint attached to every recommended item.
//
// Scorers share one shape: given weighted seed items (what the user touched,
// or the anchor item), add a score for candidate items into a Scores
// accumulator. They read features under the engine's read lock and never
// write to them.
package models
