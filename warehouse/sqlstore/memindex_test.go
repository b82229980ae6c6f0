package sqlstore

import (
	"math/rand/v2"
	"slices"
	"testing"
)

// TestKeyMastersLongLists: the first limit distinct masters of a key's rows, in row
// order, sorted; lists long enough to take the set (masterSet) give what searching the
// masters found so far gives, whatever the limit and however the rows share masters.
func TestKeyMastersLongLists(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for round := range 200 {
		x := &memIndex{}
		rows := 1 + r.IntN(400)
		masters := 1 + r.IntN(150)
		h := keyHash("k")
		var list []int64
		for id := int64(1); id <= int64(rows); id++ {
			m := int64(r.IntN(masters))
			if round%2 == 0 {
				m++ // ids from 1, as stored; odd rounds include 0
			}
			x.setRow(id, memRow{live: true, master: m})
			x.postingsOf(h).add(h, id)
			list = append(list, id)
		}
		for _, limit := range []int{1, 2, 10, 51, 64, 65, 200} {
			var want []int64
			for _, id := range list {
				if m := x.rows[id].master; !slices.Contains(want, m) {
					if want = append(want, m); len(want) >= limit {
						break
					}
				}
			}
			slices.Sort(want)
			if got := x.keyHashMasters(keyHash("k"), limit); !slices.Equal(got, want) {
				t.Fatalf("round %d, %d rows over %d masters, limit %d: %v, want %v", round, rows, masters, limit, got, want)
			}
		}
	}
}
