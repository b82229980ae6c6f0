package kafkago

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/segmentio/kafka-go"
)

// waitForTopic returns the partition IDs of topic, retrying until the topic
// exists or ctx ends. kafka-go's metadata requests allow auto-creation, so a
// broker with auto.create.topics.enable creates the topic here.
func waitForTopic(ctx context.Context, cfg SubscriberConfig, topic string, logger watermill.LoggerAdapter) ([]int, error) {
	var partitions []int
	retry := backoff{min: cfg.ReadBackoffMin, max: cfg.ReadBackoffMax}
	attempt := 0
	err := retry.retry(ctx, func() (bool, error) {
		attempt++
		ps, err := readPartitions(ctx, cfg, topic)
		if err == nil && len(ps) == 0 {
			err = kafka.UnknownTopicOrPartition
		}
		if err != nil {
			if attempt == 1 {
				logger.Info("Waiting for topic", watermill.LogFields{"reason": err.Error()})
			} else {
				logger.Debug("Still waiting for topic", watermill.LogFields{"reason": err.Error()})
			}
			return true, err
		}
		partitions = ps
		return false, nil
	})
	if err != nil {
		return nil, fmt.Errorf("kafkago: wait for topic %q: %w", topic, err)
	}
	return partitions, nil
}

// readPartitions asks the brokers in turn for the partitions of topic.
func readPartitions(ctx context.Context, cfg SubscriberConfig, topic string) ([]int, error) {
	var errs []error
	for _, broker := range cfg.Brokers {
		ids, err := readPartitionsFrom(ctx, cfg, broker, topic)
		var kerr kafka.Error
		if err == nil || errors.As(err, &kerr) {
			return ids, err // a Kafka error code is the cluster's answer
		}
		errs = append(errs, err)
	}
	return nil, errors.Join(errs...)
}

func readPartitionsFrom(ctx context.Context, cfg SubscriberConfig, broker, topic string) ([]int, error) {
	conn, err := cfg.dialer().DialContext(ctx, "tcp", broker)
	if err != nil {
		return nil, fmt.Errorf("dial %s: %w", broker, err)
	}
	defer conn.Close()
	if err := conn.SetDeadline(time.Now().Add(10 * time.Second)); err != nil {
		return nil, fmt.Errorf("set deadline on %s: %w", broker, err)
	}
	ps, err := conn.ReadPartitions(topic)
	if err != nil {
		return nil, fmt.Errorf("read partitions of %q from %s: %w", topic, broker, err)
	}
	ids := make([]int, 0, len(ps))
	for _, p := range ps {
		if p.Topic == topic {
			ids = append(ids, p.ID)
		}
	}
	slices.Sort(ids)
	return ids, nil
}
