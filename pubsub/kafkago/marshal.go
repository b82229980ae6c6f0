package kafkago

import (
	"bytes"
	"fmt"
	"slices"
	"strconv"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/segmentio/kafka-go"
)

// KeyMetadata is the metadata key whose value Publish uses as the Kafka message
// key; messages sharing a key land on one partition and are consumed in publish
// order. An empty or missing value publishes without a key (partitions are then
// chosen round-robin). On received messages it holds the Kafka key, and is
// absent when the record had none.
const KeyMetadata = "partition_key"

// UUIDHeader is the Kafka header that carries the Watermill message UUID. The
// name matches watermill-kafka, so either adapter reads the other's messages.
const UUIDHeader = "_watermill_message_uuid"

// Metadata keys set on every received message. Publish does not copy them into
// headers, so forwarding a received message does not carry stale positions.
const (
	// TopicMetadata holds the topic a received message was read from.
	TopicMetadata = "kafka_topic"
	// PartitionMetadata holds the partition a received message was read from,
	// in decimal.
	PartitionMetadata = "kafka_partition"
	// OffsetMetadata holds the offset of a received message, in decimal.
	OffsetMetadata = "kafka_offset"
)

// toKafka converts msg for topic: UUID and metadata become headers (sorted by
// name), KeyMetadata becomes the key.
func toKafka(topic string, msg *message.Message) kafka.Message {
	km := kafka.Message{
		Topic:   topic,
		Value:   msg.Payload,
		Headers: make([]kafka.Header, 0, len(msg.Metadata)+1),
	}
	if key := msg.Metadata.Get(KeyMetadata); key != "" {
		km.Key = []byte(key)
	}
	km.Headers = append(km.Headers, kafka.Header{Key: UUIDHeader, Value: []byte(msg.UUID)})
	names := make([]string, 0, len(msg.Metadata))
	for name := range msg.Metadata {
		switch name {
		case KeyMetadata, TopicMetadata, PartitionMetadata, OffsetMetadata, UUIDHeader:
			continue
		}
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		km.Headers = append(km.Headers, kafka.Header{Key: name, Value: []byte(msg.Metadata[name])})
	}
	return km
}

// fromKafka converts a fetched record. A record without UUIDHeader (written by a
// non-Watermill producer) gets the stable UUID "topic/partition/offset", so
// redeliveries of it share one ID.
func fromKafka(km kafka.Message) *message.Message {
	md := make(message.Metadata, len(km.Headers)+4)
	uuid := ""
	for _, h := range km.Headers {
		if h.Key == UUIDHeader {
			uuid = string(h.Value)
			continue
		}
		md[h.Key] = string(h.Value)
	}
	if uuid == "" {
		uuid = fmt.Sprintf("%s/%d/%d", km.Topic, km.Partition, km.Offset)
	}
	md[TopicMetadata] = km.Topic
	md[PartitionMetadata] = strconv.Itoa(km.Partition)
	md[OffsetMetadata] = strconv.FormatInt(km.Offset, 10)
	delete(md, KeyMetadata)
	if km.Key != nil {
		md[KeyMetadata] = string(km.Key)
	}
	// A copy: each delivery of km gets the record as stored, whatever a handler
	// did to an earlier delivery's payload before nacking it.
	msg := message.NewMessage(uuid, bytes.Clone(km.Value))
	msg.Metadata = md
	return msg
}
