package warehouse

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/steward-crm/steward/contact"
)

// ErrNotFound is returned when a looked-up row does not exist.
var ErrNotFound = errors.New("not found")

// Store is the warehouse. Implementations are safe for concurrent use.
type Store interface {
	// InTx runs fn in one transaction and commits it when fn returns nil. Transient
	// conflicts (serialization failures, busy database) are retried with fn called again,
	// so fn must not have effects outside tx.
	InTx(ctx context.Context, fn func(tx Tx) error) error
	// AddDeadLetter stores a record that could not be processed. The same payload at the
	// same position is stored once (a re-run counts it in Seen).
	AddDeadLetter(ctx context.Context, d DeadLetter) error
	// DeadLetters lists dead letters, newest first, at most limit.
	DeadLetters(ctx context.Context, limit int) ([]DeadLetter, error)
	// Stats counts the warehouse's rows.
	Stats(ctx context.Context) (Stats, error)
	// LiveSourceRecords counts the source records not withdrawn: Stats's SourceRecords
	// alone, one count (0.12 s for a million rows on SQLite, where Stats reads every
	// record for its field statuses).
	LiveSourceRecords(ctx context.Context) (int64, error)
	// EachMaster calls fn for every active master in id order, with its source record keys.
	EachMaster(ctx context.Context, fn func(m *contact.Master) error) error
	// EachSourceRecord calls fn for every live (not withdrawn) source record in id order,
	// with the record as stored: JSON of the record as received plus its normalized form
	// ("normalized", which contact.Decode ignores). It reads in pages, each a short read
	// of its own, none held while fn runs: a record written meanwhile may be seen or not,
	// and fn may write.
	EachSourceRecord(ctx context.Context, fn func(key SourceKey, record json.RawMessage) error) error
	// SourceRecord returns the stored source record of a key, withdrawn or not (Deleted),
	// or ErrNotFound, in a read of its own: no transaction, no lock (a reader that may
	// only read, or a SQLite file another process is writing, serves it at once).
	SourceRecord(ctx context.Context, source, sourceID string) (*SourceRow, error)
	// Events returns the audit events of a master (all when masterID is 0), oldest first.
	Events(ctx context.Context, masterID int64) ([]Event, error)
	// ReviewItems lists up to limit review items with the given status and kind (""
	// for all), oldest first.
	ReviewItems(ctx context.Context, status, kind string, limit int) ([]ReviewItem, error)
	// ForwardOutbox hands up to limit unpublished outbox events, oldest first, to
	// publish and marks them published when it returns nil, all in one transaction that
	// only one process at a time can hold: several processes forwarding one outbox
	// neither publish an event twice nor out of order. It returns how many events were
	// published (0 also when another process is forwarding). When publish returns a
	// *PartialPublish, the events it names as done are marked published and those it
	// gives up are marked too, each with a dead letter, in the same transaction; the
	// others stay pending, and its error is returned.
	ForwardOutbox(ctx context.Context, limit int, publish func([]OutboxEvent) error) (int, error)
	// PruneOutbox deletes up to limit events published before publishedBefore, the
	// oldest published first, and returns how many it deleted: a published event is of
	// no further use, and a forwarder prunes them so that the outbox does not grow
	// without end. Unpublished events are never deleted.
	PruneOutbox(ctx context.Context, publishedBefore time.Time, limit int) (int, error)
	// Close releases the store.
	Close() error
}

// Tx is one warehouse transaction. It is not safe for concurrent use.
type Tx interface {
	// LockKeys serializes resolvers that touch the same blocking keys until the end of
	// the transaction (PostgreSQL: advisory locks in sorted order; SQLite: a no-op, the
	// database has one writer).
	LockKeys(ctx context.Context, keys []string) error
	// SourceRecord returns the stored source record, or ErrNotFound.
	SourceRecord(ctx context.Context, source, sourceID string) (*SourceRow, error)
	// SourceState is SourceRecord without the record itself (Record is nil): what
	// deciding whether a delivery is new, unchanged or stale needs, without decoding the
	// stored record. Features are the stored match features (an update whose features
	// are the same is matched as before).
	SourceState(ctx context.Context, source, sourceID string) (*SourceRow, error)
	// PutSourceRecord inserts or updates a source record by (source, source_id) and sets
	// row.ID. The record's blocking keys follow it to row.MasterID.
	PutSourceRecord(ctx context.Context, row *SourceRow) error
	// ReplaceBlockKeys sets the blocking keys of a source record.
	ReplaceBlockKeys(ctx context.Context, sourceRowID int64, keys []string) error
	// AddBlockKeys adds blocking keys to a source record that has none yet (a row just
	// inserted): ReplaceBlockKeys without the delete.
	AddBlockKeys(ctx context.Context, sourceRowID int64, keys []string) error
	// SourceStates is SourceState for several records in one read, keyed by
	// "source:source_id" (records never stored are absent).
	SourceStates(ctx context.Context, keys []SourceKey) (map[string]*SourceRow, error)
	// Candidates returns in one read what blocking finds for q.Keys (the keys of one
	// record or of a whole batch): for each key, the active masters with a live record
	// holding it, and the live records of those masters. Candidate rows carry ID,
	// Source, SourceID, MasterID and Features; Record is decoded only for rows whose
	// stored features do not start with q.FeaturesVersion (older rows). Keys shared by
	// more than q.MaxMasters masters are skipped and listed in Skipped.
	Candidates(ctx context.Context, q CandidateQuery) (*CandidateSet, error)
	// Members returns the live source records of a master.
	Members(ctx context.Context, masterID int64) ([]SourceRow, error)
	// MembersOf is Members for several masters in one read.
	MembersOf(ctx context.Context, masterIDs []int64) (map[int64][]SourceRow, error)
	// MemberRecords returns the records of the live source rows of several masters, in
	// row order, decoded without their Attributes: what survivorship reads, in one read
	// of two columns. The records are not to be written back (their attributes are not
	// there).
	MemberRecords(ctx context.Context, masterIDs []int64) (map[int64][]*contact.Record, error)
	// PutSourceRecords is PutSourceRecord for several distinct records in one statement.
	// Rows passed with their ID (known rows) take their blocking keys to their master, as
	// PutSourceRecord does for every row.
	PutSourceRecords(ctx context.Context, rows []*SourceRow) error
	// AddRowBlockKeys is AddBlockKeys for several rows in one statement. A key must be
	// UTF-8, not empty, without a line break (an error on every store).
	AddRowBlockKeys(ctx context.Context, keys []RowKey) error
	// NewMasterIDs reserves n master ids, in increasing order, for InsertMasters.
	NewMasterIDs(ctx context.Context, n int) ([]int64, error)
	// InsertMasters inserts masters whose ID (from NewMasterIDs), Version, Status,
	// Golden and Quality are set, in one statement; it sets CreatedAt and UpdatedAt.
	InsertMasters(ctx context.Context, ms []*contact.Master) error
	// MastersByID reads several masters in one read (locking them on PostgreSQL, like
	// Master); missing ids are absent from the map.
	MastersByID(ctx context.Context, ids []int64) (map[int64]*contact.Master, error)
	// MasterStates is MastersByID without the golden records (Golden is left zero),
	// for a caller that computes them again from the members: the rest of each master
	// (version, status, merged_into, quality, timestamps), locked as MastersByID does.
	// A master read so must not be saved without its golden record computed.
	MasterStates(ctx context.Context, ids []int64) (map[int64]*contact.Master, error)
	// SaveMasters stores the golden record, status, quality and version of several
	// masters as given (the caller computed the versions from MastersByID), in one
	// statement; it sets UpdatedAt.
	SaveMasters(ctx context.Context, ms []*contact.Master) error
	// AppendEvents is AppendEvent for several events, in order, in one statement.
	AppendEvents(ctx context.Context, es []*Event) error
	// AddOutboxes is AddOutbox for several events, in order, in one statement.
	AddOutboxes(ctx context.Context, os []*OutboxEvent) error
	// CreateMaster inserts a master and sets m.ID.
	CreateMaster(ctx context.Context, m *contact.Master) error
	// UpdateMaster stores a master's golden record, status and quality and bumps its
	// version.
	UpdateMaster(ctx context.Context, m *contact.Master) error
	// Master returns a master, or ErrNotFound.
	Master(ctx context.Context, id int64) (*contact.Master, error)
	// NotAMatch reports whether a steward said the record and the master are different.
	NotAMatch(ctx context.Context, sourceRowID, masterID int64) (bool, error)
	// AddReviewItem queues a review item unless an open one exists for the same pair
	// (same source row, candidate master and company key) or, for an open merge item,
	// an open merge item between the same two masters in either direction, raised by
	// any record (a steward answers "are these two one person?" once; the first item
	// and its score and explanation are kept). A merge item's record is one of its
	// MasterID's records, as the resolver queues them. The merge check is a read: a
	// caller that may race with another writer holds both masters' locks (Master,
	// MastersByID), as the resolver does. added is false when nothing was queued.
	AddReviewItem(ctx context.Context, it *ReviewItem) (added bool, err error)
	// SupersedeReviewItems closes the open items of kind for a source row whose company
	// key is not keep (status superseded), returning how many it closed.
	SupersedeReviewItems(ctx context.Context, sourceRowID int64, kind, keep string) (int, error)
	// CloseReviewItems closes (status superseded, with note) the open review items of a
	// source row (sourceRowID, 0: none) and those naming a master as the record's master
	// or the candidate (masterID, 0: none): a withdrawn record, a retired master are no
	// question for a steward. With kinds, only items of those kinds are closed (an
	// updated record's pair and merge items, not its company item). It returns how many
	// it closed.
	CloseReviewItems(ctx context.Context, sourceRowID, masterID int64, note string, kinds ...string) (int, error)
	// OpenReviewItems lists the open review items of the given kinds (none: every kind)
	// raised by a source row (sourceRowID; 0: none) or naming a master as the candidate
	// (candidateID; 0: none), oldest first: the items a change to the row, or to the
	// master's members, bears on. Both are read through indexes of the open items.
	OpenReviewItems(ctx context.Context, sourceRowID, candidateID int64, kinds ...string) ([]ReviewItem, error)
	// RescoreReviewItem sets the score and explanation of an open review item in place:
	// it keeps its id and its place in the queue (its candidate master's members changed,
	// and its record still scores at or above review against them). It reports whether
	// the item was open (a closed item is left as it is).
	RescoreReviewItem(ctx context.Context, id int64, score float64, explanation json.RawMessage) (bool, error)
	// CloseReviewItem closes one open review item (status superseded, with note) and
	// reports whether it was open.
	CloseReviewItem(ctx context.Context, id int64, note string) (bool, error)
	// RedirectReviewItems points the open review items of master from at master into,
	// which from was merged into: an item between the two (now one master) and one that
	// would repeat an open item of into (a merge item: one between into and the same
	// master, in either direction) are closed (status superseded, with a note).
	// It returns how many items it redirected and how many it closed.
	RedirectReviewItems(ctx context.Context, from, into int64) (redirected, closed int, err error)
	// AppendEvent appends to the audit log (never updated, never deleted).
	AppendEvent(ctx context.Context, e *Event) error
	// LastEvent returns the newest audit event whose MasterID is masterID (a merge that
	// names the master as OtherID does not count), those appended in this transaction
	// included, or ErrNotFound.
	LastEvent(ctx context.Context, masterID int64) (*Event, error)
	// AddOutbox writes a change event to be published after commit.
	AddOutbox(ctx context.Context, o *OutboxEvent) error
}

// SourceRow is a stored source record.
type SourceRow struct {
	ID       int64
	Source   string
	SourceID string
	// Hash is the content hash of the raw record: equal hashes mean nothing changed.
	Hash      string
	UpdatedAt time.Time
	Deleted   bool
	// Record is the record with its normalized form.
	Record *contact.Record
	// RecordJSON, when set, is Record encoded (contact.Encode), which the store writes
	// instead of encoding Record again: a resolver encodes a new record while the batch
	// before it is written, off the writer's path. Empty: the store encodes Record.
	RecordJSON string
	MasterID   int64
	// Score and Explanation are the match that linked the record (empty for the first
	// record of a master).
	Score       float64
	Explanation json.RawMessage
	// Position is where the record was read (file:line, topic/partition/offset).
	Position string
	// Features are the record's match features, encoded by the resolver (opaque to the
	// store; empty: none stored). Candidates are scored on them without decoding Record.
	Features string
}

// Key returns "source:source_id".
func (r *SourceRow) Key() string { return r.Source + ":" + r.SourceID }

// SourceKey names a source record.
type SourceKey struct{ Source, SourceID string }

// Key returns "source:source_id".
func (k SourceKey) Key() string { return k.Source + ":" + k.SourceID }

// RowKey is one blocking key of a source row, which belongs to master MasterID.
type RowKey struct {
	Key      string
	MasterID int64
	RowID    int64
}

// CandidateQuery asks Tx.Candidates for what blocking finds.
type CandidateQuery struct {
	Keys []string
	// MaxMasters: a key shared by more masters is skipped.
	MaxMasters int
	// RuleMaxMasters overrides MaxMasters for the keys of a blocking rule, by rule name
	// (a key is "rule:value"; rules match.blocking[].max_masters).
	RuleMaxMasters map[string]int
	// FeaturesVersion: rows whose stored features start with it are not decoded.
	FeaturesVersion string
	// KeyRows asks for CandidateSet.KeyRows.
	KeyRows bool
}

// Cap returns how many masters key k may be shared by before it is skipped.
func (q CandidateQuery) Cap(k string) int {
	if len(q.RuleMaxMasters) > 0 {
		if rule, _, ok := strings.Cut(k, ":"); ok {
			if n, ok := q.RuleMaxMasters[rule]; ok {
				return n
			}
		}
	}
	return q.MaxMasters
}

// MostMasters returns the largest of q's caps.
func (q CandidateQuery) MostMasters() int {
	n := q.MaxMasters
	for _, c := range q.RuleMaxMasters {
		n = max(n, c)
	}
	return n
}

// CandidateSet is what blocking found for a set of keys (Tx.Candidates).
type CandidateSet struct {
	// Masters lists, per key, the active masters with a live record holding it.
	Masters map[string][]int64
	// Rows lists each of those masters' live records, oldest first.
	Rows map[int64][]SourceRow
	// Skipped are the keys shared by too many masters to be used.
	Skipped []string
	// KeyRows lists, per key not skipped, the ids of the live records holding it, in
	// ascending order (only when CandidateQuery.KeyRows).
	KeyRows map[string][]int64
}

// Prefetcher is a Store that reads candidates outside transactions (SQLite's memory
// index): a resolver scores a batch on its candidates while the batch before it is being
// written, and its transaction then asks the Tx (ChangeTracker) what changed since, and
// reads again only the records whose keys or candidate masters did.
type Prefetcher interface {
	// Prefetches reports whether Prefetch can succeed at all.
	Prefetches() bool
	// Prefetch reads what Tx.Candidates would return for q. ok is false when it
	// cannot (the transaction then reads it all).
	Prefetch(ctx context.Context, q CandidateQuery) (p *Prefetched, ok bool)
	// Known reports, for each key, whether the warehouse may hold a live source record
	// of it (a hint: false means it holds none live; a withdrawn one may exist).
	Known(keys []SourceKey) []bool
}

// Prefetched is what a Prefetcher read.
type Prefetched struct {
	Set *CandidateSet
	// Gen and Seq identify the index's state when read.
	Gen, Seq uint64
}

// ChangeTracker is a Tx of a Prefetcher.
type ChangeTracker interface {
	// Changes tells what changed in the index since p was read, this transaction's
	// changes so far included; false when that is not known.
	Changes(p *Prefetched) (Changes, bool)
}

// Changes are the blocking keys and masters whose records changed since a prefetch.
type Changes interface {
	Key(k string) bool
	Master(id int64) bool
}

// Merge replaces, for the keys that o was read for, what s holds with what o holds: o is
// a later read of those keys (their masters, those masters' rows, their key rows).
func (s *CandidateSet) Merge(o *CandidateSet, keys []string) {
	for _, k := range keys {
		delete(s.Masters, k)
		if s.KeyRows != nil {
			delete(s.KeyRows, k)
		}
	}
	s.Skipped = slices.DeleteFunc(s.Skipped, func(k string) bool { return slices.Contains(keys, k) })
	for k, ms := range o.Masters {
		s.Masters[k] = ms
	}
	for m, rows := range o.Rows {
		s.Rows[m] = rows
	}
	if s.KeyRows != nil {
		for k, ids := range o.KeyRows {
			s.KeyRows[k] = ids
		}
	}
	s.Skipped = append(s.Skipped, o.Skipped...)
	slices.Sort(s.Skipped)
	s.Skipped = slices.Compact(s.Skipped)
}

// Event kinds of the audit log.
const (
	EventNewMaster = "new_master"
	EventLink      = "link"
	EventUpdate    = "update"
	EventWithdraw  = "withdraw"
	EventMerge     = "merge"
	EventSplit     = "split"
	EventDecision  = "decision"
	EventForget    = "forget"
	// EventRestore is a record coming back after its withdrawal had retired its master
	// (it was the master's last member): the master is active again.
	EventRestore = "restore"
)

// Event is one audit-log entry.
type Event struct {
	ID        int64           `json:"id"`
	At        time.Time       `json:"at"`
	Kind      string          `json:"kind"`
	MasterID  int64           `json:"master_id"`
	OtherID   int64           `json:"other_master_id,omitempty"`
	SourceKey string          `json:"source_key,omitempty"`
	Score     float64         `json:"score,omitempty"`
	Actor     string          `json:"actor"`
	Details   json.RawMessage `json:"details,omitempty"`
}

// Review item kinds and statuses.
const (
	ReviewPair  = "pair"  // a record the engine was unsure about, given its own master
	ReviewMerge = "merge" // a record that bridges two masters
	// ReviewCompany is a low-confidence company attachment (CompanyKey names the
	// registry entry; nothing was written as fact).
	ReviewCompany = "company"
	// ReviewSplit is a record whose newer version no longer matches the other records of
	// its master (a source id reused for another person, a correction): the record stays
	// (an update never moves it), and the steward decides whether it leaves. MasterID is
	// its master; CandidateID is 0; Score and Explanation are those of the record against
	// its best-matching fellow member.
	ReviewSplit = "split"

	ReviewOpen     = "open"
	ReviewMerged   = "merged"
	ReviewRejected = "rejected"
	ReviewDeferred = "deferred"
	// ReviewSuperseded closes an item the engine replaced (a newer version of the record
	// suggests another company, or none).
	ReviewSuperseded = "superseded"
)

// ReviewItem is a pair the engine is unsure about, waiting for a steward.
type ReviewItem struct {
	ID          int64           `json:"id"`
	CreatedAt   time.Time       `json:"created_at"`
	Kind        string          `json:"kind"`
	Status      string          `json:"status"`
	SourceRowID int64           `json:"source_row_id"`
	SourceKey   string          `json:"source_key"`
	MasterID    int64           `json:"master_id"`             // the master the record now belongs to
	CandidateID int64           `json:"candidate_id"`          // the master it may belong to
	CompanyKey  string          `json:"company_key,omitempty"` // kind company: the registry entry suggested
	Score       float64         `json:"score"`
	Explanation json.RawMessage `json:"explanation,omitempty"`
}

// OutboxEvent is a golden-record change event waiting to be published.
type OutboxEvent struct {
	ID        int64
	CreatedAt time.Time
	Topic     string
	Key       string
	Payload   json.RawMessage
}

// PartialPublish is what a publish of outbox events (Store.ForwardOutbox) returns when
// only some of them went out: a broker that refused one message of a batch (too large)
// or lost a partition's leader has still written the others, which would otherwise be
// published again at every poll.
type PartialPublish struct {
	// Done are the ids of the events published.
	Done []int64
	// GiveUp are the events that will never go out (a change event larger than the
	// topic takes), by id, with the reason: they are marked published and each is
	// stored as a dead letter (stage "outbox").
	GiveUp map[int64]string
	// Err is why the others did not go out.
	Err error
}

func (p *PartialPublish) Error() string {
	return fmt.Sprintf("%d of the events published, %d given up: %v", len(p.Done), len(p.GiveUp), p.Err)
}

func (p *PartialPublish) Unwrap() error { return p.Err }

// DeadLetter is a record that could not be processed, with why and where it came from.
type DeadLetter struct {
	ID        int64     `json:"id"`
	At        time.Time `json:"at"`
	Seen      int       `json:"seen"`
	Position  string    `json:"position"`
	Stage     string    `json:"stage"`
	Reason    string    `json:"reason"`
	SourceKey string    `json:"source_key,omitempty"`
	Payload   []byte    `json:"-"`
}

// Stats counts the warehouse's rows.
type Stats struct {
	SourceRecords  int64                       `json:"source_records"`
	Deleted        int64                       `json:"deleted_source_records"`
	Masters        int64                       `json:"masters"`
	MultiMasters   int64                       `json:"masters_with_several_records"`
	ReviewOpen     int64                       `json:"review_items_open"`
	ReviewByKind   map[string]int64            `json:"review_items_open_by_kind"`
	DeadLetters    int64                       `json:"dead_letters"`
	Events         map[string]int64            `json:"events"`
	OutboxPending  int64                       `json:"outbox_pending"`
	FieldStatuses  map[string]map[string]int64 `json:"field_statuses"`
	IssueCodes     map[string]int64            `json:"issue_codes"`
	AverageQuality float64                     `json:"average_quality"`
}
