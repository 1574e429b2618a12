package engine

import (
	"sync/atomic"
	"time"
)

// Blocked clients (blocked.c, for streams).
//
// Design. A blocking command (XREAD, XREADGROUP with BLOCK) that finds
// nothing writes no reply and leaves a BlockRequest on its Client: the keys
// it waits for, its timeout and a retry function that re-runs the command
// with its arguments as resolved at block time ("$" already replaced by the
// then last ID). The server takes the request (TakeBlock) and registers it
// with Block, which files the waiter under each of its keys in FIFO order
// and arms a timer on the engine Clock. The server then releases the engine
// lock, flushes the replies the batch already has, and waits on the
// waiter's Done channel.
//
// Every change to a key goes through signal (Redis's signalModifiedKey),
// and also marks the key ready when somebody waits for it; XGROUP DESTROY
// marks it ready without signalling (signalKeyAsReady). Nothing is served
// mid-command: after each top-level command (and so after a whole EXEC or
// script) the server calls ServeReady, which re-runs the waiters of each
// ready key in blocking order, as Redis 7.2+ re-processes blocked commands.
// A retry that finds data writes its reply straight into the waiter's
// ReplyWriter (the waiter's goroutine is parked and the engine lock is
// held, so nobody else touches it) and completes the waiter; one that finds
// nothing leaves it blocked with its original deadline; one that fails
// (XREADGROUP whose key or group went away) completes it with the error.
// So XREADGROUP ">" waiters are served first come, first served, and the
// first takes the entries the others then do not see.
//
// The timer, CLIENT UNBLOCK and a disconnect complete the waiter the same
// way, under the lock; whatever completes it first unregisters it, so each
// waiter gets exactly one outcome. No goroutine waits while holding the lock.

// BlockRequest is a blocking command's wish to wait: for Keys of database
// DB to change, for up to Timeout (0: forever).
type BlockRequest struct {
	DB      int
	Keys    []string
	Timeout time.Duration
	retry   func(c *Client, w ReplyWriter) (bool, error)
}

// Outcome is how a wait ended.
type Outcome int

const (
	Served           Outcome = iota // the reply is written
	Failed                          // Err is the reply
	TimedOut                        // the timeout passed, or CLIENT UNBLOCK TIMEOUT
	UnblockedByError                // CLIENT UNBLOCK ERROR
	Abandoned                       // the client went away
)

// Waiter is one blocked command.
type Waiter struct {
	c     *Client
	req   *BlockRequest
	w     ReplyWriter
	done  chan struct{}
	out   Outcome
	err   error
	stop  func() bool
	alive bool // registered
}

type blockKey struct {
	db  int
	key string
}

// blockState is the registry: keys to their FIFO of waiters, the keys made
// ready by the current command, and the count INFO reports.
type blockState struct {
	waiters  map[blockKey][]*Waiter
	ready    []blockKey
	isReady  map[blockKey]bool
	nblocked atomic.Int64 // read without the lock by BlockedClients
}

// requestBlock records on c that its command found nothing and wants to
// wait (see the design above).
func (e *Engine) requestBlock(c *Client, keys []string, timeout time.Duration, retry func(c *Client, w ReplyWriter) (bool, error)) {
	c.block = &BlockRequest{DB: c.DB, Keys: keys, Timeout: timeout, retry: retry}
}

// TakeBlock returns and clears the block request the last command left on
// c, or nil. A command that leaves one has written no reply. e.mu held.
func (c *Client) TakeBlock() *BlockRequest {
	r := c.block
	c.block = nil
	return r
}

// Block registers a waiter for req, whose reply goes to w, and starts its
// timer. The caller releases the lock and waits on Done. e.mu held.
func (e *Engine) Block(c *Client, req *BlockRequest, w ReplyWriter) *Waiter {
	b := &e.blocked
	if b.waiters == nil {
		b.waiters = map[blockKey][]*Waiter{}
		b.isReady = map[blockKey]bool{}
	}
	wt := &Waiter{c: c, req: req, w: w, done: make(chan struct{}), alive: true}
	for _, k := range req.Keys {
		bk := blockKey{req.DB, k}
		b.waiters[bk] = append(b.waiters[bk], wt)
	}
	b.nblocked.Add(1)
	if req.Timeout > 0 {
		wt.stop = e.clock.AfterFunc(req.Timeout, func() {
			e.mu.Lock()
			e.finish(wt, TimedOut, nil)
			e.mu.Unlock()
		})
	}
	return wt
}

// Done is closed when the wait is over; Outcome and Err then say how.
func (wt *Waiter) Done() <-chan struct{} { return wt.done }

// Outcome is how the wait ended: valid once Done is closed.
func (wt *Waiter) Outcome() (Outcome, error) { return wt.out, wt.err }

// Unblock ends wt's wait with out (CLIENT UNBLOCK, a disconnect); false if
// it had already ended. e.mu held.
func (e *Engine) Unblock(wt *Waiter, out Outcome) bool {
	if !wt.alive {
		return false
	}
	e.finish(wt, out, nil)
	return true
}

// finish unregisters wt and wakes its goroutine. e.mu held.
func (e *Engine) finish(wt *Waiter, out Outcome, err error) {
	if !wt.alive {
		return
	}
	wt.alive = false
	b := &e.blocked
	for _, k := range wt.req.Keys {
		bk := blockKey{wt.req.DB, k}
		list := b.waiters[bk]
		for i, o := range list {
			if o == wt {
				list = append(list[:i:i], list[i+1:]...)
				break
			}
		}
		if len(list) == 0 {
			delete(b.waiters, bk)
		} else {
			b.waiters[bk] = list
		}
	}
	b.nblocked.Add(-1)
	if wt.stop != nil {
		wt.stop()
	}
	wt.out, wt.err = out, err
	close(wt.done)
}

// BlockedClients is the number of waiting commands: a waiter counts from
// Block until the command that serves it, its timeout or its unblocking
// has finished it (not until its goroutine wakes), as Redis's
// blocked_clients. Safe without the lock.
func (e *Engine) BlockedClients() int { return int(e.blocked.nblocked.Load()) }

// keyReady notes that waiters on key may now be served (signalKeyAsReady).
func (e *Engine) keyReady(dbi int, key string) {
	b := &e.blocked
	bk := blockKey{dbi, key}
	if len(b.waiters[bk]) == 0 || b.isReady[bk] {
		return
	}
	b.isReady[bk] = true
	b.ready = append(b.ready, bk)
}

// ServeReady re-runs, in blocking order, the waiters of every key made
// ready since the last call (handleClientsBlockedOnKeys). The server calls
// it after each top-level command. e.mu held.
func (e *Engine) ServeReady() {
	b := &e.blocked
	for len(b.ready) > 0 {
		bk := b.ready[0]
		b.ready = b.ready[1:]
		delete(b.isReady, bk)
		list := append([]*Waiter(nil), b.waiters[bk]...)
		for _, wt := range list {
			if !wt.alive {
				continue
			}
			served, err := wt.req.retry(wt.c, wt.w)
			switch {
			case err != nil:
				e.finish(wt, Failed, err)
			case served:
				e.finish(wt, Served, nil)
			}
		}
	}
	b.ready = b.ready[:0]
}

// BlockPending reports whether the command that just ran on c asked to
// block (its request not yet taken). e.mu held.
func (c *Client) BlockPending() bool { return c.block != nil }
