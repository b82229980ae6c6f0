package kafkago

import (
	"context"
	"errors"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/segmentio/kafka-go"
)

// leaveGroup makes sure memberID is out of the group once the ConsumerGroup is
// closed. kafka-go leaves on Close, except when Close catches it between a
// failed sync and the next join (RebalanceInProgress): then the member lingers
// and stalls the group's rebalances until its session times out. A member that
// already left is answered UnknownMemberID, which is fine.
func (s *subscription) leaveGroup(memberID string) {
	if memberID == "" {
		return
	}
	transport := &kafka.Transport{ClientID: s.cfg.ClientID}
	defer transport.CloseIdleConnections()
	client := &kafka.Client{Addr: kafka.TCP(s.cfg.Brokers...), Transport: transport}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()

	resp, err := client.LeaveGroup(ctx, &kafka.LeaveGroupRequest{
		GroupID: s.cfg.ConsumerGroup,
		Members: []kafka.LeaveGroupRequestMember{{ID: memberID}},
	})
	if err == nil {
		err = resp.Error
		for _, m := range resp.Members {
			err = errors.Join(err, m.Error)
		}
	}
	fields := watermill.LogFields{"member": memberID}
	switch {
	case err == nil:
		s.logger.Debug("Left consumer group after kafka-go did not", fields)
	case errors.Is(err, kafka.UnknownMemberId):
		// kafka-go had left already.
	default:
		s.logger.Info("Could not confirm leaving the consumer group; the broker will expire the member", fields.Add(watermill.LogFields{"reason": err.Error()}))
	}
}
