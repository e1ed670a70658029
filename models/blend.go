package models

// BlendWeights says how much each model counts in a slot's ranking. Each
// model's scores are first divided by that model's best score for the
// query, so a weight is the share of the final score the model's top
// candidate can earn, whatever the model's natural scale.
type BlendWeights struct {
	ItemKNN float64 `json:"itemknn"`
	Content float64 `json:"content"`
	EASE    float64 `json:"ease"`
	Popular float64 `json:"popular"`
	// Baskets is the association-rule model of cross-sell: added value
	// of the complement over its base rate, from features.Baskets.
	Baskets float64 `json:"baskets"`
}

// Only returns weights that use the named model alone, for benchmarks that
// show what each model contributes. ok is false for an unknown name.
func (w BlendWeights) Only(model string) (BlendWeights, bool) {
	switch model {
	case "itemknn":
		return BlendWeights{ItemKNN: 1}, true
	case "content":
		return BlendWeights{Content: 1}, true
	case "ease":
		return BlendWeights{EASE: 1}, true
	case "popular":
		return BlendWeights{Popular: 1}, true
	case "baskets":
		return BlendWeights{Baskets: 1}, true
	case "blend":
		return w, true
	}
	return w, false
}

// ModelNames returns the single models Only accepts, in report order.
func ModelNames() []string { return []string{"popular", "content", "itemknn", "ease", "baskets"} }

// AddNormalized adds weight × src/max(src) into dst; it does nothing when
// src has no positive score.
func AddNormalized(dst, src *Scores, weight float64) {
	if weight == 0 {
		return
	}
	m := src.Max()
	if m <= 0 {
		return
	}
	f := float32(weight) / m
	for _, id := range src.Touched {
		if v := src.slots[id].val; v > 0 {
			dst.Add(id, v*f)
		}
	}
}

// Normalize turns s into weight × s/max(s) in place, non-positive scores
// into nothing: for a Scores that was empty before one model scored into
// it, the result of AddNormalized into an empty Scores without the copy.
func (s *Scores) Normalize(weight float64) {
	m := s.Max()
	if m <= 0 || weight == 0 {
		s.Reset(len(s.slots))
		return
	}
	f := float32(weight) / m
	kept := s.Touched[:0]
	for _, id := range s.Touched {
		sl := &s.slots[id]
		if sl.val > 0 {
			sl.val *= f
			kept = append(kept, id)
		} else {
			sl.gen = s.gen - 1 // untouched again
		}
	}
	s.Touched = kept
}
