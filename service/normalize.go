package service

import (
	"context"
	"encoding/json"
	"errors"
	"io"

	"github.com/steward-crm/steward/contact"
	"github.com/steward-crm/steward/input"
)

// NormalizeResult is one line of `steward normalize` output: the record with its
// normalized form, or the error that would dead-letter it.
type NormalizeResult struct {
	Position string          `json:"position"`
	Record   *contact.Record `json:"record,omitempty"`
	Error    string          `json:"error,omitempty"`
}

// NormalizeStream runs the Normalize and Identify stages on every record of rd and writes
// one JSON NormalizeResult per line to w. It returns how many records were read and how
// many failed. Nothing is written to the warehouse.
func (s *Service) NormalizeStream(ctx context.Context, rd *input.Reader, w io.Writer) (read, failed int, err error) {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	for {
		it, err := rd.Next()
		if errors.Is(err, io.EOF) {
			return read, failed, nil
		}
		if err != nil {
			return read, failed, err
		}
		read++
		res := NormalizeResult{Position: it.Position}
		rec, perr := s.normalizeItem(ctx, it)
		if perr != nil {
			failed++
			res.Error = perr.Error()
		} else {
			res.Record = rec
		}
		if err := enc.Encode(res); err != nil {
			return read, failed, err
		}
	}
}

// normalizeItem decodes and normalizes one input item as the Normalize and Identify
// handlers would.
func (s *Service) normalizeItem(ctx context.Context, it input.Item) (*contact.Record, error) {
	if it.Err != nil {
		return nil, it.Err
	}
	rec, err := contact.Decode(it.Payload)
	if err != nil {
		return nil, err
	}
	if rec.EffectiveOp() == contact.OpDelete {
		return rec, nil
	}
	if err := s.NormalizeChain.Process(ctx, rec); err != nil {
		return nil, err
	}
	if err := s.IdentifyChain.Process(ctx, rec); err != nil {
		return nil, err
	}
	return rec, nil
}
