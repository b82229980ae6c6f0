package recleanse

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"runtime"
	"slices"
	"strings"
	"sync"

	"github.com/steward-crm/steward/contact"
	"github.com/steward-crm/steward/input"
	"github.com/steward-crm/steward/pipeline/match"
)

// Record is one input record as the batch engine keeps it: its key, its side (0, or 1 for
// the second file of a link), its true entity when asked for, and its match features.
type Record struct {
	Key   string
	Side  uint8
	Truth string
	// content hashes the record as read: it orders records with the same key without
	// depending on where they were read.
	content uint64
	Feat    *match.Features
	// keys are the record's blocking keys, hashed; the low byte is the rule's index.
	keys []uint64
}

// Normalizer normalizes a decoded record in place (the Normalize and Identify chains). It
// must be safe for concurrent use.
type Normalizer func(ctx context.Context, r *contact.Record) error

// Loader reads records and turns them into Records on every core.
type Loader struct {
	Engine    *match.Engine
	Normalize Normalizer
	// Truth names the attribute holding the true entity id ("" for none).
	Truth string
	// Input configures formats and the CSV mapping.
	Input input.Options
	// Workers is the number of normalizing goroutines (default GOMAXPROCS).
	Workers int
	// ruleIdx maps blocking rules to the index their keys' low byte holds (set by Load).
	ruleIdx []int
}

// Rejected counts records that could not be read or normalized, with the first reasons.
type Rejected struct {
	Count int      `json:"count"`
	First []string `json:"first,omitempty"`
}

func (r *Rejected) add(pos string, err error) {
	r.Count++
	if len(r.First) < 5 {
		msg := err.Error()
		if len(msg) > 200 {
			msg = msg[:200]
		}
		r.First = append(r.First, pos+": "+msg)
	}
}

// Load reads files (side is stored on each record) and returns the records sorted by
// (side, key): the order records come in never matters downstream. Deleted records
// (op delete) are skipped.
func (l *Loader) Load(ctx context.Context, files []string, side uint8) ([]Record, Rejected, error) {
	return l.LoadFrom(ctx, filesSource(files, l.Input), side)
}

// Source hands records to emit, one input.Item each (Position names the record), until
// it has no more or emit fails (its error is returned).
type Source func(ctx context.Context, emit func(input.Item) error) error

// LoadFrom is Load with the records of src instead of files' (a warehouse's stored
// records, for instance).
func (l *Loader) LoadFrom(ctx context.Context, src Source, side uint8) ([]Record, Rejected, error) {
	l.ruleIdx = ruleIndexes(l.Engine.Rules().Match.Blocking)
	workers := l.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	jobs := make(chan []input.Item, workers*2)
	type result struct {
		recs []Record
		rej  Rejected
	}
	results := make(chan result, workers)
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var res result
			for b := range jobs {
				for _, it := range b {
					rec, err := l.record(ctx, it, side)
					switch {
					case err != nil:
						res.rej.add(it.Position, err)
					case rec != nil:
						res.recs = append(res.recs, *rec)
					}
				}
			}
			results <- res
		}()
	}
	readErr := feed(ctx, src, jobs)
	close(jobs)
	wg.Wait()
	close(results)
	var all []Record
	var rej Rejected
	for r := range results {
		all = append(all, r.recs...)
		rej.Count += r.rej.Count
		for _, f := range r.rej.First {
			if len(rej.First) < 5 {
				rej.First = append(rej.First, f)
			}
		}
	}
	if readErr != nil {
		return nil, rej, readErr
	}
	slices.Sort(rej.First)
	SortRecords(all)
	if l.Truth != "" && len(all) > 0 && !slices.ContainsFunc(all, func(r Record) bool { return r.Truth != "" }) {
		// Figures against an absent truth would read as a perfect score.
		return nil, rej, fmt.Errorf("truth %q: no record carries it (an attribute name, or an unmapped CSV column)", l.Truth)
	}
	return all, rej, nil
}

// SortRecords sorts records by side, key, truth and content: a total order that does not
// depend on the order they were read in.
// Large inputs are sorted in two halves at once, then merged.
func SortRecords(rs []Record) {
	if len(rs) < 1<<16 || runtime.GOMAXPROCS(0) < 2 {
		slices.SortFunc(rs, compareRecords)
		return
	}
	half := len(rs) / 2
	done := make(chan struct{})
	go func() {
		slices.SortFunc(rs[:half], compareRecords)
		close(done)
	}()
	slices.SortFunc(rs[half:], compareRecords)
	<-done
	left := slices.Clone(rs[:half])
	right := rs[half:]
	i, j, k := 0, 0, 0
	for i < len(left) && j < len(right) {
		if compareRecords(right[j], left[i]) < 0 {
			rs[k] = right[j]
			j++
		} else {
			rs[k] = left[i]
			i++
		}
		k++
	}
	// What is left of right is already in place; copy the rest of left.
	copy(rs[k:], left[i:])
}

func compareRecords(a, b Record) int {
	return cmp.Or(cmp.Compare(a.Side, b.Side), strings.Compare(a.Key, b.Key),
		strings.Compare(a.Truth, b.Truth), cmp.Compare(a.content, b.content))
}

// feed hands src's items to the workers in batches.
func feed(ctx context.Context, src Source, jobs chan<- []input.Item) error {
	const batchSize = 256
	b := make([]input.Item, 0, batchSize)
	err := src(ctx, func(it input.Item) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		b = append(b, it)
		if len(b) == batchSize {
			jobs <- b
			b = make([]input.Item, 0, batchSize)
		}
		return nil
	})
	if err == nil && len(b) > 0 {
		jobs <- b
	}
	return err
}

// filesSource is the items of files, in order (the context is checked by feed's emit).
func filesSource(files []string, opts input.Options) Source {
	return func(_ context.Context, emit func(input.Item) error) error {
		for _, name := range files {
			rd, closeFn, err := input.Open(name, opts)
			if err != nil {
				return fmt.Errorf("read %s: %w", name, err)
			}
			for {
				it, err := rd.Next()
				if errors.Is(err, io.EOF) {
					break
				}
				if err != nil {
					closeFn()
					return fmt.Errorf("read %s: %w", name, err)
				}
				if err := emit(it); err != nil {
					closeFn()
					return err
				}
			}
			closeFn()
		}
		return nil
	}
}

// record decodes, normalizes and extracts one item; nil, nil for a deletion.
func (l *Loader) record(ctx context.Context, it input.Item, side uint8) (*Record, error) {
	if it.Err != nil {
		return nil, it.Err
	}
	r, err := contact.Decode(it.Payload)
	if err != nil {
		return nil, err
	}
	if r.EffectiveOp() == contact.OpDelete {
		return nil, nil
	}
	if l.Normalize != nil {
		if err := l.Normalize(ctx, r); err != nil {
			return nil, err
		}
	}
	rec := &Record{Key: r.Key(), Side: side, content: fnv64(it.Payload), Feat: l.Engine.Features(r.Norm)}
	if l.Truth != "" {
		if v, ok := r.Attributes[strings.TrimPrefix(l.Truth, "attributes.")]; ok && v != nil {
			rec.Truth = fmt.Sprint(v)
		}
	}
	rec.keys = l.blockHashes(r.Norm)
	return rec, nil
}
