package engine

import (
	"slices"
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
// Not every change wakes a waiter: only those Redis marks with
// signalKeyAsReady or signalDeletedKeyAsReady (see readyKey and
// readyDeleted for the list). Modifying a stream otherwise (XTRIM, XDEL,
// XGROUP SETID, XSETID, XACK, XCLAIM ...) leaves its readers blocked even
// if they could now read something. Nothing is served mid-command: after
// each top-level command (and so after a whole EXEC or script) the server
// calls ServeReady, which re-runs the waiters of each ready key in blocking
// order, as Redis 7.2+ re-processes blocked commands
// (handleClientsBlockedOnKey): an XREAD only while the key holds a stream,
// an XREADGROUP always (unblock_on_nokey). A retry that finds data writes
// its reply straight into the waiter's ReplyWriter (the waiter's goroutine
// is parked and the engine lock is held, so nobody else touches it) and
// completes the waiter; one that fails (a key of the wrong type, for
// XREADGROUP a key or group gone) completes it with the error; one that
// finds nothing blocks again with its original deadline, and so goes to the
// back of the queue of each of its keys, as blockForKeys appends a client
// that re-blocks. So XREADGROUP ">" waiters are served first come, first
// served, and the first takes the entries the others then do not see.
//
// The timer, CLIENT UNBLOCK and a disconnect complete the waiter the same
// way, under the lock; whatever completes it first unregisters it, so each
// waiter gets exactly one outcome. No goroutine waits while holding the lock.

// BlockRequest is a blocking command's wish to wait: for Keys of database
// DB to change, for up to Timeout (0: forever).
type BlockRequest struct {
	DB      int
	Keys    []string // each once, in the command's order
	Timeout time.Duration
	// nokey: re-run also when a key is deleted or changes type, as
	// XREADGROUP is (blockForKeys' unblock_on_nokey).
	nokey bool
	retry func(c *Client, w ReplyWriter) (bool, error)
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
// wait (see the design above). A key named twice is waited for once.
func (e *Engine) requestBlock(c *Client, keys []string, timeout time.Duration, nokey bool, retry func(c *Client, w ReplyWriter) (bool, error)) {
	var uniq []string
	for _, k := range keys {
		if !slices.Contains(uniq, k) {
			uniq = append(uniq, k)
		}
	}
	c.block = &BlockRequest{DB: c.DB, Keys: uniq, Timeout: timeout, nokey: nokey, retry: retry}
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
	e.unlist(wt)
	e.blocked.nblocked.Add(-1)
	if wt.stop != nil {
		wt.stop()
	}
	wt.out, wt.err = out, err
	close(wt.done)
}

// unlist takes wt off the queue of each of its keys.
func (e *Engine) unlist(wt *Waiter) {
	b := &e.blocked
	for _, k := range wt.req.Keys {
		bk := blockKey{wt.req.DB, k}
		list := b.waiters[bk]
		if i := slices.Index(list, wt); i >= 0 {
			list = slices.Delete(list, i, i+1)
		}
		if len(list) == 0 {
			delete(b.waiters, bk)
		} else {
			b.waiters[bk] = list
		}
	}
}

// BlockedClients is the number of waiting commands: a waiter counts from
// Block until the command that serves it, its timeout or its unblocking
// has finished it (not until its goroutine wakes), as Redis's
// blocked_clients. Safe without the lock.
func (e *Engine) BlockedClients() int { return int(e.blocked.nblocked.Load()) }

// readyKey is signalKeyAsReady: key of database dbi now holds v, so its
// waiters are re-run after the command, if v is a stream. Redis calls it
// when a key is created (dbAdd: XADD, XGROUP CREATE MKSTREAM, RENAME, MOVE,
// COPY), for XADD and XGROUP DESTROY, and for every blocked-on key that
// SWAPDB brings in (scanDatabaseForReadyKeys).
func (e *Engine) readyKey(dbi int, key string, v Value) {
	if _, ok := v.(*Stream); ok {
		e.markReady(blockKey{dbi, key}, false)
	}
}

// readyDeleted is signalDeletedKeyAsReady: key of database dbi no longer
// holds old (deleted, expired, overwritten, renamed or moved away, flushed,
// swapped out for something else). Only waiters that want to hear about
// that (XREADGROUP's) make the key ready, and only if old was a stream.
func (e *Engine) readyDeleted(dbi int, key string, old Value) {
	if _, ok := old.(*Stream); ok {
		e.markReady(blockKey{dbi, key}, true)
	}
}

// markReady queues bk for ServeReady once, if anyone waits for it (for a
// deletion: anyone with nokey).
func (e *Engine) markReady(bk blockKey, deleted bool) {
	b := &e.blocked
	list := b.waiters[bk]
	if len(list) == 0 || b.isReady[bk] {
		return
	}
	if deleted && !slices.ContainsFunc(list, func(wt *Waiter) bool { return wt.req.nokey }) {
		return
	}
	b.isReady[bk] = true
	b.ready = append(b.ready, bk)
}

// holdsStream reports whether bk holds a live stream, looked at without
// side effects (LOOKUP_NOEFFECTS: an expired key is absent but stays).
func (e *Engine) holdsStream(bk blockKey) bool {
	ent := e.dbs[bk.db].keys[bk.key]
	if ent == nil || ent.expired(e.nowMs()) {
		return false
	}
	_, ok := ent.val.(*Stream)
	return ok
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
		// Only those waiting now: a waiter that blocks again goes to the
		// back and is not re-run for this key again.
		list := slices.Clone(b.waiters[bk])
		for _, wt := range list {
			if !wt.alive || !wt.req.nokey && !e.holdsStream(bk) {
				continue
			}
			served, err := wt.req.retry(wt.c, wt.w)
			switch {
			case err != nil:
				e.finish(wt, Failed, err)
			case served:
				e.finish(wt, Served, nil)
			default:
				e.requeue(wt)
			}
		}
	}
	b.ready = b.ready[:0]
}

// requeue moves wt to the back of the queue of each of its keys: the
// re-run command blocked again (blockForKeys appends it).
func (e *Engine) requeue(wt *Waiter) {
	e.unlist(wt)
	b := &e.blocked
	for _, k := range wt.req.Keys {
		bk := blockKey{wt.req.DB, k}
		b.waiters[bk] = append(b.waiters[bk], wt)
	}
}

// BlockPending reports whether the command that just ran on c asked to
// block (its request not yet taken). e.mu held.
func (c *Client) BlockPending() bool { return c.block != nil }

// blockedKeys lists, sorted, the keys of database dbi somebody waits for
// (Redis walks db->blocking_keys in its hash order; any fixed order will do).
func (e *Engine) blockedKeys(dbi int) []string {
	var keys []string
	for bk := range e.blocked.waiters {
		if bk.db == dbi {
			keys = append(keys, bk.key)
		}
	}
	slices.Sort(keys)
	return keys
}

// readyDeletedIn is scanDatabaseForDeletedKeys: database dbi held old and
// now holds repl (nil: flushed); each waited-for key whose stream is gone
// or replaced by another type is signalled as deleted.
func (e *Engine) readyDeletedIn(dbi int, old, repl *db) {
	for _, key := range e.blockedKeys(dbi) {
		was := old.keys[key]
		if was == nil {
			continue
		}
		if repl != nil {
			if now := repl.keys[key]; now != nil {
				if _, ok := now.val.(*Stream); ok {
					continue // same type: not a deletion
				}
			}
		}
		e.readyDeleted(dbi, key, was.val)
	}
}

// readyIn is scanDatabaseForReadyKeys: after SWAPDB, each waited-for key
// that database dbi now holds is signalled as ready.
func (e *Engine) readyIn(dbi int) {
	d := e.dbs[dbi]
	for _, key := range e.blockedKeys(dbi) {
		if ent := d.keys[key]; ent != nil {
			e.readyKey(dbi, key, ent.val)
		}
	}
}
