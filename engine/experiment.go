package engine

import (
	"encoding/json"
	"fmt"
	"hash/fnv"
	"os"
	"strings"

	"reco/models"
)

// Experiment splits the users of some slots between variants, each with
// its own blend weights. Assignment is a stable hash of (experiment, user),
// so a user sees the same variant on every request and after restarts.
// The first variant is the control the others are tested against.
type Experiment struct {
	Name     string    `json:"name"`
	Slots    []string  `json:"slots"`
	Variants []Variant `json:"variants"`
}

// Variant is one arm of an experiment. Blends left out keep the slot's
// configured weights.
type Variant struct {
	Name      string               `json:"name"`
	Weight    int                  `json:"weight"` // share of users, relative to the other variants
	Feed      *models.BlendWeights `json:"feed,omitempty"`
	Similar   *models.BlendWeights `json:"similar,omitempty"`
	CrossSell *models.BlendWeights `json:"cross_sell,omitempty"`
}

// DefaultVariant names the answers of slots no experiment covers.
const DefaultVariant = "default"

// LoadExperiments reads experiments from a JSON file:
// {"experiments":[{"name":…,"slots":["feed"],"variants":[{"name":"control","weight":50},…]}]}.
func LoadExperiments(path string) ([]Experiment, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("experiments: %w", err)
	}
	var f struct {
		Experiments []Experiment `json:"experiments"`
	}
	dec := json.NewDecoder(strings.NewReader(string(b)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("experiments: %s: %w", path, err)
	}
	if err := validateExperiments(f.Experiments); err != nil {
		return nil, fmt.Errorf("experiments: %s: %w", path, err)
	}
	return f.Experiments, nil
}

func validateExperiments(exps []Experiment) error {
	slotTaken := map[string]string{}
	for _, x := range exps {
		if x.Name == "" || strings.ContainsAny(x.Name, "~") {
			return fmt.Errorf("experiment name %q must be non-empty without '~'", x.Name)
		}
		if len(x.Variants) < 2 {
			return fmt.Errorf("experiment %s: needs a control and at least one variant", x.Name)
		}
		names := map[string]bool{}
		for _, v := range x.Variants {
			if v.Name == "" || strings.ContainsAny(v.Name, "~") || names[v.Name] {
				return fmt.Errorf("experiment %s: variant name %q is empty, has '~' or is repeated", x.Name, v.Name)
			}
			if v.Weight <= 0 {
				return fmt.Errorf("experiment %s: variant %s needs a positive weight", x.Name, v.Name)
			}
			names[v.Name] = true
		}
		for _, s := range x.Slots {
			if other, ok := slotTaken[s]; ok {
				return fmt.Errorf("slot %s is in experiments %s and %s: one at a time", s, other, x.Name)
			}
			slotTaken[s] = x.Name
		}
	}
	return nil
}

// assign returns the experiment and variant of user in slot (nil, nil
// when no experiment covers the slot). Anonymous users get the control.
func (e *Engine) assign(slot, user string) (*Experiment, *Variant) {
	for i := range e.cfg.Experiments {
		x := &e.cfg.Experiments[i]
		for _, s := range x.Slots {
			if s != slot {
				continue
			}
			if user == "" {
				return x, &x.Variants[0]
			}
			total := 0
			for _, v := range x.Variants {
				total += v.Weight
			}
			h := fnv.New64a()
			h.Write([]byte(x.Name))
			h.Write([]byte{0})
			h.Write([]byte(user))
			// FNV's low bits are a parity of the input's bytes, so "user1"
			// and "user3" would always land together: mix before reducing.
			pick := int(fmix64(h.Sum64()) % uint64(total))
			for j := range x.Variants {
				if pick < x.Variants[j].Weight {
					return x, &x.Variants[j]
				}
				pick -= x.Variants[j].Weight
			}
		}
	}
	return nil, nil
}

// fmix64 is MurmurHash3's finaliser: every input bit affects every output bit.
func fmix64(k uint64) uint64 {
	k ^= k >> 33
	k *= 0xff51afd7ed558ccd
	k ^= k >> 33
	k *= 0xc4ceb9fe1a85ec53
	k ^= k >> 33
	return k
}

// variantBlend returns the variant's blend for slot, or nil to keep the
// slot's own.
func variantBlend(v *Variant, slot string) *models.BlendWeights {
	if v == nil {
		return nil
	}
	switch slot {
	case SlotFeed:
		return v.Feed
	case SlotSimilar:
		return v.Similar
	case SlotCrossSell:
		return v.CrossSell
	}
	return nil
}
