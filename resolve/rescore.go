package resolve

import (
	"bytes"
	"context"
	"fmt"
	"slices"

	"github.com/segmentio/encoding/json"
	"github.com/steward-crm/steward/contact"
	"github.com/steward-crm/steward/pipeline/match"
	"github.com/steward-crm/steward/warehouse"
)

// affected are the open pair and merge items that a change to a record (an update with
// other match features, a withdrawal) bears on: the record's own, raised by the version
// that changed or left, and those other records raised against its master, scored
// against its members, the record among them.
type affected struct {
	own, against []warehouse.ReviewItem
}

// affectedItems reads the items a change to record rowID, of master masterID, bears on.
func affectedItems(ctx context.Context, tx warehouse.Tx, rowID, masterID int64) (affected, error) {
	var a affected
	items, err := tx.OpenReviewItems(ctx, rowID, masterID, warehouse.ReviewPair, warehouse.ReviewMerge)
	if err != nil {
		return a, err
	}
	for _, it := range items {
		if it.SourceRowID == rowID {
			a.own = append(a.own, it)
		} else {
			a.against = append(a.against, it)
		}
	}
	return a, nil
}

// lockAffected reads again, under the masters' locks, the items a change to row (written,
// with the master it has now) bears on: an item queued against the master since the
// first read was queued under its lock, and is read now. Masters it names that were not
// locked with the others (such an item's) are locked after them, as survivors are.
func lockAffected(ctx context.Context, tx warehouse.Tx, row *warehouse.SourceRow, locked map[int64]*contact.Master) (affected, error) {
	a, err := affectedItems(ctx, tx, row.ID, row.MasterID)
	if err != nil {
		return a, err
	}
	return a, lockMasters(ctx, tx, a.masters(), locked)
}

// masters returns the masters the items name, the record's own included: those a change
// handling them locks, with the others it needs, at once (lockMasters). A merge item
// closed here may be raised again from a record of either of its masters.
func (a affected) masters() []int64 {
	var ids []int64
	for _, it := range a.own {
		ids = append(ids, it.MasterID, it.CandidateID)
	}
	for _, it := range a.against {
		ids = append(ids, it.MasterID, it.CandidateID)
	}
	slices.Sort(ids)
	return slices.Compact(ids)
}

// any reports whether a holds one of the record's own merge items (which its change
// closes) or items against its master: whether reviewChange has work.
func (a affected) any() bool {
	return len(a.against) > 0 || slices.ContainsFunc(a.own, func(it warehouse.ReviewItem) bool { return it.Kind == warehouse.ReviewMerge })
}

// reviewChange brings the items a change to row bears on (a, read under the masters'
// locks) up to date, once the row is written and its own items closed by the caller;
// change ("updated", "withdrawn") names it in the notes.
//
// An item another record raised against the row's master asked about the master's
// members as they were: the item's record is scored again against the master's live
// members, as rank scores a candidate master. At or above the review threshold the item
// keeps its id and place in the queue with the new score and explanation (left as it is
// when they did not change); below, it is closed (superseded) with a note naming the
// change and the score. An item another record of the row's master raised is about that
// record and is left alone.
//
// A merge item closed here, or among the row's own, leaves the question of its two
// masters open where another of their records still raises it: reraise asks it again.
//
// A master left without live records is retired by refreshMaster, which closes its
// items: nothing is done for it here.
func (rs *Resolver) reviewChange(ctx context.Context, tx warehouse.Tx, row *warehouse.SourceRow, a affected, change string, locked map[int64]*contact.Master, out *Outcome) error {
	if !a.any() {
		return nil
	}
	members, err := tx.MembersOf(ctx, a.masters())
	if err != nil {
		return err
	}
	master := members[row.MasterID]
	if len(master) == 0 {
		return nil
	}
	var reopen [][2]int64
	for _, it := range a.own {
		if it.Kind == warehouse.ReviewMerge {
			reopen = append(reopen, [2]int64{it.MasterID, it.CandidateID})
		}
	}
	for _, it := range a.against {
		i := slices.IndexFunc(members[it.MasterID], func(r warehouse.SourceRow) bool { return r.ID == it.SourceRowID })
		if i < 0 {
			continue // its record is no longer its master's live member: not this change's item
		}
		c, ok := rs.weigh(&members[it.MasterID][i], row.MasterID, master)
		if ok && rs.Engine.Decide(c.probability()) != match.NewMaster {
			sc := c.scored(rs.Engine)
			expl, err := json.Marshal(sc)
			if err != nil {
				return err
			}
			if sc.Probability == it.Score && bytes.Equal(expl, it.Explanation) {
				continue
			}
			if _, err := tx.RescoreReviewItem(ctx, it.ID, sc.Probability, expl); err != nil {
				return err
			}
			continue
		}
		note := fmt.Sprintf("candidate master changed: source record %s %s; ", row.Key(), change)
		if ok {
			note += fmt.Sprintf("score now %.2f, below review", c.probability())
		} else {
			note += "no record of it left to compare"
		}
		closed, err := tx.CloseReviewItem(ctx, it.ID, note)
		if err != nil {
			return err
		}
		if closed && it.Kind == warehouse.ReviewMerge {
			reopen = append(reopen, [2]int64{it.MasterID, it.CandidateID})
		}
	}
	for i, p := range reopen {
		if slices.Contains(reopen[:i], p) {
			continue
		}
		if err := rs.reraise(ctx, tx, p[0], p[1], members, locked, out); err != nil {
			return err
		}
	}
	return nil
}

// reraise asks again whether masters m and n (whose merge item was just closed: its
// record changed or left, or the other master's did) are one person, when another of
// their records still raises the question: of the live records of either, the one
// scoring best against the other's live members, at or above the review threshold, and
// not said by a steward not to be that master, queues the merge item (m's record on a
// tie: the closed item's side). The one-open-item-per-pair rule holds (queueReview). members
// holds both masters' live records.
func (rs *Resolver) reraise(ctx context.Context, tx warehouse.Tx, m, n int64, members map[int64][]warehouse.SourceRow, locked map[int64]*contact.Master, out *Outcome) error {
	var best ranked
	var raiser *warehouse.SourceRow
	var other int64
	for _, side := range [][2]int64{{m, n}, {n, m}} {
		for i := range members[side[0]] {
			r := &members[side[0]][i]
			c, ok := rs.weigh(r, side[1], members[side[1]])
			if !ok || rs.Engine.Decide(c.probability()) == match.NewMaster || raiser != nil && c.weight <= best.weight {
				continue
			}
			no, err := tx.NotAMatch(ctx, r.ID, side[1])
			if err != nil {
				return err
			}
			if !no {
				best, raiser, other = c, r, side[1]
			}
		}
	}
	if raiser == nil {
		return nil
	}
	sc := best.scored(rs.Engine)
	expl, err := json.Marshal(sc)
	if err != nil {
		return err
	}
	it := &warehouse.ReviewItem{Kind: warehouse.ReviewMerge, SourceRowID: raiser.ID, SourceKey: raiser.Key(), MasterID: raiser.MasterID, CandidateID: other, Score: sc.Probability, Explanation: expl}
	return queueReview(ctx, tx, it, locked, out)
}

// weigh weighs a stored record (its stored features) against a master's live records as
// rank weighs a candidate master: its best-matching record is kept (under
// match.order_independent, of those sharing a blocking key with it), weighed in full
// below the review threshold too (a note names the score). ok is false when no record
// is compared.
func (rs *Resolver) weigh(row *warehouse.SourceRow, masterID int64, members []warehouse.SourceRow) (ranked, bool) {
	k := newRanker(rs, rs.candidateFeatures(row), 1)
	if !k.master(masterID, members, row.ID, rs.sharingKeys(row, members)) {
		return ranked{}, false
	}
	k.keep()
	return k.ranked()[0], true
}

// sharingKeys is, under match.order_independent, the set of members that share a
// blocking key with row (the only ones it is compared with, as blockedRows has it for a
// candidate read); nil otherwise.
func (rs *Resolver) sharingKeys(row *warehouse.SourceRow, members []warehouse.SourceRow) map[int64]bool {
	if !rs.Engine.Rules().Match.OrderIndependent {
		return nil
	}
	keys := rs.Engine.BlockKeys(norm(row))
	out := map[int64]bool{}
	for i := range members {
		for _, k := range rs.Engine.BlockKeys(norm(&members[i])) {
			if _, ok := slices.BinarySearch(keys, k); ok {
				out[members[i].ID] = true
				break
			}
		}
	}
	return out
}

// norm is a stored row's normalized record (nil: none).
func norm(row *warehouse.SourceRow) *contact.Normalized {
	if row.Record == nil {
		return nil
	}
	return row.Record.Norm
}
