package kafkago

import (
	"context"
	"net"
	"sync"
)

// connSet tracks the connections of one partition reader so that stopping it
// can cut an idle fetch short: kafka-go's Reader.Close otherwise waits for the
// broker to answer the fetch, up to MaxWait. Closing a consumer's connection
// mid-fetch has no effect on the broker beyond ending the request.
type connSet struct {
	dialer *net.Dialer

	mu     sync.Mutex
	closed bool
	conns  map[net.Conn]struct{}
}

func newConnSet(dialer *net.Dialer) *connSet {
	return &connSet{dialer: dialer, conns: map[net.Conn]struct{}{}}
}

// dial is a kafka.Dialer DialFunc that records the connections it opens.
func (s *connSet) dial(ctx context.Context, network, address string) (net.Conn, error) {
	conn, err := s.dialer.DialContext(ctx, network, address)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		conn.Close()
		return nil, net.ErrClosed
	}
	s.conns[conn] = struct{}{}
	return &trackedConn{Conn: conn, set: s}, nil
}

// closeAll closes every open connection and refuses new ones.
func (s *connSet) closeAll() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.closed = true
	for conn := range s.conns {
		conn.Close()
	}
	clear(s.conns)
}

type trackedConn struct {
	net.Conn
	set *connSet
}

func (c *trackedConn) Close() error {
	c.set.mu.Lock()
	delete(c.set.conns, c.Conn)
	c.set.mu.Unlock()
	return c.Conn.Close()
}
