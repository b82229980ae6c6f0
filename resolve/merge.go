package resolve

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/steward-crm/steward/contact"
	"github.com/steward-crm/steward/warehouse"
)

// mergeDetails are the details of a merge event: the keys of the source records moved
// from the merged master into the survivor, and the match that merged them.
type mergeDetails struct {
	Moved       []string        `json:"moved"`
	Explanation json.RawMessage `json:"explanation,omitempty"`
}

// merge folds master from into master into, in the caller's transaction: from's live
// source records move to into, from is retired with status merged and merged_into set,
// its open review items point at into (those between the two are closed),
// an audit event "merge" is appended and both golden records are re-published. The caller
// passes the older master as into: the surviving id is always the older one, so master ids
// never change for records that were already together.
func (rs *Resolver) merge(ctx context.Context, tx warehouse.Tx, into, from int64, score float64, details json.RawMessage, cause string) error {
	if into == from {
		return nil
	}
	if from < into {
		return fmt.Errorf("merge master %d into %d: the younger master must be merged into the older", from, into)
	}
	// The master is locked before its members are read: a writer adding a record to it
	// holds the lock until it commits, and its record is then read and moved too.
	m, err := tx.Master(ctx, from)
	if err != nil {
		return err
	}
	rows, err := tx.Members(ctx, from)
	if err != nil {
		return err
	}
	moved := make([]string, len(rows))
	for i := range rows {
		moved[i] = rows[i].Key()
		rows[i].MasterID = into
		if err := tx.PutSourceRecord(ctx, &rows[i]); err != nil {
			return fmt.Errorf("merge master %d into %d: %w", from, into, err)
		}
	}
	m.Status, m.MergedInto = contact.MasterMerged, into
	if err := tx.UpdateMaster(ctx, m); err != nil {
		return err
	}
	// The review queue follows: a steward must not be asked about a retired master.
	if _, _, err := tx.RedirectReviewItems(ctx, from, into); err != nil {
		return err
	}
	// Split items were scored against one master's records: the survivor's now hold
	// both's, so they are checked again (a record's Outcome does not count them).
	if _, err := rs.refreshSplits(ctx, tx, into, fmt.Sprintf("master %d merged into %d", from, into), &Outcome{}); err != nil {
		return err
	}
	// The event names the records moved: what undoing the merge (a split) moves back.
	ev, err := json.Marshal(mergeDetails{Moved: moved, Explanation: details})
	if err != nil {
		return err
	}
	if err := tx.AppendEvent(ctx, &warehouse.Event{Kind: warehouse.EventMerge, MasterID: into, OtherID: from, SourceKey: cause, Score: score, Details: ev}); err != nil {
		return err
	}
	if err := rs.publish(ctx, tx, m, cause); err != nil {
		return err
	}
	return rs.refreshMaster(ctx, tx, into, cause)
}
