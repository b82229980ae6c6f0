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
	"unicode/utf8"

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
	// updated is the record's updated_at in Unix microseconds (streaming compares times
	// to the microsecond): of two versions of a key, the newest is kept, as streaming
	// keeps it.
	updated int64
	// deleted marks a withdrawal (op delete): kept until the versions of its key are
	// sorted, so that a withdrawal newer than a record's version drops the record, as
	// streaming withdraws it (Load returns no deleted record).
	deleted bool
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

// Rejected counts records that could not be read or normalized (data problems,
// contact.ErrInvalid; any other error fails the run), with the first reasons in input
// order.
type Rejected struct {
	Count int      `json:"count"`
	First []string `json:"first,omitempty"`
}

// maxRejectedReasons is the number of reasons Rejected keeps.
const maxRejectedReasons = 5

// clipReason shortens a reason to about 200 bytes, on a rune boundary.
func clipReason(msg string) string {
	if len(msg) <= 200 {
		return msg
	}
	cut := 200
	for cut > 0 && !utf8.RuneStart(msg[cut]) {
		cut--
	}
	return msg[:cut]
}

// rejection is one rejected item with its rank in the input, so that the first reasons
// are the first in input order whichever worker read them.
type rejection struct {
	seq int
	msg string
	err error // an infrastructure error (msg is then its position)
}

// Load reads files (side is stored on each record) and returns the records sorted by
// (side, key): the order records come in never matters downstream. A withdrawal (op
// delete) drops its key's older versions (dropRepeatedKeys) and is not returned.
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
	jobs := make(chan batch, workers*2)
	type result struct {
		recs  []Record
		count int
		first []rejection // the worker's first rejections: its batches come in input order
		infra *rejection  // the worker's first error that is not a data problem
	}
	results := make(chan result, workers)
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var res result
			for b := range jobs {
				for i, it := range b.items {
					rec, err := l.record(ctx, it, side)
					switch {
					case err != nil && !errors.Is(err, contact.ErrInvalid):
						// Infrastructure (a registry that does not answer): the run
						// fails; the record is not rejected.
						if res.infra == nil {
							res.infra = &rejection{seq: b.seq + i, msg: it.Position, err: err}
						}
					case err != nil:
						res.count++
						if len(res.first) < maxRejectedReasons {
							res.first = append(res.first, rejection{seq: b.seq + i, msg: it.Position + ": " + clipReason(err.Error())})
						}
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
	var first []rejection
	var infra *rejection
	for r := range results {
		all = append(all, r.recs...)
		rej.Count += r.count
		first = append(first, r.first...)
		if r.infra != nil && (infra == nil || r.infra.seq < infra.seq) {
			infra = r.infra
		}
	}
	if readErr != nil {
		return nil, rej, readErr
	}
	if infra != nil {
		return nil, rej, fmt.Errorf("%s: %w", infra.msg, infra.err)
	}
	// The input's first rejections are among the workers' first ones.
	slices.SortFunc(first, func(a, b rejection) int { return cmp.Compare(a.seq, b.seq) })
	for _, f := range first[:min(len(first), maxRejectedReasons)] {
		rej.First = append(rej.First, f.msg)
	}
	SortRecords(all)
	all = dropRepeatedKeys(all, &rej)
	if l.Truth != "" && len(all) > 0 && !slices.ContainsFunc(all, func(r Record) bool { return r.Truth != "" }) {
		// Figures against an absent truth would read as a perfect score.
		return nil, rej, fmt.Errorf("truth %q: no record carries it (an attribute name, or an unmapped CSV column)", l.Truth)
	}
	return all, rej, nil
}

// dropRepeatedKeys keeps one record of each key (source and source id) of a side, in
// records sorted by SortRecords, and counts the other versions as rejected: a key names
// one source record, and the clusters file names records by their key (two files of one
// source, a source id given twice, a line repeated). The one kept is the first in that
// order, whichever was read first: the newest version (updated_at), as streaming keeps.
// When that is a withdrawal, the key is dropped with its versions (withdrawn, not
// rejected); withdrawals are never counted.
func dropRepeatedKeys(all []Record, rej *Rejected) []Record {
	out := all[:0]
	for i := 0; i < len(all); {
		head := all[i]
		j := i + 1
		for ; j < len(all) && all[j].Side == head.Side && all[j].Key == head.Key; j++ {
			if head.deleted || all[j].deleted {
				continue
			}
			rej.Count++
			if len(rej.First) < maxRejectedReasons {
				rej.First = append(rej.First, all[j].Key+": the same source record (source and source_id) given more than once; one kept")
			}
		}
		if !head.deleted {
			out = append(out, head) // index <= i: the group's later records are read already
		}
		i = j
	}
	return out
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
	return cmp.Or(cmp.Compare(a.Side, b.Side), strings.Compare(a.Key, b.Key), cmp.Compare(b.updated, a.updated),
		compareDeleted(a.deleted, b.deleted), strings.Compare(a.Truth, b.Truth), cmp.Compare(a.content, b.content))
}

// compareDeleted puts a withdrawal before a version of the same time: streaming keeps
// a record withdrawn by a withdrawal of its version's time, in either order.
func compareDeleted(a, b bool) int {
	switch {
	case a == b:
		return 0
	case a:
		return -1
	}
	return 1
}

// batch is a run of items and the rank of its first one in the input.
type batch struct {
	seq   int
	items []input.Item
}

// feed hands src's items to the workers in batches.
func feed(ctx context.Context, src Source, jobs chan<- batch) error {
	const batchSize = 256
	seq := 0
	b := make([]input.Item, 0, batchSize)
	err := src(ctx, func(it input.Item) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		b = append(b, it)
		if len(b) == batchSize {
			jobs <- batch{seq, b}
			seq += len(b)
			b = make([]input.Item, 0, batchSize)
		}
		return nil
	})
	if err == nil && len(b) > 0 {
		jobs <- batch{seq, b}
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

// record decodes, normalizes and extracts one item; a deletion is a withdrawal (deleted,
// without features), which dropRepeatedKeys removes.
func (l *Loader) record(ctx context.Context, it input.Item, side uint8) (*Record, error) {
	if it.Err != nil {
		return nil, it.Err
	}
	r, err := contact.Decode(it.Payload)
	if err != nil {
		return nil, err
	}
	if r.EffectiveOp() == contact.OpDelete {
		return &Record{Key: r.Key(), Side: side, content: fnv64(it.Payload), updated: r.UpdatedAt.UnixMicro(), deleted: true}, nil
	}
	if l.Normalize != nil {
		if err := l.Normalize(ctx, r); err != nil {
			return nil, err
		}
	}
	rec := &Record{Key: r.Key(), Side: side, content: fnv64(it.Payload), updated: r.UpdatedAt.UnixMicro(), Feat: l.Engine.Features(r.Norm)}
	if l.Truth != "" {
		if v, ok := r.Attributes[strings.TrimPrefix(l.Truth, "attributes.")]; ok && v != nil {
			rec.Truth = fmt.Sprint(v)
		}
	}
	rec.keys = l.blockHashes(r.Norm)
	return rec, nil
}
