package kafkago_test

import (
	"strings"
	"testing"
	"time"

	"github.com/steward-crm/steward/pubsub/kafkago"
)

func TestConfigValidateReportsEveryProblem(t *testing.T) {
	err := kafkago.SubscriberConfig{
		Brokers:           []string{"localhost:9092", " "},
		ConsumerGroup:     "steward",
		MaxWait:           -time.Second,
		HeartbeatInterval: 10 * time.Second,
		SessionTimeout:    6 * time.Second,
		ReadBackoffMin:    2 * time.Second,
		DrainTimeout:      time.Minute,
	}.Validate()
	if err == nil {
		t.Fatal("Validate accepted an invalid config")
	}
	for _, want := range []string{
		"Brokers[1] is empty",
		"MaxWait must not be negative",
		"HeartbeatInterval (10s) must be below SessionTimeout (6s)",
		"ReadBackoffMin (2s) must not exceed ReadBackoffMax (1s)",
		"DrainTimeout (1m0s) must be below RebalanceTimeout (30s)",
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %q", err, want)
		}
	}

	err = kafkago.PublisherConfig{BatchSize: -1}.Validate()
	for _, want := range []string{"Brokers must list at least one broker", "BatchSize must not be negative"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("publisher error %v lacks %q", err, want)
		}
	}
}

func TestConfigZeroValuesAreValidDefaults(t *testing.T) {
	brokers := []string{"localhost:9092"}
	if err := (kafkago.PublisherConfig{Brokers: brokers}).Validate(); err != nil {
		t.Errorf("publisher: %v", err)
	}
	if err := (kafkago.SubscriberConfig{Brokers: brokers, ConsumerGroup: "steward"}).Validate(); err != nil {
		t.Errorf("subscriber: %v", err)
	}
	if _, err := kafkago.NewPublisher(kafkago.PublisherConfig{}, nil); err == nil {
		t.Error("NewPublisher accepted a config without brokers")
	}
	if _, err := kafkago.NewSubscriber(kafkago.SubscriberConfig{}, nil); err == nil {
		t.Error("NewSubscriber accepted a config without brokers")
	}
}
