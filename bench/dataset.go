package bench

// Row is one interaction of a dataset, in file order.
type Row struct {
	User   string
	Item   string
	TS     int64   // unix ms; 0 when the file has no time (file order is time)
	Rating float64 // 0 when the file has no rating
	Type   string  // event type; "rate" for rated rows
	Price  float64
}

// ItemMeta is catalog information a dataset provides for an item.
type ItemMeta struct {
	Item       string
	Title      string
	Categories []string
}

// Dataset is a loaded dataset.
type Dataset struct {
	Name      string
	Rows      []Row
	Items     []ItemMeta // may be empty
	HasRating bool
	// Baskets is set by the baskets format instead of Rows.
	Baskets [][]string
}
