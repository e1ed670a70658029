package features

// WeeklyCounts counts events per item over the last seven calendar days
// (UTC), exactly: social proof like "bought 37 times this week" must be
// true, which a decayed figure is not.
type WeeklyCounts struct {
	buckets []weekBuckets
}

type weekBuckets struct {
	day   [7]int32 // unix day each bucket holds
	count [7]int32
}

const msPerDay = 86_400_000

// Add counts n events of item id at ts.
func (w *WeeklyCounts) Add(id ItemID, ts int64, n int32) {
	for int(id) >= len(w.buckets) {
		w.buckets = append(w.buckets, weekBuckets{})
	}
	day := int32(ts / msPerDay)
	b := &w.buckets[id]
	i := day % 7
	if b.day[i] != day {
		if b.day[i] > day { // an event older than the bucket's week
			return
		}
		b.day[i], b.count[i] = day, 0
	}
	b.count[i] += n
}

// Last7Days returns the events of item id in the seven days up to now.
func (w *WeeklyCounts) Last7Days(id ItemID, now int64) int {
	if int(id) >= len(w.buckets) {
		return 0
	}
	today := int32(now / msPerDay)
	b := &w.buckets[id]
	n := 0
	for i := range b.day {
		if b.day[i] > today-7 && b.day[i] <= today {
			n += int(b.count[i])
		}
	}
	return n
}
