// Package kafkago connects Watermill to Kafka through github.com/segmentio/kafka-go.
// It carries the CRM data pipeline's Kafka traffic: upstream systems stream
// contact records into a topic such as contacts.raw, and several `steward run`
// processes consume it as one consumer group, each handling a share of the
// partitions.
//
// Publisher implements message.Publisher. Publish is synchronous: it returns
// once all in-sync replicas hold the messages (acks=all). The KeyMetadata
// ("partition_key") metadata value becomes the Kafka key; records with one key
// (one contact) hash to one partition and keep their publish order. Batches are
// flushed after a few milliseconds, so single publishes are not held back by
// kafka-go's one-second default, and the messages of one Publish call travel
// together.
//
// Subscriber implements message.Subscriber with at-least-once delivery:
//
//   - By default each partition has at most one message in flight. The next
//     message of a partition is delivered only after the previous one is acked;
//     a nacked message is delivered again before anything behind it, so order
//     per key holds. Different partitions are delivered concurrently.
//   - With SubscriberConfig.PartitionConcurrency N > 1, up to N messages of a
//     partition are in flight at once, but a message waits for the previous
//     message with the same key: order per key still holds, order across keys
//     does not. Offsets are committed only up to the oldest message not acked.
//   - In a consumer group (SubscriberConfig.ConsumerGroup), offsets are
//     committed only after Ack, in batches every CommitInterval and when
//     partitions are revoked or the subscription stops. A crash therefore
//     redelivers up to CommitInterval of acked messages, and handlers must be
//     idempotent. A partition without a committed offset starts at its oldest
//     message.
//   - Without a consumer group every subscription reads every partition that
//     exists when it starts, from the oldest message, and commits nothing.
//   - A message that is always nacked blocks its partition: put a poison-queue
//     or retry-limit middleware in front of handlers that can fail permanently.
//   - Close, or canceling Subscribe's context, cancels the context of in-flight
//     messages, waits up to DrainTimeout for them to be acked or nacked,
//     commits, leaves the group and closes the channel.
//
// Received messages carry the Kafka headers as metadata plus TopicMetadata,
// PartitionMetadata, OffsetMetadata and, when the record has a key,
// KeyMetadata. The Watermill UUID travels in the UUIDHeader header.
//
// Contact records hold personal data: this package never logs payloads, keys
// or header values; its logs identify messages only by topic, partition,
// offset and UUID.
package kafkago
