package service

import (
	"context"
	"fmt"
)

// PriorAdvice returns a hint when the match prior (rules.yaml's match.prior, or the
// trained model's) is more than twice one over the number of live source records:
// the chance that two records of the base are one person falls as the base grows, and a
// streaming decision made with too large a prior links namesakes (README, Matching: at a
// million generated records, precision 0.948 with 3e-6 against 0.969 with 1e-6, for
// recall 0.929 against 0.896: a false merge is the costlier error). Streaming
// keeps the prior fixed so that a decision does not depend on when a record comes; the
// steward sets it. "" when the prior fits.
func PriorAdvice(prior float64, liveRecords int64) string {
	if liveRecords <= 0 || prior <= 0 || prior*float64(liveRecords) <= 2 {
		return ""
	}
	return fmt.Sprintf("match.prior %.2g is one in %.0f records, the warehouse holds %d live source records: "+
		"a prior near %.1g (one over the base's size) keeps namesakes apart", prior, 1/prior, liveRecords, 1/float64(liveRecords))
}

// priorAdvice is PriorAdvice for the rules and the warehouse's live source records as
// they are now (one count, not Stats, which reads every record): what ingest prints at
// its end and run logs at its start. The prior streaming decides with is fixed by the
// rules; a warehouse grown past it links namesakes.
func (s *Service) priorAdvice(ctx context.Context) (string, error) {
	live, err := s.Store.LiveSourceRecords(ctx)
	if err != nil {
		return "", err
	}
	return PriorAdvice(s.Rules.Match.Prior, live), nil
}
