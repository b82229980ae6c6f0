package kafkago

import (
	"testing"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/segmentio/kafka-go"
)

func TestMarshalRoundTrip(t *testing.T) {
	msg := message.NewMessage("uuid-1", []byte(`{"email":"a@example.org"}`))
	msg.Metadata.Set("source", "crm-eu")
	msg.Metadata.Set(KeyMetadata, "contact-42")
	msg.Metadata.Set(OffsetMetadata, "99") // stale position of a forwarded message

	km := toKafka("contacts.raw", msg)
	if string(km.Key) != "contact-42" || km.Topic != "contacts.raw" {
		t.Fatalf("key %q topic %q", km.Key, km.Topic)
	}
	for _, h := range km.Headers {
		if h.Key == KeyMetadata || h.Key == OffsetMetadata {
			t.Errorf("header %q should not be published", h.Key)
		}
	}

	km.Partition, km.Offset = 3, 17
	got := fromKafka(km)
	want := message.Metadata{
		"source":          "crm-eu",
		KeyMetadata:       "contact-42",
		TopicMetadata:     "contacts.raw",
		PartitionMetadata: "3",
		OffsetMetadata:    "17",
	}
	if got.UUID != "uuid-1" || string(got.Payload) != string(msg.Payload) {
		t.Errorf("got %s %q", got.UUID, got.Payload)
	}
	if len(got.Metadata) != len(want) {
		t.Errorf("metadata %v, want %v", got.Metadata, want)
	}
	for k, v := range want {
		if got.Metadata.Get(k) != v {
			t.Errorf("metadata[%s] = %q, want %q", k, got.Metadata.Get(k), v)
		}
	}
}

func TestUnmarshalForeignRecord(t *testing.T) {
	got := fromKafka(kafka.Message{
		Topic: "contacts.raw", Partition: 1, Offset: 5, Value: []byte("x"),
		Headers: []kafka.Header{{Key: KeyMetadata, Value: []byte("spoofed")}},
	})
	if got.UUID != "contacts.raw/1/5" {
		t.Errorf("UUID = %q, want contacts.raw/1/5", got.UUID)
	}
	if _, ok := got.Metadata[KeyMetadata]; ok {
		t.Errorf("record without key has %s metadata %q", KeyMetadata, got.Metadata[KeyMetadata])
	}
}
