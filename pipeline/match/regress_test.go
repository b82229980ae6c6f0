package match

import "testing"

// TestLetterComparisonsDoNotAllocate: jaroWinkler and withinEdits run for every
// candidate pair; 0485479 spells non-ASCII values one byte per letter through
// letterBytes, whose table of letters seen (var seen []rune, grown by append) is on the
// heap: every comparison of two Cyrillic or Greek names allocates, where the ASCII path
// (and the byte path before) allocates nothing.
func TestLetterComparisonsDoNotAllocate(t *testing.T) {
	if n := testing.AllocsPerRun(100, func() { jaroWinkler("смирнов", "соколов") }); n != 0 {
		t.Errorf("jaroWinkler on Cyrillic names: %v allocations per call", n)
	}
	if n := testing.AllocsPerRun(100, func() { withinEdits("александров", "алексантров", 1) }); n != 0 {
		t.Errorf("withinEdits on Cyrillic names: %v allocations per call", n)
	}
	if n := testing.AllocsPerRun(100, func() { jaroWinkler("smirnov", "sokolov") }); n != 0 {
		t.Errorf("jaroWinkler on ASCII names: %v allocations per call", n)
	}
}
