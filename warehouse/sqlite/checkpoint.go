package sqlite

import (
	"context"
	"database/sql"
	"sync"
	"time"
)

// checkpointer copies the write-ahead log into the database file on a connection of its
// own, off the writer's path. With SQLite's automatic checkpoints alone the committing
// writer does the whole copy itself every 1 000 pages: against a warehouse of a million
// masters a resolve batch spent about a sixth of its time there (random writes into a
// file of several GB, and their fsync).
//
// Every interval it runs a PASSIVE checkpoint, which never blocks the writer. That alone
// does not bound the log: SQLite starts the log over only when a write transaction begins
// with every frame copied, and a busy writer leaves no such moment (a RESTART checkpoint
// from here would wait for one, and lose the race against a writer that begins again
// at once). So the writer keeps an automatic checkpoint, at checkpointLimit frames: it
// then copies only what the background left (the frames since its last pass) and the log
// starts over.
type checkpointer struct {
	db       *sql.DB
	interval time.Duration
	stop     chan struct{}
	done     chan struct{}
	once     sync.Once
}

// Checkpoint settings: a passive checkpoint every 100 ms; the writer's own past 8 192
// frames (32 MiB of 4 KiB pages). Variables for the tests.
var (
	checkpointInterval = 100 * time.Millisecond
	checkpointLimit    = 8192
)

func startCheckpointer(db *sql.DB, interval time.Duration) *checkpointer {
	c := &checkpointer{db: db, interval: interval, stop: make(chan struct{}), done: make(chan struct{})}
	go c.run()
	return c
}

func (c *checkpointer) run() {
	defer close(c.done)
	t := time.NewTicker(c.interval)
	defer t.Stop()
	for {
		select {
		case <-c.stop:
			return
		case <-t.C:
		}
		// An error is not fatal: a checkpoint that fails (the file is busy, the disk is
		// full) leaves the log as it is, the writer's automatic checkpoint still bounds
		// it, and the writer reports its own errors where they happen.
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		var busy, log, done int
		_ = c.db.QueryRowContext(ctx, "PRAGMA wal_checkpoint(PASSIVE)").Scan(&busy, &log, &done)
		cancel()
	}
}

// Close stops the checkpointer and closes its connection; the writer's close (the last
// connection) copies what is left and removes the log.
func (c *checkpointer) Close() error {
	c.once.Do(func() { close(c.stop) })
	<-c.done
	return c.db.Close()
}
