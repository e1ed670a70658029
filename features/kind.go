package features

// Kind is the type of an interaction between a user and an item.
type Kind uint8

// Interaction kinds, in the order of CONTRACT.md.
const (
	View Kind = iota
	Click
	Cart
	Uncart
	Purchase
	Rate
	Dismiss
	Impression
	numKinds
)

// kindNames returns the event type names, indexed by Kind.
func kindNames() [numKinds]string {
	return [numKinds]string{"view", "click", "cart", "uncart", "purchase", "rate", "dismiss", "impression"}
}

// String returns the event type name of k.
func (k Kind) String() string {
	if k < numKinds {
		return kindNames()[k]
	}
	return "unknown"
}

// ParseKind returns the Kind named s.
func ParseKind(s string) (Kind, bool) {
	for i, n := range kindNames() {
		if n == s {
			return Kind(i), true
		}
	}
	return 0, false
}

// InBasket reports whether an interaction of kind k puts its item in the
// user's basket: a cart or a purchase.
func (k Kind) InBasket() bool { return k == Cart || k == Purchase }
