// Package enrich derives attributes from normalized records. Results live on
// contact.Normalized: Quality (enrich.quality), and Enrichment (the others):
//
//   - enrich.phone: time zones, type and region of the first usable phone;
//   - enrich.email: class of the first usable e-mail;
//   - enrich.geo: country, and for France département and région from the postcode
//     (table rules/default/enrich/regions_fr.yaml);
//   - enrich.activity: lifecycle stage and RFM score from the activity attributes
//     last_order_at, first_order_at, orders_count and revenue, thresholds in the
//     rules' enrich section.
//
// It is pure: no I/O. Stages are safe for concurrent use.
package enrich
