package enrich

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/steward-crm/steward/contact"
	"github.com/steward-crm/steward/pipeline"
	"github.com/steward-crm/steward/rules"
)

// Lifecycle stages, as the CRM playbooks name them.
const (
	StageProspect = "prospect"
	StageNew      = "new"
	StageActive   = "active"
	StageAtRisk   = "at_risk"
	StageInactive = "inactive"
	StageLost     = "lost"
)

// Activity is the "enrich.activity" stage: lifecycle stage and RFM score from the
// activity attributes last_order_at, first_order_at (RFC 3339 or YYYY-MM-DD),
// orders_count and revenue (numbers, or strings holding numbers). A record without any
// of them is left alone, as is one with orders but no readable last_order_at; orders_count
// 0 makes a prospect. Unreadable values are ignored, not errors.
type Activity struct {
	l    rules.Lifecycle
	rfm  rules.RFM
	asOf time.Time // zero: time.Now at each record
}

// NewActivity builds the "enrich.activity" stage.
func NewActivity(r *rules.Rules) (pipeline.Stage, error) {
	a := &Activity{l: r.Enrich.Lifecycle, rfm: r.Enrich.RFM}
	if s := r.Enrich.Lifecycle.AsOf; s != "" {
		t, err := time.Parse(time.DateOnly, s)
		if err != nil {
			return nil, fmt.Errorf("enrich.lifecycle.as_of: %w", err)
		}
		a.asOf = t
	}
	return a, nil
}

// Name returns "enrich.activity".
func (*Activity) Name() string { return "enrich.activity" }

// Process sets Enrichment.Lifecycle, RFM and DaysSinceOrder.
func (a *Activity) Process(_ context.Context, r *contact.Record) error {
	now := a.asOf
	if now.IsZero() {
		now = time.Now()
	}
	lc, rfm, days, ok := a.Score(r.Attributes, now)
	if !ok {
		return nil
	}
	e := enrichment(r)
	e.Lifecycle, e.RFM, e.DaysSinceOrder = lc, rfm, days
	return nil
}

// Score computes the lifecycle stage and RFM score of activity attributes at now; ok is
// false when there are none.
func (a *Activity) Score(attrs map[string]any, now time.Time) (lifecycle, rfm string, days int, ok bool) {
	last, hasLast := attrTime(attrs["last_order_at"])
	first, hasFirst := attrTime(attrs["first_order_at"])
	orders, hasOrders := attrNumber(attrs["orders_count"])
	revenue, hasRevenue := attrNumber(attrs["revenue"])
	if !hasLast && !hasOrders && !hasRevenue && !hasFirst {
		return "", "", 0, false
	}
	if hasOrders && orders <= 0 {
		return StageProspect, "", 0, true
	}
	if !hasLast {
		return "", "", 0, false // orders without a readable date: unknown
	}
	days = max(0, int(now.Sub(last).Hours()/24))
	switch {
	case days > a.l.LostDays:
		lifecycle = StageLost
	case days > a.l.InactiveDays:
		lifecycle = StageInactive
	case days > a.l.AtRiskDays:
		lifecycle = StageAtRisk
	case hasFirst && int(now.Sub(first).Hours()/24) <= a.l.NewDays,
		!hasFirst && hasOrders && orders == 1 && days <= a.l.NewDays:
		lifecycle = StageNew
	default:
		lifecycle = StageActive
	}
	if !hasOrders {
		orders = 1 // a last order implies one
	}
	r := 1
	for i, d := range a.rfm.RecencyDays {
		if days <= d {
			r = 5 - i
			break
		}
	}
	m := 1 // no revenue known: the lowest monetary score
	if hasRevenue {
		m = up(revenue, a.rfm.Monetary)
	}
	rfm = strconv.Itoa(r) + strconv.Itoa(up(orders, a.rfm.Frequency)) + strconv.Itoa(m)
	return lifecycle, rfm, days, true
}

// up scores v against 4 ascending lower bounds: below the first 1, at least the last 5.
func up(v float64, bounds []float64) int {
	s := 1
	for i, b := range bounds {
		if v >= b {
			s = i + 2
		}
	}
	return s
}

func attrTime(v any) (time.Time, bool) {
	s, ok := v.(string)
	if !ok || s == "" {
		return time.Time{}, false
	}
	s = strings.TrimSpace(s)
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, true
	}
	if t, err := time.Parse(time.DateOnly, s); err == nil {
		return t, true
	}
	return time.Time{}, false
}

func attrNumber(v any) (float64, bool) {
	switch x := v.(type) {
	case float64:
		return x, true
	case int:
		return float64(x), true
	case int64:
		return float64(x), true
	case json.Number: // contact.Decode keeps JSON numbers of attributes as written
		f, err := x.Float64()
		return f, err == nil
	case string:
		f, err := strconv.ParseFloat(strings.ReplaceAll(strings.TrimSpace(x), ",", "."), 64)
		return f, err == nil
	}
	return 0, false
}
