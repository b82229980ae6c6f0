package recleanse

// radixSort sorts xs by key, stably, with a least-significant-digit radix sort on the
// bytes of the 64-bit keys (8 passes, byte positions where all keys agree skipped). For
// the millions of blocking entries and pairs of a large run it is several times faster
// than a comparison sort, and stability keeps equal keys in their input order.
func radixSort[T any](xs []T, key func(*T) uint64) {
	if len(xs) < 2 {
		return
	}
	buf := make([]T, len(xs))
	src, dst := xs, buf
	for shift := uint(0); shift < 64; shift += 8 {
		var count [256]int
		for i := range src {
			count[byte(key(&src[i])>>shift)]++
		}
		if count[byte(key(&src[0])>>shift)] == len(src) {
			continue // every key has the same byte here
		}
		pos := 0
		for b := range count {
			c := count[b]
			count[b] = pos
			pos += c
		}
		for i := range src {
			b := byte(key(&src[i]) >> shift)
			dst[count[b]] = src[i]
			count[b]++
		}
		src, dst = dst, src
	}
	if &src[0] != &xs[0] {
		copy(xs, src)
	}
}
