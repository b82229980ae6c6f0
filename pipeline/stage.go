package pipeline

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/steward-crm/steward/contact"
	"github.com/steward-crm/steward/rules"
)

// ErrInvalidRecord marks a data problem: the record goes to the dead-letter topic/table with
// the reason, and its message is acked. Wrap it (contact.Invalid does) with the field and
// the reason. Any other error is infrastructure: nack and retry, never dead-letter.
var ErrInvalidRecord = contact.ErrInvalid

// IsInvalid reports whether err is a data problem (see ErrInvalidRecord).
func IsInvalid(err error) bool { return errors.Is(err, ErrInvalidRecord) }

// Stage is one processing step on a record. Process may fill r.Norm and must be safe for
// concurrent use on different records. It returns an error wrapping ErrInvalidRecord for a
// record that cannot be processed; normalization problems that leave the record usable are
// not errors: they are statuses and issue codes on the fields.
type Stage interface {
	Name() string
	Process(ctx context.Context, r *contact.Record) error
}

// StageError tells which stage failed. It unwraps to the stage's error.
type StageError struct {
	Stage string
	Err   error
}

func (e *StageError) Error() string { return e.Stage + ": " + e.Err.Error() }

// Unwrap returns the stage's error.
func (e *StageError) Unwrap() error { return e.Err }

// Chain runs stages in order, stopping at the first error.
type Chain []Stage

// Process runs every stage on r; an error is a *StageError naming the stage.
func (c Chain) Process(ctx context.Context, r *contact.Record) error {
	for _, s := range c {
		if err := processStage(ctx, s, r); err != nil {
			return &StageError{Stage: s.Name(), Err: err}
		}
	}
	return nil
}

// processStage runs one stage; a panic becomes the stage's data error (Panicked), so
// that the dead letter names the stage that panicked, not only "panic".
func processStage(ctx context.Context, s Stage, r *contact.Record) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = Panicked(p)
		}
	}()
	return s.Process(ctx, r)
}

// Names returns the names of the stages, in order.
func (c Chain) Names() []string {
	out := make([]string, len(c))
	for i, s := range c {
		out[i] = s.Name()
	}
	return out
}

// Factory builds a stage from the rules.
type Factory func(r *rules.Rules) (Stage, error)

// Registry maps stage type names to their factories. It is built explicitly (see package
// stages); there is no registration by init().
type Registry map[string]Factory

// Build builds the named stages in order. An unknown name is an error listing the known ones.
func (reg Registry) Build(names []string, r *rules.Rules) (Chain, error) {
	chain := make(Chain, 0, len(names))
	var errs []error
	for _, n := range names {
		f, ok := reg[n]
		if !ok {
			known := make([]string, 0, len(reg))
			for k := range reg {
				known = append(known, k)
			}
			slices.Sort(known)
			errs = append(errs, fmt.Errorf("unknown stage type %q (known: %s)", n, strings.Join(known, ", ")))
			continue
		}
		s, err := f(r)
		if err != nil {
			errs = append(errs, fmt.Errorf("stage %s: %w", n, err))
			continue
		}
		chain = append(chain, s)
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return chain, nil
}

// Func adapts a function to a Stage.
type Func struct {
	StageName string
	Fn        func(ctx context.Context, r *contact.Record) error
}

// Name returns f.StageName.
func (f Func) Name() string { return f.StageName }

// Process calls f.Fn.
func (f Func) Process(ctx context.Context, r *contact.Record) error { return f.Fn(ctx, r) }

// EnsureNorm returns r.Norm, creating it with every field missing when nil.
func EnsureNorm(r *contact.Record) *contact.Normalized {
	if r.Norm == nil {
		m := contact.Missing()
		r.Norm = &contact.Normalized{
			Civility: m, GivenName: m, FamilyName: m, BirthDate: m,
			Address: contact.NormAddress{Street: m, Postcode: m, City: m, Country: m},
			Company: contact.NormCompany{Name: m, SIREN: m, SIRET: m, VAT: m, LEI: m},
		}
	}
	return r.Norm
}
