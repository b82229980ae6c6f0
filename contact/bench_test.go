package contact

import "testing"

// BenchmarkDecode decodes a typical record (person with company, address, two phones).
func BenchmarkDecode(b *testing.B) {
	line := []byte(`{"source":"crm","source_id":"CRM-000011","updated_at":"2025-09-20T02:55:06Z","op":"upsert","kind":"person","civility":"Mr","given_name":"George","family_name":"Woodstone","emails":["george.woodstone@lighthouseservices.co.uk"],"phones":["+44 161 774 0080","07700 900123"],"address":{"lines":["4 Victoria Street"],"postcode":"M13 8TB","city":"Manchester","country":"GB"},"company":{"name":"Lighthouse Services Ltd","vat":"GB470414371"},"attributes":{"entity_id":"E000016","orders_count":3}}`)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Decode(line); err != nil {
			b.Fatal(err)
		}
	}
}
