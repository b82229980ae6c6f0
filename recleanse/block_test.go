package recleanse

import (
	"context"
	"errors"
	"io"
	"slices"
	"strings"
	"testing"

	"github.com/steward-crm/steward/pipeline/match"
	"github.com/steward-crm/steward/rules"
	"github.com/steward-crm/steward/synth"
)

// TestBlockHashesHashBlockKeys: hashing the key parts as they come gives the hashes of
// the keys match.BlockKeys spells, with the rule read back from the key.
func TestBlockHashesHashBlockKeys(t *testing.T) {
	r := rules.Default()
	eng, err := match.New(r)
	if err != nil {
		t.Fatal(err)
	}
	cfg := config(t, r)
	l := &Loader{Engine: eng, Normalize: cfg.Normalize, Truth: "entity_id"}
	l.ruleIdx = ruleIndexes(r.Match.Blocking)
	g, err := synth.New(synth.Config{N: 3000, DupRate: 0.35, Corruption: 1, Seed: 11})
	if err != nil {
		t.Fatal(err)
	}
	keyed := 0
	for {
		rec, err := g.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if err := l.Normalize(context.Background(), rec); err != nil {
			continue
		}
		var want []uint64
		for _, k := range eng.BlockKeys(rec.Norm) {
			name, _, _ := strings.Cut(k, ":")
			ri := slices.IndexFunc(r.Match.Blocking, func(b rules.BlockRule) bool { return b.Name == name })
			want = append(want, fnv64([]byte(k))&^0xff|uint64(max(ri, 0)))
		}
		slices.Sort(want)
		keyed += min(1, len(want))
		if got := l.blockHashes(rec.Norm); !slices.Equal(got, want) {
			t.Fatalf("record %s: blockHashes = %x, want %x (keys %q)", rec.Key(), got, want, eng.BlockKeys(rec.Norm))
		}
	}
	if keyed < 2500 {
		t.Errorf("only %d of 3000 records have blocking keys", keyed)
	}
}
