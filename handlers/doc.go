// Package handlers is the Watermill glue of the streaming pipeline: one handler per file
// (Normalize, Identify, Resolve, DeadLetters), the router and its middleware. A handler
// only decodes the message, runs stages or the resolver, writes through the Store and
// publishes; the logic lives in pipeline/... and resolve.
//
// The same router runs on Watermill's in-process GoChannel (embedded default) and on Kafka
// (pubsub/kafkago). A data problem (pipeline.ErrInvalidRecord) sends the message to the
// dead-letter topic and acks it; any other error is retried and then nacked.
package handlers
