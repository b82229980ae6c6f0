package sqlstore

import (
	"math/rand/v2"
	"testing"
)

// TestKeyTableAsMap: random sets, overwrites, deletes and lookups on a keyTable give what
// a Go map gives, with keys drawn from a small range (long probe runs, deletes inside
// them, wrap-around at the slice's end), the key 0, and growth from the zero table and
// from a sized one.
func TestKeyTableAsMap(t *testing.T) {
	for _, c := range []struct {
		name  string
		hint  int
		keys  uint64
		steps int
	}{{"zero table, dense keys", 0, 64, 20000}, {"sized, dense keys", 100, 300, 50000}, {"sized, sparse keys", 1000, 1 << 62, 50000}} {
		t.Run(c.name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(7, uint64(c.hint)))
			var kt keyTable
			if c.hint > 0 {
				kt = newKeyTable(c.hint)
			}
			ref := map[uint64]int64{}
			key := func() uint64 {
				if rng.IntN(50) == 0 {
					return 0
				}
				if c.keys > 1<<40 {
					return rng.Uint64() % c.keys
				}
				return rng.Uint64N(c.keys)
			}
			for step := range c.steps {
				k := key()
				switch rng.IntN(4) {
				case 0, 1:
					v := rng.Int64()
					kt.set(k, v)
					ref[k] = v
				case 2:
					kt.del(k)
					delete(ref, k)
				}
				got, ok := kt.get(k)
				if want, wok := ref[k]; ok != wok || got != want {
					t.Fatalf("step %d: get(%d) = %d, %v; want %d, %v", step, k, got, ok, want, wok)
				}
				if step%1000 == 0 {
					held := kt.n
					if kt.zero {
						held++
					}
					if held != len(ref) {
						t.Fatalf("step %d: %d keys held, want %d", step, held, len(ref))
					}
					for k, want := range ref {
						if got, ok := kt.get(k); !ok || got != want {
							t.Fatalf("step %d: get(%d) = %d, %v; want %d", step, k, got, ok, want)
						}
					}
				}
			}
		})
	}
}
