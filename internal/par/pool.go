package par

import (
	"runtime"
	"sync"
)

// Pool runs calls on a few long-lived goroutines. Watermill's router handles each
// message on a goroutine of its own, which starts with a small stack: a record's
// normalization (phone parsing, the middleware's frames below it) grew it three or four
// times, and each growth copies the stack and walks its frames (4 % of a Kafka stream's
// CPU, 7 µs a record). A pool goroutine grows once and keeps its stack.
//
// Calls are for CPU work that does not wait on anything a caller of the pool holds:
// the pool has a fixed number of goroutines, and a call that blocks holds one.
type Pool struct {
	once  sync.Once
	size  int
	calls chan *poolCall
}

type poolCall struct {
	fn       func()
	done     chan struct{}
	panicked any
}

// Stacks is the pool of the stages a message's goroutine runs before it waits for its
// batch (normalize, identify, the blocking keys): CPU work and the registry's short
// reads, hence more goroutines than cores.
var Stacks = NewPool(4 * runtime.GOMAXPROCS(0))

var poolCalls = sync.Pool{New: func() any { return &poolCall{done: make(chan struct{}, 1)} }}

// NewPool returns a pool of size goroutines (GOMAXPROCS when size <= 0), started at
// its first call. They live as long as the process.
func NewPool(size int) *Pool {
	if size <= 0 {
		size = runtime.GOMAXPROCS(0)
	}
	return &Pool{size: size}
}

// Do runs fn on one of the pool's goroutines and returns when it has returned. A panic
// in fn is raised again on the caller's goroutine as a *Panic that keeps the stack
// where it happened, as For does.
func (p *Pool) Do(fn func()) {
	p.once.Do(func() {
		p.calls = make(chan *poolCall)
		for range p.size {
			go poolWorker(p.calls)
		}
	})
	c := poolCalls.Get().(*poolCall)
	c.fn = fn
	p.calls <- c
	<-c.done
	v := c.panicked
	c.fn, c.panicked = nil, nil
	poolCalls.Put(c)
	if v != nil {
		panic(v)
	}
}

func poolWorker(calls <-chan *poolCall) {
	for c := range calls {
		runCall(c)
	}
}

// runCall runs one call, recovering its panic into it.
func runCall(c *poolCall) {
	defer func() {
		if v := recover(); v != nil {
			c.panicked = newPanic(v)
		}
		c.done <- struct{}{}
	}()
	c.fn()
}
