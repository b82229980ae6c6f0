package resolve

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"slices"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/segmentio/encoding/json"
	"github.com/steward-crm/steward/contact"
	"github.com/steward-crm/steward/pipeline"
	"github.com/steward-crm/steward/pipeline/match"
	"github.com/steward-crm/steward/warehouse"
)

// GoldenTopic is the topic of golden-record change events written to the outbox.
const GoldenTopic = "contacts.golden"

// Action says what resolving a record did.
type Action string

// Actions.
const (
	ActionNewMaster Action = "new_master" // the record got a new master
	ActionLinked    Action = "linked"     // the record joined an existing master
	ActionUpdated   Action = "updated"    // a newer version of a known record, kept with (or back in) its master
	ActionUnchanged Action = "unchanged"  // same content as stored: nothing written
	ActionStale     Action = "stale"      // older than the stored version: ignored
	ActionWithdrawn Action = "withdrawn"  // op delete
	// ActionWithdrawnUnknown is an op delete of a record never received: nothing to
	// withdraw, but the withdrawal is stored, so that an older version arriving after it
	// is stale (a source's delta loaded before its late export).
	ActionWithdrawnUnknown Action = "withdrawn_unknown"
)

// Outcome is the result of resolving one record.
type Outcome struct {
	Action   Action
	MasterID int64
	// Reviews counts review items queued.
	Reviews int
	// Score is the best candidate's score (nil when there was no candidate).
	Score *match.Score
	// SkippedKeys are blocking keys shared by too many masters to be used.
	SkippedKeys []string
	// Merged lists the masters merged into MasterID (rules match.auto_merge).
	Merged []int64
}

// Resolver resolves records into a Store. It is safe for concurrent use when the Store is.
type Resolver struct {
	Store  warehouse.Store
	Engine *match.Engine
	// Quality computes the quality score of a master's golden record (nil: the best
	// member's quality). The members' records may come without their Attributes (a batch
	// reads stored members with Tx.MemberRecords).
	Quality func(g contact.Golden, members []*contact.Record) int
	// NoEvents: golden-record change events are not written to the outbox (an embedded
	// ingest whose events no one forwards: `steward ingest --no-events`). The audit log
	// is written all the same.
	NoEvents bool

	// oneByOne makes every record take the record-at-a-time path (tests compare the
	// set-based path with it).
	oneByOne bool
	// onRewarm, when set, is told for each batch whose prefetched scoring was stale for
	// some records how many candidate masters their rankings kept and scored again
	// (rewarm), and how many records were scored from scratch (tests).
	onRewarm func(kept, rescored, scratch int)
}

// Hash is the content hash of a record's raw fields (the normalized form is ignored).
// An op or kind spelt out as its default ("upsert", "person") hashes as left out: the
// same record written either way is the same content (it was an update each time a
// source's export switched forms, a CSV export of JSONL records for one).
func Hash(r *contact.Record) (string, error) {
	op, kind := r.Op, r.Kind
	if op == contact.OpUpsert {
		op = ""
	}
	if kind == contact.KindPerson {
		kind = ""
	}
	return hashAs(r, op, kind)
}

// hashAs hashes r with its op and kind set to op and kind.
func hashAs(r *contact.Record, op contact.Op, kind contact.Kind) (string, error) {
	c := *r
	c.Norm, c.Op, c.Kind = nil, op, kind
	b, err := contact.Encode(&c)
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:16]), nil
}

// sameContent reports whether r, whose Hash is hash, holds the content stored under the
// hash stored: the same hash, or one of a row stored before 2026-12-06, when Hash kept
// an op or kind spelt out as its default (the record is compared with its default op and
// kind spelt out and left out, as that row's may have been): the stored rows keep their
// hashes, and are not all reported updated once.
func sameContent(stored, hash string, r *contact.Record) bool {
	if stored == hash {
		return true
	}
	if r.EffectiveOp() != contact.OpUpsert {
		return false
	}
	kinds := []contact.Kind{r.Kind}
	if r.EffectiveKind() == contact.KindPerson {
		kinds = []contact.Kind{"", contact.KindPerson}
	}
	for _, op := range []contact.Op{"", contact.OpUpsert} {
		for _, k := range kinds {
			if h, err := hashAs(r, op, k); err == nil && h == stored {
				return true
			}
		}
	}
	return false
}

// Resolve resolves one normalized record (r.Norm set) in one transaction. position says
// where the record was read. Redelivering the same record changes nothing.
func (rs *Resolver) Resolve(ctx context.Context, r *contact.Record, position string) (Outcome, error) {
	outs, err := rs.ResolveBatch(ctx, []*contact.Record{r}, []string{position})
	if err != nil {
		return Outcome{}, err
	}
	return outs[0], nil
}

// ResolveBatch resolves several normalized records, in order, in one transaction: the
// commit is paid once for the batch. Each record has the same semantics as with Resolve
// (a later record sees what earlier ones wrote), and redelivering a batch changes nothing.
// An error rolls the whole batch back; outcomes are aligned with recs.
func (rs *Resolver) ResolveBatch(ctx context.Context, recs []*contact.Record, positions []string) ([]Outcome, error) {
	return rs.commit(ctx, rs.prepare(ctx, recs, positions, nil, false))
}

// prepared is a batch's work done before its transaction: hashes and blocking keys and,
// on a store that reads candidates outside transactions (warehouse.Prefetcher), the
// candidates of the records that look new and their scores against them (warm), which
// the transaction checks against what changed since instead of doing it again. The
// Batcher prepares a batch while the one before it is being written.
type prepared struct {
	recs      []*contact.Record
	positions []string
	hashes    []string
	blockKeys [][]string
	err       error
	pre       *warehouse.Prefetched
	warm      []*warm // by record (nil: not computed)
	// report, when set, is told how the prefetch served (Batcher.OnPrefetch).
	report func(reused, reread int)
}

// prepare does a batch's work that needs no transaction, with the candidates' read and
// the scoring when prefetch is set (the Batcher's pipeline: done in the transaction
// otherwise, where they need no checking). It does not fail: an error (or a panic) is
// the batch's, reported by commit. keys holds the records' blocking keys where the
// caller has them already (the Batcher's, for its lock keys); keys[i] nil, or keys nil:
// computed here.
func (rs *Resolver) prepare(ctx context.Context, recs []*contact.Record, positions []string, keys [][]string, prefetch bool) (p *prepared) {
	p = &prepared{recs: recs, positions: positions}
	defer func() {
		if r := recover(); r != nil {
			p.err, p.pre, p.warm = pipeline.Panicked(r), nil, nil
		}
	}()
	if len(positions) != len(recs) {
		p.err = fmt.Errorf("resolve batch: %d records but %d positions", len(recs), len(positions))
		return p
	}
	p.hashes = make([]string, len(recs))
	p.blockKeys = make([][]string, len(recs))
	for i, r := range recs {
		h, err := Hash(r)
		if err != nil {
			p.err = fmt.Errorf("hash %s: %w", r.Key(), err)
			return p
		}
		p.hashes[i] = h
		if i < len(keys) && keys[i] != nil {
			p.blockKeys[i] = keys[i]
		} else {
			p.blockKeys[i] = rs.Engine.BlockKeys(r.Norm)
		}
	}
	if prefetch {
		rs.prefetch(ctx, p)
	}
	return p
}

// prefetchPanics counts the prefetches that panicked (the batch was then read in its
// transaction); prefetchPanicLogged keeps the log to the first.
var (
	prefetchPanics      atomic.Int64
	prefetchPanicLogged atomic.Bool
)

// prefetch reads the candidates of p's records that look new outside any transaction and
// scores the records against them, when the store can.
func (rs *Resolver) prefetch(ctx context.Context, p *prepared) {
	// A panic here costs the batch its head start, not its records: the transaction
	// reads and scores everything itself (where a panic is the batch's error).
	defer func() {
		if r := recover(); r != nil {
			p.pre, p.warm = nil, nil
			prefetchPanics.Add(1)
			if !prefetchPanicLogged.Swap(true) {
				// The site, not the value: a panic's value may quote a record.
				slog.Error("resolve: preparing a batch panicked; batches are read in their transactions", "at", pipeline.PanicSite(r))
			}
		}
	}()
	pf, ok := rs.Store.(warehouse.Prefetcher)
	if !ok || !pf.Prefetches() || rs.oneByOne {
		return
	}
	keys := make([]warehouse.SourceKey, len(p.recs))
	for i, r := range p.recs {
		keys[i] = warehouse.SourceKey{Source: r.Source, SourceID: r.SourceID}
	}
	// Records the warehouse may hold are updates or repeats, which the transaction
	// resolves (a re-run of the same file must not score every record).
	known := pf.Known(keys)
	var todo []int
	var union []string
	seen := make(map[string]bool, len(p.recs))
	for i, r := range p.recs {
		k := r.Key()
		if !seen[k] && !known[i] && r.EffectiveOp() != contact.OpDelete {
			todo = append(todo, i)
			union = append(union, p.blockKeys[i]...)
		}
		seen[k] = true
	}
	if len(todo) == 0 {
		return
	}
	pre, ok := pf.Prefetch(ctx, rs.candidateQuery(union))
	if !ok {
		return
	}
	b := &batch{rs: rs, cands: pre.Set, warm: make([]*warm, len(p.recs))}
	b.warmUp(p.recs, p.blockKeys, todo)
	p.pre, p.warm = pre, b.warm
}

// commit resolves a prepared batch in one transaction.
func (rs *Resolver) commit(ctx context.Context, p *prepared) ([]Outcome, error) {
	if p.err != nil {
		return nil, p.err
	}
	// Lock every record's own key and blocking keys before reading anything, all at once
	// (the store sorts them): two deliveries of one record on two consumers must not both
	// see it as new, and batches locking in one order cannot deadlock.
	var lockKeys []string
	for i, r := range p.recs {
		lockKeys = append(lockKeys, rs.lockKeys(r, p.blockKeys[i])...)
	}
	outs := make([]Outcome, len(p.recs))
	pre := p
	err := rs.Store.InTx(ctx, func(tx warehouse.Tx) error {
		if err := tx.LockKeys(ctx, lockKeys); err != nil {
			return err
		}
		clear(outs) // a retried transaction starts again
		b := newBatch(ctx, rs, tx)
		// What was prepared serves the first attempt only: deciding changes a record's
		// warm part.
		b.pre, pre = pre, nil
		return b.run(p.recs, p.blockKeys, p.hashes, p.positions, outs)
	})
	if err != nil {
		return nil, err
	}
	return outs, nil
}

// lockKeys returns the keys a transaction resolving r locks: its own key and its
// blocking keys.
func (rs *Resolver) lockKeys(r *contact.Record, blockKeys []string) []string {
	return append([]string{"record:" + r.Key()}, blockKeys...)
}

// resolveIn resolves one record in the caller's transaction; keys are its blocking keys,
// locked by ResolveBatch.
func (rs *Resolver) resolveIn(ctx context.Context, tx warehouse.Tx, r *contact.Record, keys []string, hash, position string) (Outcome, error) {
	var out Outcome
	// The state only: most deliveries are decided (unchanged, stale, new) without
	// decoding the stored record.
	prev, err := tx.SourceState(ctx, r.Source, r.SourceID)
	if err != nil && !errors.Is(err, warehouse.ErrNotFound) {
		return out, err
	}
	if errors.Is(err, warehouse.ErrNotFound) {
		prev = nil
	}
	switch {
	case prev != nil && sameContent(prev.Hash, hash, r):
		out.Action, out.MasterID = ActionUnchanged, prev.MasterID
		return out, nil
	case prev != nil && Stale(r, prev):
		out.Action, out.MasterID = ActionStale, prev.MasterID
		return out, nil
	case r.EffectiveOp() == contact.OpDelete:
		if prev != nil && prev.Deleted {
			out.Action, out.MasterID = ActionUnchanged, prev.MasterID
			if r.UpdatedAt.After(prev.UpdatedAt) {
				// Withdrawn again, later: the record stays withdrawn, and this time is its
				// newest (a version older than it delivered afterwards is stale).
				err = rs.rewithdraw(ctx, tx, prev, r, hash, position)
			}
			return out, err
		}
		if prev == nil {
			return out, rs.withdrawUnknown(ctx, tx, r, hash, position, &out)
		}
		err = rs.withdraw(ctx, tx, prev, r, hash, position, &out)
	case prev != nil && !prev.Deleted && prev.MasterID != 0:
		err = rs.update(ctx, tx, prev, r, keys, hash, position, &out)
	default:
		err = rs.resolveNew(ctx, tx, prev, r, keys, hash, position, &out)
	}
	return out, err
}

// resolveNew scores a new (or re-appearing) record against candidate masters and links
// it, queues a review, or creates a master (a record coming back gets back the master its
// withdrawal retired instead: restorable).
//
// The record's keys are locked by ResolveBatch. A record never stored before (the common
// case) is written once, after the decision: it has no not-a-match decisions, no block
// keys and no review items yet, so those are neither read nor cleared.
func (rs *Resolver) resolveNew(ctx context.Context, tx warehouse.Tx, prev *warehouse.SourceRow, r *contact.Record, keys []string, hash, position string, out *Outcome) error {
	fresh := prev == nil
	row := &warehouse.SourceRow{Source: r.Source, SourceID: r.SourceID, Hash: hash, UpdatedAt: r.UpdatedAt, Record: r, Position: position,
		Features: match.EncodeFeatures(r.Norm)}
	if !fresh {
		row.ID = prev.ID
		row.UpdatedAt = newest(prev.UpdatedAt, row.UpdatedAt) // a record coming back
	}
	cands, err := tx.Candidates(ctx, rs.candidateQuery(keys))
	if err != nil {
		return err
	}
	out.SkippedKeys = cands.Skipped
	best, err := rs.rank(ctx, tx, row.ID, r, cands, rs.blockedRows(cands, keys))
	if err != nil {
		return err
	}
	decision := match.NewMaster
	if len(best) > 0 {
		out.Score = best[0].score
		decision = rs.Engine.Decide(out.Score.Probability)
	}
	var masterID int64
	var newMaster *contact.Master
	// The masters linked to, as they are now: one merged since the candidates were read
	// (by another writer) stands for the master it was merged into. Those the record may
	// join, merge or queue an item against, and the one a comeback gets back, are locked
	// first, at once (lockMasters).
	locked := map[int64]*contact.Master{}
	var lock []int64
	for i := range best {
		d := rs.Engine.Decide(best[i].probability())
		if d == match.Link || d == match.Review && (i == 0 || decision != match.Link) {
			lock = append(lock, best[i].masterID)
		}
	}
	if decision != match.Link && prev != nil && prev.Deleted && prev.MasterID != 0 {
		lock = append(lock, prev.MasterID)
	}
	if err := lockMasters(ctx, tx, lock, locked); err != nil {
		return err
	}
	switch decision {
	case match.Link:
		if best[0].masterID, err = survivor(ctx, tx, best[0].masterID, locked); err != nil {
			return err
		}
		masterID = best[0].masterID
		// With auto_merge, every other master the record links to above the auto
		// threshold is merged into the oldest of them, which the record joins.
		if rs.Engine.Rules().Match.AutoMerge {
			for i := range best[1:] {
				c := &best[1+i]
				if rs.Engine.Decide(c.probability()) != match.Link {
					continue
				}
				if c.masterID, err = survivor(ctx, tx, c.masterID, locked); err != nil {
					return err
				}
				masterID = min(masterID, c.masterID)
			}
		}
		row.MasterID, row.Score = masterID, best[0].score.Probability
		row.Explanation, _ = json.Marshal(best[0].score)
		out.Action = ActionLinked
	default:
		// A record coming back whose withdrawal retired its master gets it back (master
		// ids are stable); refreshMaster makes it active again.
		if masterID, err = restorable(ctx, tx, prev, locked); err != nil {
			return err
		}
		if masterID != 0 {
			row.MasterID = masterID
			out.Action = ActionUpdated
			break
		}
		// The new master's golden record is the record's own: written with the master,
		// without reading back what was just written.
		members := []*contact.Record{r}
		newMaster = &contact.Master{Status: contact.MasterActive, Golden: match.Survive(members, rs.Engine.Rules().Survivorship)}
		newMaster.Quality = rs.quality(newMaster.Golden, members)
		if err := tx.CreateMaster(ctx, newMaster); err != nil {
			return err
		}
		masterID = newMaster.ID
		row.MasterID = masterID
		out.Action = ActionNewMaster
	}
	out.MasterID = masterID
	if err := tx.PutSourceRecord(ctx, row); err != nil {
		return err
	}
	if fresh {
		err = tx.AddBlockKeys(ctx, row.ID, keys)
	} else {
		err = tx.ReplaceBlockKeys(ctx, row.ID, keys)
	}
	if err != nil {
		return err
	}
	ev := &warehouse.Event{Kind: warehouse.EventNewMaster, MasterID: masterID, SourceKey: r.Key()}
	switch {
	case decision == match.Link:
		ev.Kind, ev.Score, ev.Details = warehouse.EventLink, row.Score, row.Explanation
	case newMaster == nil:
		ev.Kind = warehouse.EventRestore
	}
	if err := tx.AppendEvent(ctx, ev); err != nil {
		return err
	}
	// Review items: the uncertain best candidate, and any second master above the auto
	// threshold (the record bridges two masters: a steward decides on the merge, unless
	// auto_merge merges them here, the older master surviving).
	for i := range best {
		c := &best[i]
		d := rs.Engine.Decide(c.probability())
		if decision == match.Link && d == match.Link && rs.Engine.Rules().Match.AutoMerge {
			if c.masterID == masterID || slices.Contains(out.Merged, c.masterID) {
				continue // the master joined, or one merged already (two candidates, one survivor)
			}
			sc := c.scored(rs.Engine)
			expl, _ := json.Marshal(sc)
			if err := rs.merge(ctx, tx, masterID, c.masterID, sc.Probability, expl, r.Key()); err != nil {
				return err
			}
			out.Merged = append(out.Merged, c.masterID)
			continue
		}
		kind := ""
		switch {
		case i == 0 && decision == match.Review:
			kind = warehouse.ReviewPair
		case i > 0 && c.masterID != masterID && d == match.Link:
			kind = warehouse.ReviewMerge
		case i > 0 && c.masterID != masterID && d == match.Review && decision != match.Link:
			kind = warehouse.ReviewPair
		}
		if kind == "" {
			continue
		}
		sc := c.scored(rs.Engine)
		expl, _ := json.Marshal(sc)
		it := &warehouse.ReviewItem{Kind: kind, SourceRowID: row.ID, SourceKey: r.Key(), MasterID: masterID, CandidateID: c.masterID, Score: sc.Probability, Explanation: expl}
		if err := queueReview(ctx, tx, it, locked, out); err != nil {
			return err
		}
	}
	if err := rs.companyReview(ctx, tx, row, prev == nil, out); err != nil {
		return err
	}
	if newMaster != nil {
		return rs.publish(ctx, tx, newMaster, r.Key())
	}
	if len(out.Merged) > 0 {
		// Each merge refreshed the survivor, the record in it: the last one published
		// its version, and nothing changed it since.
		return nil
	}
	return rs.refreshMaster(ctx, tx, masterID, r.Key())
}

// restorable returns the master that a record coming back (prev: its withdrawn row) gets
// back instead of a new one: the master its withdrawal retired, when the record was the
// master's last member (the master's newest audit event is the record's withdrawal) and
// the master was not merged since; 0 otherwise. The master is the one locked (read
// under lock into locked if it is not there yet: resolveNew locked it with the others).
func restorable(ctx context.Context, tx warehouse.Tx, prev *warehouse.SourceRow, locked map[int64]*contact.Master) (int64, error) {
	if prev == nil || !prev.Deleted || prev.MasterID == 0 {
		return 0, nil
	}
	if err := lockMasters(ctx, tx, []int64{prev.MasterID}, locked); err != nil {
		return 0, err
	}
	m := locked[prev.MasterID]
	if m == nil {
		return 0, fmt.Errorf("master %d: %w", prev.MasterID, warehouse.ErrNotFound)
	}
	if m.Status != contact.MasterRetired || m.MergedInto != 0 {
		return 0, nil
	}
	last, err := tx.LastEvent(ctx, m.ID)
	if errors.Is(err, warehouse.ErrNotFound) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	if last.Kind != warehouse.EventWithdraw || last.SourceKey != prev.Key() {
		return 0, nil
	}
	return m.ID, nil
}

// companyReview queues the record's low-confidence company attachment
// (Norm.Company.Suggested) for a steward, and closes the open company items of earlier
// versions of the record that suggested another entry (or none).
// fresh says the record was never stored before (it can have no item to close).
func (rs *Resolver) companyReview(ctx context.Context, tx warehouse.Tx, row *warehouse.SourceRow, fresh bool, out *Outcome) error {
	sug := companySuggestion(row)
	keep := ""
	if sug != nil {
		keep = sug.RegistryKey
	}
	if !fresh {
		if _, err := tx.SupersedeReviewItems(ctx, row.ID, warehouse.ReviewCompany, keep); err != nil {
			return err
		}
	}
	if sug == nil {
		return nil
	}
	expl, err := json.Marshal(sug)
	if err != nil {
		return err
	}
	added, err := tx.AddReviewItem(ctx, &warehouse.ReviewItem{Kind: warehouse.ReviewCompany, SourceRowID: row.ID,
		SourceKey: row.Key(), MasterID: row.MasterID, CompanyKey: sug.RegistryKey, Score: sug.Confidence, Explanation: expl})
	if added {
		out.Reviews++
	}
	return err
}

// companySuggestion is a live record's low-confidence company attachment (nil: none).
func companySuggestion(row *warehouse.SourceRow) *contact.CompanySuggestion {
	if row.Record != nil && row.Record.Norm != nil && !row.Deleted {
		return row.Record.Norm.Company.Suggested
	}
	return nil
}

// ranked is a candidate master and the weight of its best-matching record. Its full
// score (with the explanation) is computed only for the candidates a decision, a link or
// a review item reads.
type ranked struct {
	masterID int64
	weight   float64
	a, b     *match.Features
	// bRow is the record b is of (its master's best-matching one): the score names it
	// (Against), so that a link or a review item says which record it matched.
	bRow  *warehouse.SourceRow
	score *match.Score
}

// scored returns the candidate's score, computing it on first use.
func (c *ranked) scored(e *match.Engine) *match.Score {
	if c.score == nil {
		s := e.ScoreFeatures(c.a, c.b)
		if c.bRow != nil {
			s.Against = c.bRow.Key()
		}
		c.score = &s
	}
	return c.score
}

// probability is the candidate's match probability: its score's once computed.
func (c *ranked) probability() float64 {
	if c.score != nil {
		return c.score.Probability
	}
	return match.Probability(c.weight)
}

// ranker collects the candidate masters of one record. A candidate below both the
// review threshold and the best candidate so far can neither be the best nor queue a
// review item: its weight is not summed to the end (Engine.WeightAtLeast) and it is
// left out.
type ranker struct {
	rs       *Resolver
	eng      *match.Engine
	feats    *match.Features
	floor    float64 // Engine.ReviewWeight
	top      float64
	out      []ranked
	bestW    float64
	bestF    *match.Features
	bestRow  *warehouse.SourceRow // bestF's record
	masterID int64
	// scratch receives each stored candidate's decoded features; it is kept (and a new
	// one taken) only when the candidate is its master's best so far.
	scratch *match.Features
	// resumed is the index in out of the master resumed (-1: none).
	resumed int
}

func newRanker(rs *Resolver, feats *match.Features, n int) *ranker {
	return &ranker{rs: rs, eng: rs.Engine, feats: feats, floor: rs.Engine.ReviewWeight(), top: math.Inf(-1), out: make([]ranked, 0, n), scratch: &match.Features{}}
}

// start begins a candidate master.
func (k *ranker) start(id int64) {
	k.masterID, k.bestW, k.bestF, k.bestRow, k.resumed = id, math.Inf(-1), nil, nil, -1
}

// candidate weighs one of the master's stored records.
func (k *ranker) candidate(c *warehouse.SourceRow) {
	f := k.scratch
	if !match.DecodeFeaturesInto(c.Features, f) {
		f = k.rs.candidateFeatures(c)
	}
	if k.row(f, c) && f == k.scratch {
		k.scratch = &match.Features{}
	}
}

// row weighs one of the master's records (f, the features of src) and reports whether it
// is the master's best so far.
func (k *ranker) row(f *match.Features, src *warehouse.SourceRow) bool {
	w, ok := k.eng.WeightAtLeast(k.feats, f, max(k.bestW, min(k.floor, k.top)))
	if ok && w > k.bestW {
		k.bestW, k.bestF, k.bestRow = w, f, src
		return true
	}
	return false
}

// resume continues a master already weighed (its stored records; records of the batch
// come next): its best so far is the one kept, if it was.
func (k *ranker) resume(id int64) {
	k.start(id)
	k.resumed = -1
	for i := range k.out {
		if k.out[i].masterID == id {
			k.bestW, k.bestF, k.bestRow, k.resumed = k.out[i].weight, k.out[i].b, k.out[i].bRow, i
			return
		}
	}
}

// master weighs one candidate master's stored records (not the row skip, and only those
// in only when it is not nil) and reports whether one is kept as its best (found).
func (k *ranker) master(id int64, rows []warehouse.SourceRow, skip int64, only map[int64]bool) bool {
	k.start(id)
	for i := range rows {
		if rows[i].ID != skip && (only == nil || only[rows[i].ID]) {
			k.candidate(&rows[i])
		}
	}
	return k.found()
}

// found reports whether the master's best record is kept so far.
func (k *ranker) found() bool { return k.bestF != nil }

// keep adds the master, or updates it after resume.
func (k *ranker) keep() {
	c := ranked{masterID: k.masterID, weight: k.bestW, a: k.feats, b: k.bestF, bRow: k.bestRow}
	if k.resumed >= 0 {
		k.out[k.resumed] = c
	} else {
		k.out = append(k.out, c)
	}
	k.top = max(k.top, k.bestW)
}

// ranked returns the masters best first, the best one scored.
func (k *ranker) ranked() []ranked {
	sortRanked(k.out)
	if len(k.out) > 0 {
		k.out[0].scored(k.eng)
	}
	return k.out
}

// candidateQuery asks for the candidates of keys, with the rows holding each key under
// match.order_independent.
func (rs *Resolver) candidateQuery(keys []string) warehouse.CandidateQuery {
	m := &rs.Engine.Rules().Match
	return warehouse.CandidateQuery{Keys: keys, MaxMasters: m.MaxBlockSize, RuleMaxMasters: rs.Engine.RuleMaxMasters(), FeaturesVersion: match.FeaturesVersion, KeyRows: m.OrderIndependent}
}

// blockedRows is, under match.order_independent, the set of candidate rows that share one
// of keys with the record (the only ones it is compared with); nil otherwise (every live
// record of a candidate master is compared).
func (rs *Resolver) blockedRows(cands *warehouse.CandidateSet, keys []string) map[int64]bool {
	if !rs.Engine.Rules().Match.OrderIndependent {
		return nil
	}
	out := map[int64]bool{}
	for _, k := range keys {
		for _, id := range cands.KeyRows[k] {
			out[id] = true
		}
	}
	return out
}

// rank scores the record against each candidate master (its best-matching member, the
// record itself excluded; only the members in blocked when it is not nil) and returns the
// masters best first, without those a steward said are not a match.
func (rs *Resolver) rank(ctx context.Context, tx warehouse.Tx, rowID int64, r *contact.Record, cands *warehouse.CandidateSet, blocked map[int64]bool) ([]ranked, error) {
	k := newRanker(rs, rs.Engine.Features(r.Norm), len(cands.Rows))
	for id, rows := range cands.Rows {
		if !k.master(id, rows, rowID, blocked) {
			continue
		}
		// A record not stored yet (rowID 0) has no not-a-match decision.
		if rowID != 0 {
			no, err := tx.NotAMatch(ctx, rowID, id)
			if err != nil {
				return nil, err
			}
			if no {
				continue
			}
		}
		k.keep()
	}
	return k.ranked(), nil
}

// candidateFeatures returns a candidate row's match features: the stored ones, else
// extracted from its record.
func (rs *Resolver) candidateFeatures(c *warehouse.SourceRow) *match.Features {
	if f, ok := match.DecodeFeatures(c.Features); ok {
		return f
	}
	var n *contact.Normalized
	if c.Record != nil {
		n = c.Record.Norm
	}
	return rs.Engine.Features(n)
}

// sortRanked orders ranked masters best first; ties go to the older master.
func sortRanked(rs []ranked) {
	slices.SortStableFunc(rs, func(a, b ranked) int {
		switch {
		case a.weight > b.weight:
			return -1
		case a.weight < b.weight:
			return 1
		case a.masterID < b.masterID:
			return -1
		case a.masterID > b.masterID:
			return 1
		}
		return 0
	})
}

// splitReview queues a split review item when the record (a newer version whose match
// features changed, stored in row) scores below split_threshold against every other live
// record of its master: a source id reused for another person, or a correction, would
// otherwise leave two people in one golden record without a word. The record stays
// where it is (an update never moves it). The master is locked by the caller.
//
// The master's other split items were scored against the record's earlier version:
// when one is open, every split item of the master is closed and each live record of it
// is checked again (refreshSplits); otherwise the record alone is.
func (rs *Resolver) splitReview(ctx context.Context, tx warehouse.Tx, row *warehouse.SourceRow, note string, out *Outcome) error {
	refreshed, err := rs.refreshSplits(ctx, tx, row.MasterID, note, out)
	if err != nil || refreshed {
		return err
	}
	members, err := tx.Members(ctx, row.MasterID)
	if err != nil {
		return err
	}
	return rs.splitOne(ctx, tx, row.ID, row.Key(), rs.Engine.Features(row.Record.Norm), row.MasterID, members, out)
}

// refreshSplits closes the open split items naming master (one of its records changed or
// was withdrawn: their scores were against its earlier records) and, when there were
// any, checks each of its live records again; it reports whether there were. A record
// left alone in its master has nothing to part from.
func (rs *Resolver) refreshSplits(ctx context.Context, tx warehouse.Tx, master int64, note string, out *Outcome) (bool, error) {
	n, err := tx.CloseReviewItems(ctx, 0, master, note, warehouse.ReviewSplit)
	if err != nil || n == 0 {
		return false, err
	}
	members, err := tx.Members(ctx, master)
	if err != nil {
		return true, err
	}
	for i := range members {
		m := &members[i]
		if m.Deleted {
			continue
		}
		if err := rs.splitOne(ctx, tx, m.ID, m.Key(), rs.candidateFeatures(m), master, members, out); err != nil {
			return true, err
		}
	}
	return true, nil
}

// splitOne queues a split item for the record id (key, feats) of master when it scores
// below split_threshold against every other live record of members.
func (rs *Resolver) splitOne(ctx context.Context, tx warehouse.Tx, id int64, key string, feats *match.Features, master int64, members []warehouse.SourceRow, out *Outcome) error {
	var best *match.Features
	var bestRow *warehouse.SourceRow
	bestW := math.Inf(-1)
	for i := range members {
		m := &members[i]
		if m.ID == id || m.Deleted {
			continue
		}
		f := rs.candidateFeatures(m)
		if w := rs.Engine.Weight(feats, f); w > bestW {
			best, bestW, bestRow = f, w, m
		}
	}
	if best == nil {
		return nil // alone in its master: nothing to part from
	}
	// Below review_threshold alone is too weak a sign: the same name with a new mobile
	// number scores ~0.2 at the default prior (no new record would be linked on it
	// either), and a person's phone changes; split_threshold (0.01) asks only when the
	// record has become someone else as far as the evidence goes.
	score := rs.Engine.ScoreFeatures(feats, best)
	if !(score.Probability < rs.Engine.Rules().Match.SplitThreshold) {
		return nil
	}
	score.Against = bestRow.Key() // the steward's "split from whom?"

	expl, err := json.Marshal(score)
	if err != nil {
		return err
	}
	added, err := tx.AddReviewItem(ctx, &warehouse.ReviewItem{Kind: warehouse.ReviewSplit, SourceRowID: id, SourceKey: key,
		MasterID: master, Score: score.Probability, Explanation: expl})
	if added {
		out.Reviews++
	}
	return err
}

// update stores a newer version of a known record; it stays with its master (master ids
// are stable) and the golden record is recomputed. When its match features changed, the
// record's pair and merge items asked about its earlier version: they are closed, and
// the new version is scored against the other masters (rematch); so did the items other
// records raised against its master, which are scored again (reviewChange).
func (rs *Resolver) update(ctx context.Context, tx warehouse.Tx, prev *warehouse.SourceRow, r *contact.Record, keys []string, hash, position string, out *Outcome) error {
	row := *prev
	features := match.EncodeFeatures(r.Norm)
	// A version whose match features are the stored ones (a new job title, a note)
	// compares with every master as the stored one did: its review items stand, and it
	// is not matched again.
	rematch := prev.Features == "" || prev.Features != features
	// The new version is scored before anything is written: the masters it may queue a
	// merge item against are locked with its own, at once (lockMasters).
	// So are the masters of the review items its change bears on (affectedItems).
	var best []ranked
	var aff affected
	var err error
	if rematch {
		if best, err = rs.rematchCandidates(ctx, tx, prev.ID, r, keys, out); err != nil {
			return err
		}
		if aff, err = affectedItems(ctx, tx, prev.ID, prev.MasterID); err != nil {
			return err
		}
	}
	locked := map[int64]*contact.Master{}
	lock := append([]int64{prev.MasterID}, aff.masters()...)
	for i := range best {
		if rs.Engine.Decide(best[i].probability()) != match.NewMaster {
			lock = append(lock, best[i].masterID)
		}
	}
	if err := lockMasters(ctx, tx, lock, locked); err != nil {
		return err
	}
	if row.MasterID, err = lockedMaster(ctx, tx, prev, locked); err != nil {
		return err
	}
	row.Hash, row.Record, row.Position = hash, r, position
	row.UpdatedAt = newest(row.UpdatedAt, r.UpdatedAt)
	row.Features = features
	if err := tx.PutSourceRecord(ctx, &row); err != nil {
		return err
	}
	if err := tx.ReplaceBlockKeys(ctx, row.ID, keys); err != nil {
		return err
	}
	if err := tx.AppendEvent(ctx, &warehouse.Event{Kind: warehouse.EventUpdate, MasterID: row.MasterID, SourceKey: r.Key()}); err != nil {
		return err
	}
	out.Action, out.MasterID = ActionUpdated, row.MasterID
	if rematch {
		if aff, err = lockAffected(ctx, tx, &row, locked); err != nil {
			return err
		}
		if _, err := tx.CloseReviewItems(ctx, row.ID, 0, updateNote(r, position), warehouse.ReviewPair, warehouse.ReviewMerge, warehouse.ReviewSplit); err != nil {
			return err
		}
		if err := rs.rematch(ctx, tx, &row, best, locked, out); err != nil {
			return err
		}
		if err := rs.splitReview(ctx, tx, &row, fmt.Sprintf("master's records changed: source record %s updated", row.Key()), out); err != nil {
			return err
		}
		// The items other records raised against the master asked about this record's
		// earlier version too, and a merge item closed may be raised by another record.
		if err := rs.reviewChange(ctx, tx, &row, aff, "updated", locked, out); err != nil {
			return err
		}
	}
	if err := rs.companyReview(ctx, tx, &row, false, out); err != nil {
		return err
	}
	return rs.refreshMaster(ctx, tx, row.MasterID, r.Key())
}

// rematchCandidates scores an updated record (r, stored as row rowID) against the
// candidate masters of its keys, as resolveNew scores a new one, best first.
func (rs *Resolver) rematchCandidates(ctx context.Context, tx warehouse.Tx, rowID int64, r *contact.Record, keys []string, out *Outcome) ([]ranked, error) {
	cands, err := tx.Candidates(ctx, rs.candidateQuery(keys))
	if err != nil {
		return nil, err
	}
	out.SkippedKeys = cands.Skipped
	return rs.rank(ctx, tx, rowID, r, cands, rs.blockedRows(cands, keys))
}

// rematch queues a merge review (the updated record's master and that one may be one
// person) for each other master of best (rematchCandidates) at or above the review
// threshold that no steward rejected for it. The record never moves and nothing is
// merged, with auto_merge too: master ids are stable, and a steward decides. locked
// holds the masters locked so far.
func (rs *Resolver) rematch(ctx context.Context, tx warehouse.Tx, row *warehouse.SourceRow, best []ranked, locked map[int64]*contact.Master, out *Outcome) error {
	for i := range best {
		c := &best[i]
		if c.masterID == row.MasterID || rs.Engine.Decide(c.probability()) == match.NewMaster {
			continue
		}
		sc := c.scored(rs.Engine)
		expl, _ := json.Marshal(sc)
		it := &warehouse.ReviewItem{Kind: warehouse.ReviewMerge, SourceRowID: row.ID, SourceKey: row.Key(), MasterID: row.MasterID, CandidateID: c.masterID, Score: sc.Probability, Explanation: expl}
		if err := queueReview(ctx, tx, it, locked, out); err != nil {
			return err
		}
	}
	return nil
}

// updateNote is the note closing the review items of a record's earlier version: it
// names the version that replaced it.
func updateNote(r *contact.Record, position string) string {
	note := "source record updated: version"
	if !r.UpdatedAt.IsZero() {
		note += " of " + r.UpdatedAt.UTC().Format(time.RFC3339Nano)
	}
	if position != "" {
		note += " read at " + position
	}
	return note
}

// lockedMaster locks the master of prev's row and returns it as the row has it now.
// Another writer's merge locks the masters, not the keys of the rows it moves: it may
// have moved the row since prev was read, and writing prev's master back would put the
// record into the merged master (and a withdrawal would retire it). Once its master is
// locked (followed to the survivor of a merge), the row's master is read again; until
// it is one of those locked. locked is survivor's cache: the masters locked so far.
func lockedMaster(ctx context.Context, tx warehouse.Tx, prev *warehouse.SourceRow, locked map[int64]*contact.Master) (int64, error) {
	if prev.MasterID == 0 {
		return 0, nil
	}
	id := prev.MasterID
	for range maxMergeChain {
		if _, err := survivor(ctx, tx, id, locked); err != nil {
			return 0, err
		}
		now, err := tx.SourceState(ctx, prev.Source, prev.SourceID)
		if err != nil {
			return 0, err
		}
		if _, ok := locked[now.MasterID]; ok || now.MasterID == 0 {
			return now.MasterID, nil
		}
		id = now.MasterID
	}
	return 0, fmt.Errorf("source record %s: its master kept moving", prev.Key())
}

// withdraw marks a source record deleted; a master left without live records is retired.
// The record's review items are closed, and those other records raised against its
// master scored again (reviewChange).
// The withdrawal is the record's newest version: its updated_at is kept, so that an older
// version delivered again is stale, not a record that comes back.
func (rs *Resolver) withdraw(ctx context.Context, tx warehouse.Tx, prev *warehouse.SourceRow, r *contact.Record, hash, position string, out *Outcome) error {
	// The withdrawn row keeps its last content: read it whole.
	prev, err := tx.SourceRecord(ctx, prev.Source, prev.SourceID)
	if err != nil {
		return err
	}
	row := *prev
	// The masters of the review items the withdrawal bears on are locked with the
	// record's, at once (lockMasters).
	aff, err := affectedItems(ctx, tx, prev.ID, prev.MasterID)
	if err != nil {
		return err
	}
	locked := map[int64]*contact.Master{}
	if err := lockMasters(ctx, tx, append([]int64{prev.MasterID}, aff.masters()...), locked); err != nil {
		return err
	}
	if row.MasterID, err = lockedMaster(ctx, tx, prev, locked); err != nil {
		return err
	}
	row.Deleted, row.Hash, row.Position = true, hash, position
	row.UpdatedAt = newest(row.UpdatedAt, r.UpdatedAt)
	if err := tx.PutSourceRecord(ctx, &row); err != nil {
		return err
	}
	if err := tx.ReplaceBlockKeys(ctx, row.ID, nil); err != nil {
		return err
	}
	if err := tx.AppendEvent(ctx, &warehouse.Event{Kind: warehouse.EventWithdraw, MasterID: row.MasterID, SourceKey: row.Key()}); err != nil {
		return err
	}
	out.Action, out.MasterID = ActionWithdrawn, row.MasterID
	if err := rs.companyReview(ctx, tx, &row, false, out); err != nil {
		return err
	}
	if aff, err = lockAffected(ctx, tx, &row, locked); err != nil {
		return err
	}
	// Whether a withdrawn record belongs to another master is no question any more.
	if _, err := tx.CloseReviewItems(ctx, row.ID, 0, "source record withdrawn"); err != nil {
		return err
	}
	// The items other records raised against its master may have been raised by its
	// match, and a merge item closed may be raised by another record.
	if err := rs.reviewChange(ctx, tx, &row, aff, "withdrawn", locked, out); err != nil {
		return err
	}
	// The split items of the master's other records were scored against it too.
	if _, err := rs.refreshSplits(ctx, tx, row.MasterID, fmt.Sprintf("master's records changed: source record %s withdrawn", row.Key()), out); err != nil {
		return err
	}
	return rs.refreshMaster(ctx, tx, row.MasterID, row.Key())
}

// withdrawUnknown stores the withdrawal of a record never received as a withdrawn row
// without a master (no block keys, no master, no event): a version older than it
// delivered afterwards is stale, a newer one comes in as a withdrawn record coming back.
func (rs *Resolver) withdrawUnknown(ctx context.Context, tx warehouse.Tx, r *contact.Record, hash, position string, out *Outcome) error {
	row := &warehouse.SourceRow{Source: r.Source, SourceID: r.SourceID, Hash: hash, UpdatedAt: r.UpdatedAt,
		Deleted: true, Record: r, Position: position}
	if err := tx.PutSourceRecord(ctx, row); err != nil {
		return err
	}
	out.Action = ActionWithdrawnUnknown
	return nil
}

// newest is the time a source row keeps: the newest of its versions' (stored and
// incoming). A version without one, or an older one, does not lower it, so that an older
// version delivered later is still stale (update, withdrawal, a record coming back).
func newest(stored, incoming time.Time) time.Time {
	if incoming.After(stored) {
		return incoming
	}
	return stored
}

// rewithdraw stores the time of a newer withdrawal of a withdrawn record: nothing else
// changes (no master, no event), but an older version delivered afterwards is stale.
func (rs *Resolver) rewithdraw(ctx context.Context, tx warehouse.Tx, prev *warehouse.SourceRow, r *contact.Record, hash, position string) error {
	row, err := tx.SourceRecord(ctx, prev.Source, prev.SourceID)
	if err != nil {
		return err
	}
	row.UpdatedAt, row.Hash, row.Position = r.UpdatedAt, hash, position
	return tx.PutSourceRecord(ctx, row)
}

// ChangeEvent is the payload of a golden-record change on contacts.golden.
type ChangeEvent struct {
	MasterID int64           `json:"master_id"`
	Version  int             `json:"version"`
	Status   string          `json:"status"`
	Cause    string          `json:"cause"` // the source record key that caused the change
	Master   *contact.Master `json:"master"`
}

// refreshMaster recomputes a master's golden record from its live members, stores it and
// writes the change event to the outbox, in the caller's transaction.
func (rs *Resolver) refreshMaster(ctx context.Context, tx warehouse.Tx, masterID int64, cause string) error {
	m, err := tx.Master(ctx, masterID)
	if err != nil {
		return err
	}
	rows, err := tx.Members(ctx, masterID)
	if err != nil {
		return err
	}
	members := make([]*contact.Record, len(rows))
	for i := range rows {
		members[i] = rows[i].Record
	}
	before, status, quality := m.Golden, m.Status, m.Quality
	m.Golden = match.Survive(members, rs.Engine.Rules().Survivorship)
	m.Quality = rs.quality(m.Golden, members)
	if len(members) > 0 && status == contact.MasterActive && m.Quality == quality && sameGolden(before, m.Golden) {
		// A version that changes no golden value (a re-export stamped with a new
		// updated_at, a value another member already gives) is no new version of the
		// master: downstream systems get no event for nothing.
		return nil
	}
	if len(members) == 0 {
		m.Status = contact.MasterRetired
		// A steward must not be asked about a retired master.
		if _, err := tx.CloseReviewItems(ctx, 0, masterID, fmt.Sprintf("master %d retired (no live source record)", masterID)); err != nil {
			return err
		}
	} else if m.Status == contact.MasterRetired {
		m.Status = contact.MasterActive
	}
	if err := tx.UpdateMaster(ctx, m); err != nil {
		return err
	}
	return rs.publish(ctx, tx, m, cause)
}

// sameGolden reports whether two golden records hold the same values (as stored: their
// JSON encodings are equal).
func sameGolden(a, b contact.Golden) bool {
	x, err := json.Marshal(a)
	if err != nil {
		return false
	}
	y, err := json.Marshal(b)
	return err == nil && bytes.Equal(x, y)
}

// publish writes a master's change event to the outbox, in the caller's transaction.
func (rs *Resolver) publish(ctx context.Context, tx warehouse.Tx, m *contact.Master, cause string) error {
	if rs.NoEvents {
		return nil
	}
	ev, err := changeEvent(m, cause)
	if err != nil {
		return err
	}
	return tx.AddOutbox(ctx, ev)
}

// changeEvent is the outbox event of a master's version: on GoldenTopic, keyed by the
// master id, the ChangeEvent as payload.
func changeEvent(m *contact.Master, cause string) (*warehouse.OutboxEvent, error) {
	payload, err := json.Marshal(ChangeEvent{MasterID: m.ID, Version: m.Version, Status: m.Status, Cause: cause, Master: m})
	if err != nil {
		return nil, err
	}
	return &warehouse.OutboxEvent{Topic: GoldenTopic, Key: strconv.FormatInt(m.ID, 10), Payload: payload}, nil
}

func (rs *Resolver) quality(g contact.Golden, members []*contact.Record) int {
	if rs.Quality != nil {
		return rs.Quality(g, members)
	}
	best := 0
	for _, r := range members {
		if r.Norm != nil && r.Norm.Quality > best {
			best = r.Norm.Quality
		}
	}
	return best
}
