package resolve

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"maps"
	"math"
	"slices"
	"sync/atomic"
	"time"

	"github.com/segmentio/encoding/json"
	"github.com/steward-crm/steward/contact"
	"github.com/steward-crm/steward/internal/par"
	"github.com/steward-crm/steward/pipeline/match"
	"github.com/steward-crm/steward/warehouse"
)

// version is a master as one joined record left it (snap, published in its change
// event) and as the batch writes it (final, whose timestamps the write sets).
type version struct{ snap, final *contact.Master }

// batch resolves the records of one ResolveBatch transaction set-based: the common case, a
// record never seen before, is decided in memory and written with the other new records of
// the batch in a few multi-row statements (source rows, block keys, masters, audit events,
// outbox), instead of a dozen statements per record. Every other case (a newer version, a
// withdrawal, a record that bridges two masters under auto_merge, a record twice in the
// batch) first writes what is pending and then takes the record-at-a-time path, so that
// the batch keeps the semantics of resolving its records one after the other.
type batch struct {
	rs  *Resolver
	tx  warehouse.Tx
	ctx context.Context

	// cands is what blocking finds in the warehouse for the keys of the records still to
	// resolve (nil: to be read again, after a record-at-a-time write).
	cands *warehouse.CandidateSet
	// warm holds, by record index, what decide needs of a new record that depends on
	// cands alone, computed for all of them at once when cands is read (nil: to compute).
	warm []*warm

	// pre is what was prepared outside the transaction, for the first candidate read
	// (nil: none, or used).
	pre *prepared

	// Pending writes, in record order.
	rows    []*pending
	masters map[int64]*touched // by master id (provisional ids for new masters)
	order   []*touched         // masters in order of first touch
	byKey   map[string][]*pending
	nextNew int64
}

// pending is a new record decided but not written yet.
type pending struct {
	row     *warehouse.SourceRow
	keys    []string
	feats   *match.Features
	event   *warehouse.Event
	reviews []*warehouse.ReviewItem
	out     *Outcome
}

// touched is a master that records of the batch create or join.
type touched struct {
	id     int64
	isNew  bool
	joined []*pending // in order; a new master's first is its founder
}

// provisionalBase numbers the masters created in a batch until real ids are reserved at
// write time: above every real id, in creation order, as real ids will be (ties between
// candidates go to the older master).
const provisionalBase = math.MaxInt64 / 2

func newBatch(ctx context.Context, rs *Resolver, tx warehouse.Tx) *batch {
	return &batch{rs: rs, tx: tx, ctx: ctx, masters: map[int64]*touched{}, byKey: map[string][]*pending{}, nextNew: provisionalBase}
}

// run resolves recs in order into outs.
func (b *batch) run(recs []*contact.Record, blockKeys [][]string, hashes, positions []string, outs []Outcome) error {
	keys := make([]warehouse.SourceKey, len(recs))
	for i, r := range recs {
		keys[i] = warehouse.SourceKey{Source: r.Source, SourceID: r.SourceID}
	}
	states, err := b.tx.SourceStates(b.ctx, keys)
	if err != nil {
		return err
	}
	// again[i]: the record came earlier in the batch.
	again := make([]bool, len(recs))
	seen := make(map[string]bool, len(recs))
	for i, r := range recs {
		again[i] = seen[r.Key()]
		seen[r.Key()] = true
	}
	// fresh reports whether record i takes the set-based path (decide): a record never
	// stored, once in the batch, not a withdrawal.
	fresh := func(i int) bool {
		return !again[i] && !b.rs.oneByOne && states[recs[i].Key()] == nil && recs[i].EffectiveOp() != contact.OpDelete
	}
	for i, r := range recs {
		k := r.Key()
		prev := states[k]
		out := &outs[i]
		same := prev != nil && sameContent(prev.Hash, hashes[i], r)
		switch {
		case again[i], b.rs.oneByOne, prev != nil && !same && !Stale(r, prev):
			if err := b.oneRecord(r, blockKeys[i], hashes[i], positions[i], out); err != nil {
				return err
			}
		case same:
			out.Action, out.MasterID = ActionUnchanged, prev.MasterID
		case prev != nil:
			out.Action, out.MasterID = ActionStale, prev.MasterID
		case r.EffectiveOp() == contact.OpDelete:
			// Withdrawing a record never stored: the withdrawal is stored (withdrawUnknown).
			if err := b.oneRecord(r, blockKeys[i], hashes[i], positions[i], out); err != nil {
				return err
			}
		default:
			if b.cands == nil {
				var todo []int
				for j := i; j < len(recs); j++ {
					if fresh(j) {
						todo = append(todo, j)
					}
				}
				if err := b.candidates(recs, blockKeys, i, todo); err != nil {
					return err
				}
			}
			w := b.warm[i]
			if w == nil {
				w = b.warmOne(r, blockKeys[i])
			}
			err := b.decide(r, w, blockKeys[i], hashes[i], positions[i], out)
			if errors.Is(err, errBridge) {
				err = b.oneRecord(r, blockKeys[i], hashes[i], positions[i], out)
			} else if err != nil {
				err = fmt.Errorf("resolve %s: %w", k, err)
			}
			if err != nil {
				return err
			}
		}
		if len(out.Merged) > 0 {
			// The merge moved the records of the masters merged: the records still to
			// come see their masters as they are now, as Resolve would read them.
			if states, err = b.tx.SourceStates(b.ctx, keys[i+1:]); err != nil {
				return err
			}
		}
	}
	return b.flush()
}

// candidates reads the candidates of records from..., and the warm parts of those in
// todo (the new ones). A prefetch, on its first read, serves the records whose keys and
// candidate masters did not change since it was read; only the others are read here,
// and scored again against their candidate masters that changed or are new to them
// (rewarm).
func (b *batch) candidates(recs []*contact.Record, blockKeys [][]string, from int, todo []int) error {
	p := b.pre
	b.pre = nil
	b.warm = make([]*warm, len(recs))
	if p != nil && p.pre != nil {
		if ct, ok := b.tx.(warehouse.ChangeTracker); ok {
			if ch, ok := ct.Changes(p.pre); ok {
				var again []int
				var keys []string
				for _, j := range todo {
					if w := p.warm[j]; w != nil && !changed(ch, blockKeys[j], w.masters) {
						b.warm[j] = w
					} else {
						again = append(again, j)
						keys = append(keys, blockKeys[j]...)
					}
				}
				b.cands = p.pre.Set
				if p.report != nil {
					p.report(len(todo)-len(again), len(again))
				}
				if len(again) == 0 {
					return nil
				}
				keys = slices.Compact(slices.Sorted(slices.Values(keys)))
				c, err := b.tx.Candidates(b.ctx, b.rs.candidateQuery(keys))
				if err != nil {
					return err
				}
				b.cands.Merge(c, keys)
				b.warmAgain(recs, blockKeys, again, p.warm, ch)
				return nil
			}
		}
	}
	if p != nil && p.report != nil {
		p.report(0, len(todo)) // prepared without a usable prefetch
	}
	var union []string
	for j := from; j < len(recs); j++ {
		union = append(union, blockKeys[j]...)
	}
	var err error
	if b.cands, err = b.tx.Candidates(b.ctx, b.rs.candidateQuery(union)); err != nil {
		return err
	}
	b.warmUp(recs, blockKeys, todo)
	return nil
}

// changed reports whether a record's keys or candidate masters changed.
func changed(ch warehouse.Changes, keys []string, masters []int64) bool {
	for _, k := range keys {
		if ch.Key(k) {
			return true
		}
	}
	for _, m := range masters {
		if ch.Master(m) {
			return true
		}
	}
	return false
}

// oneRecord resolves r record at a time, on a warehouse brought up to date with what the
// batch has pending.
func (b *batch) oneRecord(r *contact.Record, keys []string, hash, position string, out *Outcome) error {
	if err := b.flush(); err != nil {
		return err
	}
	o, err := b.rs.resolveIn(b.ctx, b.tx, r, keys, hash, position)
	if err != nil {
		return fmt.Errorf("resolve %s: %w", r.Key(), err)
	}
	*out = o
	b.cands, b.warm = nil, nil
	return nil
}

// errBridge is decide's answer for a record that links to two masters or more under
// auto_merge: it merges them, which the record-at-a-time path does; and for a record one
// of whose keys the batch's pending records push over its cap (overCap).
var errBridge = errors.New("record bridges masters")

// overCap reports whether one of keys, under its cap when the batch read its candidates,
// is over it with the masters of the batch's pending records that hold it: resolved
// record at a time, those records would be stored and the key skipped (its masters not
// scored), so the record takes that path (the batch is written first).
func (b *batch) overCap(keys []string) bool {
	var q warehouse.CandidateQuery
	for _, k := range keys {
		pend := b.byKey[k]
		if len(pend) == 0 || slices.Contains(b.cands.Skipped, k) {
			continue
		}
		if q.MaxMasters == 0 {
			q = b.rs.candidateQuery(nil)
		}
		stored := b.cands.Masters[k]
		if len(stored)+len(pend) <= q.Cap(k) {
			continue // under the cap whichever masters they are
		}
		ms := slices.Clone(stored)
		for _, p := range pend {
			ms = append(ms, p.row.MasterID)
		}
		slices.Sort(ms)
		if len(slices.Compact(ms)) > q.Cap(k) {
			return true
		}
	}
	return false
}

// Stale reports whether r is older than the stored version prev (its UpdatedAt and
// Deleted are read). A withdrawal's time is the newest of the record's versions before
// it: an upsert of that time is one of them (a file holding a record and its undated
// withdrawal, ingested again), not a comeback.
func Stale(r *contact.Record, prev *warehouse.SourceRow) bool {
	if r.UpdatedAt.IsZero() {
		return false
	}
	// To the microsecond on both sides: PostgreSQL stores microseconds, SQLite
	// nanoseconds, and both stores must decide alike.
	t, p := r.UpdatedAt.Truncate(time.Microsecond), prev.UpdatedAt.Truncate(time.Microsecond)
	if prev.Deleted && r.EffectiveOp() != contact.OpDelete {
		return !t.After(p)
	}
	return t.Before(p)
}

// decide resolves a record never stored before against the warehouse's candidates and
// the batch's pending records, and queues its writes.
func (b *batch) decide(r *contact.Record, w *warm, keys []string, hash, position string, out *Outcome) error {
	eng := b.rs.Engine
	feats := w.feats
	if b.overCap(keys) {
		return errBridge
	}
	// Candidate masters: those blocking finds in the warehouse (scored on their stored
	// records by warmUp) and those of pending records sharing a key.
	masters := slices.Clone(w.masters)
	for _, k := range keys {
		if slices.Contains(b.cands.Skipped, k) {
			out.SkippedKeys = append(out.SkippedKeys, k)
			continue
		}
		for _, p := range b.byKey[k] {
			masters = append(masters, p.row.MasterID)
		}
	}
	slices.Sort(masters) // a copy already: sorted in place
	masters = slices.Compact(masters)
	// Each master is scored by its best-matching live record: warmUp weighed the stored
	// ones of the masters the record's keys find in the warehouse; a master found only
	// through a pending record (which joined it in this batch) has its stored ones
	// weighed here, and so have the records of the batch that joined any master (under
	// order_independent, only records that share a key with this one are compared: a
	// stored one would have brought its master into w.masters).
	var sharing map[*pending]bool
	if eng.Rules().Match.OrderIndependent {
		sharing = map[*pending]bool{}
		for _, k := range keys {
			if !slices.Contains(b.cands.Skipped, k) {
				for _, p := range b.byKey[k] {
					sharing[p] = true
				}
			}
		}
	}
	k := w.k
	for _, m := range masters {
		t := b.masters[m]
		if t == nil {
			continue
		}
		k.resume(m)
		if sharing == nil && !slices.Contains(w.masters, m) {
			for i := range b.cands.Rows[m] {
				k.candidate(&b.cands.Rows[m][i])
			}
		}
		for _, p := range t.joined {
			if sharing == nil || sharing[p] {
				k.row(p.feats, p.row)
			}
		}
		if k.found() {
			k.keep()
		}
	}
	best := k.ranked()
	if eng.Rules().Match.AutoMerge && links(eng, best) > 1 {
		return errBridge // before anything is queued
	}

	p := &pending{keys: keys, feats: feats, out: out,
		row: &warehouse.SourceRow{Source: r.Source, SourceID: r.SourceID, Hash: hash, UpdatedAt: r.UpdatedAt, Record: r, RecordJSON: w.record, Position: position,
			Features: w.encoded}}
	decision := match.NewMaster
	if len(best) > 0 {
		out.Score = best[0].score
		decision = eng.Decide(out.Score.Probability)
	}
	var t *touched
	if decision == match.Link {
		p.row.MasterID, p.row.Score = best[0].masterID, best[0].score.Probability
		p.row.Explanation, _ = json.Marshal(best[0].score)
		p.event = &warehouse.Event{Kind: warehouse.EventLink, MasterID: p.row.MasterID, SourceKey: r.Key(), Score: p.row.Score, Details: p.row.Explanation}
		out.Action = ActionLinked
		if t = b.masters[p.row.MasterID]; t == nil {
			t = &touched{id: p.row.MasterID}
		}
	} else {
		b.nextNew++
		t = &touched{id: b.nextNew, isNew: true}
		p.row.MasterID = t.id
		p.event = &warehouse.Event{Kind: warehouse.EventNewMaster, MasterID: t.id, SourceKey: r.Key()}
		out.Action = ActionNewMaster
	}
	if len(t.joined) == 0 {
		b.masters[t.id] = t
		b.order = append(b.order, t)
	}
	t.joined = append(t.joined, p)
	out.MasterID = t.id
	// Review items, as resolveNew queues them (a record that auto_merge merges with never
	// comes here).
	for i := range best {
		c := &best[i]
		d := eng.Decide(c.probability())
		kind := ""
		switch {
		case i == 0 && decision == match.Review:
			kind = warehouse.ReviewPair
		case i > 0 && c.masterID != t.id && d == match.Link:
			kind = warehouse.ReviewMerge
		case i > 0 && c.masterID != t.id && d == match.Review && decision != match.Link:
			kind = warehouse.ReviewPair
		}
		if kind != "" {
			sc := c.scored(eng)
			expl, _ := json.Marshal(sc)
			p.reviews = append(p.reviews, &warehouse.ReviewItem{Kind: kind, SourceKey: r.Key(), MasterID: t.id, CandidateID: c.masterID, Score: sc.Probability, Explanation: expl})
		}
	}
	if sug := companySuggestion(p.row); sug != nil {
		expl, err := json.Marshal(sug)
		if err != nil {
			return err
		}
		p.reviews = append(p.reviews, &warehouse.ReviewItem{Kind: warehouse.ReviewCompany, SourceKey: r.Key(), MasterID: t.id, CompanyKey: sug.RegistryKey, Score: sug.Confidence, Explanation: expl})
	}
	b.rows = append(b.rows, p)
	for _, k := range keys {
		b.byKey[k] = append(b.byKey[k], p)
	}
	return nil
}

// flush writes the pending records: new masters get real ids, every touched master its
// golden record per joined record (one version and one outbox event each, as record at a
// time), then source rows, block keys, audit events, review items and outbox events go in
// a few multi-row statements.
func (b *batch) flush() error {
	if len(b.rows) == 0 {
		return nil
	}
	ctx, tx := b.ctx, b.tx
	// Real ids for the new masters, in creation order.
	var newOnes, existing []*touched
	for _, t := range b.order {
		if t.isNew {
			newOnes = append(newOnes, t)
		} else {
			existing = append(existing, t)
		}
	}
	ids, err := tx.NewMasterIDs(ctx, len(newOnes))
	if err != nil {
		return err
	}
	real := make(map[int64]int64, len(newOnes))
	for i, t := range newOnes {
		real[t.id] = ids[i]
	}
	remap := func(id int64) int64 {
		if r, ok := real[id]; ok {
			return r
		}
		return id
	}
	for _, p := range b.rows {
		p.row.MasterID = remap(p.row.MasterID)
		p.event.MasterID = remap(p.event.MasterID)
		p.out.MasterID = remap(p.out.MasterID)
		for _, it := range p.reviews {
			it.MasterID, it.CandidateID = remap(it.MasterID), remap(it.CandidateID)
		}
	}
	for _, t := range newOnes {
		t.id = real[t.id]
	}

	// Golden records: the masters joined read with their live members, under lock. The
	// review items' masters (not the new ones, which no other transaction sees) are
	// locked with them, in one statement: in id order, as every step locks its masters
	// (lockMasters).
	var existingIDs []int64
	for _, t := range existing {
		existingIDs = append(existingIDs, t.id)
	}
	// Without their golden records: survivorship computes those of the masters joined
	// again from their members, and the others (the review items') are not written.
	locked := map[int64]*contact.Master{}
	if err := readMasters(ctx, tx.MasterStates, append(slices.Clone(existingIDs), b.reviewedMasters(real)...), locked); err != nil {
		return err
	}
	stored := make(map[int64]*contact.Master, len(existingIDs))
	for _, id := range existingIDs {
		if m := locked[id]; m != nil {
			stored[id] = m
		}
	}
	if existingIDs, err = b.redirectMerged(stored); err != nil {
		return err
	}
	members, err := tx.MemberRecords(ctx, existingIDs)
	if err != nil {
		return err
	}
	// Each joined record publishes the version it made; its timestamps are the final
	// ones of the write.
	// Survivorship runs for each master on its own, on every core.
	versions := make([][]version, len(b.order))
	for i, t := range b.order {
		if !t.isNew && stored[t.id] == nil {
			return fmt.Errorf("master %d: %w", t.id, warehouse.ErrNotFound)
		}
		versions[i] = make([]version, len(t.joined))
	}
	par.For(len(b.order), 2, func(i int) {
		t := b.order[i]
		var m *contact.Master
		var recs []*contact.Record
		if t.isNew {
			m = &contact.Master{ID: t.id, Status: contact.MasterActive}
		} else {
			m = stored[t.id]
			recs = append(recs, members[t.id]...)
			m.Status = contact.MasterActive
		}
		for j, p := range t.joined {
			recs = append(recs, p.row.Record)
			m.Version++
			m.Golden = match.Survive(recs, b.rs.Engine.Rules().Survivorship)
			m.Quality = b.rs.quality(m.Golden, recs)
			snap := *m
			versions[i][j] = version{&snap, m}
		}
	})
	published := make(map[*pending]version, len(b.rows))
	var inserts, saves []*contact.Master
	for i, t := range b.order {
		for j, p := range t.joined {
			published[p] = versions[i][j]
		}
		if m := versions[i][len(t.joined)-1].final; t.isNew {
			inserts = append(inserts, m)
		} else {
			saves = append(saves, m)
		}
	}
	if err := tx.InsertMasters(ctx, inserts); err != nil {
		return err
	}
	if err := tx.SaveMasters(ctx, saves); err != nil {
		return err
	}

	rows := make([]*warehouse.SourceRow, len(b.rows))
	events := make([]*warehouse.Event, len(b.rows))
	var keys []warehouse.RowKey
	for i, p := range b.rows {
		rows[i], events[i] = p.row, p.event
	}
	if err := tx.PutSourceRecords(ctx, rows); err != nil {
		return err
	}
	for _, p := range b.rows {
		for _, k := range p.keys {
			keys = append(keys, warehouse.RowKey{Key: k, MasterID: p.row.MasterID, RowID: p.row.ID})
		}
	}
	if err := tx.AddRowBlockKeys(ctx, keys); err != nil {
		return err
	}
	if err := tx.AppendEvents(ctx, events); err != nil {
		return err
	}
	// The review items' masters for reviewSurvivors: those locked above, and the new
	// ones (and the survivors of merged ones) read here, in one statement.
	for id, m := range locked {
		if stored[id] == nil {
			stored[id] = m
		}
	}
	var reviewed []int64
	for _, p := range b.rows {
		for _, it := range p.reviews {
			reviewed = append(reviewed, it.MasterID, it.CandidateID)
		}
	}
	if err := lockMasters(ctx, tx, reviewed, stored); err != nil {
		return err
	}
	for _, p := range b.rows {
		for _, it := range p.reviews {
			it.SourceRowID = p.row.ID
			if err := queueReview(ctx, tx, it, stored, p.out); err != nil {
				return err
			}
		}
	}
	if err := b.publish(published); err != nil {
		return err
	}
	b.rows, b.masters, b.order, b.byKey = nil, map[int64]*touched{}, nil, map[string][]*pending{}
	return nil
}

// reviewedMasters returns the masters the pending review items name, but for the new
// ones (fresh).
func (b *batch) reviewedMasters(fresh map[int64]int64) []int64 {
	isNew := make(map[int64]bool, len(fresh))
	for _, id := range fresh {
		isNew[id] = true
	}
	var ids []int64
	for _, p := range b.rows {
		for _, it := range p.reviews {
			for _, id := range []int64{it.MasterID, it.CandidateID} {
				if !isNew[id] {
					ids = append(ids, id)
				}
			}
		}
	}
	return ids
}

// publish writes each pending record's change event (the master version it made) to
// the outbox, unless the resolver writes no events.
func (b *batch) publish(published map[*pending]version) error {
	if b.rs.NoEvents {
		return nil
	}
	obs, err := par.Map(len(b.rows), 16, func(i int) (*warehouse.OutboxEvent, error) {
		p := b.rows[i]
		v := published[p]
		m := v.snap
		m.CreatedAt, m.UpdatedAt = v.final.CreatedAt, v.final.UpdatedAt
		return changeEvent(m, p.row.Key())
	})
	if err != nil {
		return err
	}
	return b.tx.AddOutboxes(b.ctx, obs)
}

// links counts the ranked candidates above the auto threshold.
func links(eng *match.Engine, best []ranked) int {
	n := 0
	for i := range best {
		if eng.Decide(best[i].probability()) == match.Link {
			n++
		}
	}
	return n
}

// redirectMerged moves the batch's records that joined a master merged since the
// candidates were read (by another writer's auto_merge, on a database with several) to
// the master it was merged into, followed to the end of the chain: the survivor holds the
// records they were matched against. stored holds the joined masters, locked; the
// survivors read here are added to it. It returns the ids of the existing masters the
// batch now joins.
func (b *batch) redirectMerged(stored map[int64]*contact.Master) ([]int64, error) {
	merged := false
	for _, m := range stored {
		merged = merged || m.Status == contact.MasterMerged
	}
	var ids []int64
	if !merged {
		for _, t := range b.order {
			if !t.isNew {
				ids = append(ids, t.id)
			}
		}
		return ids, nil
	}
	byID := map[int64]*touched{}
	var order []*touched
	for _, t := range b.order {
		id := t.id
		if !t.isNew {
			var err error
			if id, err = survivor(b.ctx, b.tx, id, stored); err != nil {
				return nil, err
			}
		}
		if id != t.id {
			for _, p := range t.joined {
				p.row.MasterID, p.event.MasterID, p.out.MasterID = id, id, id
			}
		}
		if into := byID[id]; into != nil {
			into.joined = append(into.joined, t.joined...)
			continue
		}
		t.id = id
		byID[id] = t
		order = append(order, t)
		if !t.isNew {
			ids = append(ids, id)
		}
	}
	// Review items follow their masters; a pair that is now one master is no pair.
	var gone []int64
	for id, m := range stored {
		if m.Status == contact.MasterMerged && m.MergedInto != 0 {
			gone = append(gone, id)
		}
	}
	moved := map[int64]int64{}
	for _, old := range gone {
		id, err := survivor(b.ctx, b.tx, old, stored)
		if err != nil {
			return nil, err
		}
		moved[old] = id
	}
	for _, p := range b.rows {
		items := p.reviews[:0]
		for _, it := range p.reviews {
			if id, ok := moved[it.MasterID]; ok {
				it.MasterID = id
			}
			if id, ok := moved[it.CandidateID]; ok {
				it.CandidateID = id
			}
			if it.CandidateID == 0 || it.CandidateID != it.MasterID {
				items = append(items, it)
			}
		}
		p.reviews = items
	}
	// Joined records in record order: each publishes the version it made.
	pos := make(map[*pending]int, len(b.rows))
	for i, p := range b.rows {
		pos[p] = i
	}
	for _, t := range order {
		slices.SortStableFunc(t.joined, func(x, y *pending) int { return pos[x] - pos[y] })
	}
	b.order = order
	return ids, nil
}

// reviewSurvivors points a review item at the masters its own stand for now: a
// candidate master merged since the candidates were read (by another consumer, whose
// merge redirected the open items before this one was written) is followed to its
// survivor, read under lock, so that no open item names a merged master. A pair that is
// now one master is no pair (keep false). locked is survivor's cache.
func reviewSurvivors(ctx context.Context, tx warehouse.Tx, it *warehouse.ReviewItem, locked map[int64]*contact.Master) (keep bool, err error) {
	if it.MasterID != 0 {
		if it.MasterID, err = survivor(ctx, tx, it.MasterID, locked); err != nil {
			return false, err
		}
	}
	if it.CandidateID != 0 {
		if it.CandidateID, err = survivor(ctx, tx, it.CandidateID, locked); err != nil {
			return false, err
		}
		return it.CandidateID != it.MasterID, nil
	}
	return true, nil
}

// queueReview queues a review item pointed at its masters as they are now
// (reviewSurvivors, which locks them), unless they are one master now or an open item
// repeats it (for a merge item: any open merge item of the same two masters, read under
// those locks by AddReviewItem), and counts it in out if it was queued.
func queueReview(ctx context.Context, tx warehouse.Tx, it *warehouse.ReviewItem, locked map[int64]*contact.Master, out *Outcome) error {
	if keep, err := reviewSurvivors(ctx, tx, it, locked); err != nil || !keep {
		return err
	}
	added, err := tx.AddReviewItem(ctx, it)
	if added {
		out.Reviews++
	}
	return err
}

// survivor returns the master that id stands for: id itself, or the master it was merged
// into, followed to the end of the chain (read under lock; known is a cache of masters
// already read and locked, which the ones read here join).
func survivor(ctx context.Context, tx warehouse.Tx, id int64, known map[int64]*contact.Master) (int64, error) {
	for range maxMergeChain {
		m := known[id]
		if m == nil {
			got, err := tx.MastersByID(ctx, []int64{id})
			if err != nil {
				return 0, err
			}
			if m = got[id]; m == nil {
				return 0, fmt.Errorf("master %d: %w", id, warehouse.ErrNotFound)
			}
			known[id] = m
		}
		if m.Status != contact.MasterMerged || m.MergedInto == 0 || m.MergedInto == id {
			return id, nil
		}
		id = m.MergedInto
	}
	return 0, fmt.Errorf("master %d: a chain of more than %d merges", id, maxMergeChain)
}

// lockMasters reads the masters of ids that locked does not hold yet under lock, in one
// statement, and adds them to locked (ids of 0 and missing masters are left out). Each
// step of a resolver transaction (a flush of the batch's new records, a record resolved
// at a time, an update) takes the masters it needs this way before it locks any other
// (after it, only masters it creates, which no one else sees, and the survivors of
// masters merged meanwhile), and MastersByID locks them in id order: two steps locking
// the same masters cannot each hold one the other waits for. They did (a record joining
// A with a merge item against B, and one joining B with an item against A, locked A then
// B and B then A): PostgreSQL broke the deadlock after deadlock_timeout (1 s) and InTx
// ran one whole batch again. The order holds within a step, not across the steps of one
// batch: a later step may need a master below one an earlier step locked.
func lockMasters(ctx context.Context, tx warehouse.Tx, ids []int64, locked map[int64]*contact.Master) error {
	return readMasters(ctx, tx.MastersByID, ids, locked)
}

// readMasters is lockMasters with the read given (MastersByID, or MasterStates for
// masters whose golden records the caller computes again).
func readMasters(ctx context.Context, read func(context.Context, []int64) (map[int64]*contact.Master, error), ids []int64, locked map[int64]*contact.Master) error {
	var want []int64
	for _, id := range ids {
		if id != 0 && locked[id] == nil {
			want = append(want, id)
		}
	}
	if len(want) == 0 {
		return nil
	}
	got, err := read(ctx, want)
	if err != nil {
		return err
	}
	maps.Copy(locked, got)
	return nil
}

// maxMergeChain bounds survivor's walk (a cycle would be a corrupt warehouse).
const maxMergeChain = 64

// warm is what decide needs of a new record that depends on the warehouse's candidates
// alone: its features, and its ranking against the candidate masters' stored records.
type warm struct {
	feats   *match.Features
	encoded string
	// record is the record encoded for storage (contact.Encode; empty when it cannot
	// be: the store then encodes it and reports the error).
	record  string
	masters []int64 // candidate masters found in the warehouse, sorted
	k       *ranker // after their stored records
	// touched is touchFeatures' result, kept so that its loads are not dropped.
	touched byte
}

// touchFeatures reads a byte of every cache line of every candidate row's features before
// they are scored. Against a million stored records each row's features are a cache
// miss of their own, which the scoring loop took one at a time, each behind the
// previous candidate's comparisons; read here, in a loop of independent loads, the
// processor fetches many at once and the scoring finds them in cache.
func touchFeatures(rows map[int64][]warehouse.SourceRow, masters []int64) byte {
	var x byte
	for _, m := range masters {
		rs := rows[m]
		for i := range rs {
			f := rs[i].Features
			for j := 0; j < len(f); j += 64 {
				x ^= f[j]
			}
			if len(f) > 0 {
				x ^= f[len(f)-1]
			}
		}
	}
	return x
}

// warmOne computes a record's warm part from b.cands.
func (b *batch) warmOne(r *contact.Record, keys []string) *warm {
	eng := b.rs.Engine
	w := &warm{feats: eng.Features(r.Norm), encoded: match.EncodeFeatures(r.Norm), masters: b.candidateMasters(keys)}
	if j, err := contact.EncodeString(r); err == nil {
		w.record = j
	}
	blocked := b.rs.blockedRows(b.cands, keys)
	w.touched = touchFeatures(b.cands.Rows, w.masters)
	w.k = newRanker(b.rs, w.feats, len(w.masters))
	for _, m := range w.masters {
		if w.k.master(m, b.cands.Rows[m], 0, blocked) {
			w.k.keep()
		}
	}
	return w
}

// warmUp computes the warm part of records todo into b.warm, on every core: scoring a
// record against the warehouse's candidates reads only b.cands and the engine, and it
// is most of a new record's CPU time.
func (b *batch) warmUp(recs []*contact.Record, blockKeys [][]string, todo []int) {
	par.For(len(todo), warmSerial, func(i int) {
		j := todo[i]
		b.warm[j] = b.warmOne(recs[j], blockKeys[j])
	})
}

// warmAgain computes again, into b.warm, the warm part of records todo whose prefetched
// one (pre, by record; nil: none) is stale: their keys or candidate masters changed
// (ch) since the prefetch read b.cands, which holds by now what their keys were read
// again for. A prefetched part is brought up to date (rewarm) rather than computed from
// scratch: on the writer's path, most of its candidate masters did not change.
func (b *batch) warmAgain(recs []*contact.Record, blockKeys [][]string, todo []int, pre []*warm, ch warehouse.Changes) {
	var reused, rescored, scratch atomic.Int64
	par.For(len(todo), warmSerial, func(i int) {
		j := todo[i]
		if old := pre[j]; old != nil {
			if w, u, s := b.rewarm(blockKeys[j], old, ch); w != nil {
				b.warm[j] = w
				reused.Add(int64(u))
				rescored.Add(int64(s))
				return
			}
		}
		scratch.Add(1)
		b.warm[j] = b.warmOne(recs[j], blockKeys[j])
	})
	if h := b.rs.onRewarm; h != nil {
		h(int(reused.Load()), int(rescored.Load()), int(scratch.Load()))
	}
}

// rewarm brings old, a record's warm part computed on the prefetched candidates, up to
// date with b.cands: the candidate masters that did not change keep the ranking old
// has of them, the others (changed, or reachable through the record's keys now only)
// are scored, and those no longer candidates (a key now over the cap, a master that
// no longer holds any of the keys) are dropped. It returns the new part and how many
// masters it kept and scored; nil when it cannot (the caller computes the part from
// scratch).
//
// The result is the one warmOne would compute wherever decide reads it. A ranker keeps
// a master when its best record weighs at least min(floor, top), top being the best
// weight kept before it: the masters kept depend on the order they are scored in, but
// only below the floor. Every master whose best record weighs at least the floor is
// kept whatever the order, with its best record (the first of that weight), as is the
// best master overall (ties included): its weight is at least top. decide and its
// consumers read the best master (the decision and the outcome's score), the masters
// at or above the floor (links, review items: Decide says NewMaster below it), top,
// and, resuming a master of the batch, its entry, where an entry below min(floor, top)
// or none come to the same (ranker.resume). Here the masters at or above the floor
// are all kept: a master kept by old is kept with its weight, one old did not keep
// weighs less than the floor, and one scored is kept if it reaches it. So is the best
// master, unless it is a master old did not keep: such a master weighs less than
// min(floor, old's top); when that bound is above the best weight kept here, the part
// is computed from scratch instead. top is the best weight kept, as with warmOne.
//
// Under match.order_independent, a master's records compared depend on the records
// holding each key (KeyRows), which can change without the master: rewarm declines.
func (b *batch) rewarm(keys []string, old *warm, ch warehouse.Changes) (w *warm, kept, scored int) {
	if b.rs.Engine.Rules().Match.OrderIndependent {
		return nil, 0, 0
	}
	ok := old.k.resumed < 0 && slices.IsSortedFunc(old.k.out, func(x, y ranked) int { return cmp.Compare(x.masterID, y.masterID) })
	if !ok {
		return nil, 0, 0 // not as warmOne left it
	}
	w = &warm{feats: old.feats, encoded: old.encoded, record: old.record, masters: b.candidateMasters(keys)}
	k := newRanker(b.rs, w.feats, len(w.masters))
	var score []int64
	missing := false // a master that did not change, which old did not keep
	o, e := 0, 0     // positions in old.masters and old.k.out
	for _, m := range w.masters {
		for o < len(old.masters) && old.masters[o] < m {
			o++
		}
		for e < len(old.k.out) && old.k.out[e].masterID < m {
			e++
		}
		if o == len(old.masters) || old.masters[o] != m || ch.Master(m) {
			score = append(score, m)
			continue
		}
		if e < len(old.k.out) && old.k.out[e].masterID == m {
			c := old.k.out[e]
			c.score = nil
			k.out = append(k.out, c)
			k.top = max(k.top, c.weight)
		} else {
			missing = true
		}
	}
	kept = len(k.out)
	w.touched = touchFeatures(b.cands.Rows, score)
	for _, m := range score {
		if k.master(m, b.cands.Rows[m], 0, nil) {
			k.keep()
		}
	}
	if missing && min(k.floor, old.k.top) > k.top {
		return nil, 0, 0
	}
	w.k = k
	return w, kept, len(score)
}

// candidateMasters returns the candidate masters of keys in b.cands, sorted.
func (b *batch) candidateMasters(keys []string) []int64 {
	var ms []int64
	for _, k := range keys {
		if !slices.Contains(b.cands.Skipped, k) {
			ms = append(ms, b.cands.Masters[k]...)
		}
	}
	slices.Sort(ms) // built here: sorted in place, not copied
	return slices.Compact(ms)
}

// warmSerial is the number of records per core below which warmUp uses one.
const warmSerial = 4
