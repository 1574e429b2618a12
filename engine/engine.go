package engine

import (
	"math/rand/v2"
	"time"
)

// Options configures New. The zero value gives Redis's defaults.
type Options struct {
	// Databases is the number of logical databases (SELECT 0..n-1); 0 means 16.
	Databases int
	// Clock is the engine's only source of time; nil means RealClock.
	Clock Clock
	// Seed seeds RANDOMKEY's generator; 0 picks a random seed.
	Seed uint64
}

// Engine is the keyspace and the commands that operate on it. It does no I/O.
//
// Locking: one mutex (Lock/Unlock) guards everything reachable from an Engine.
// The dispatcher takes it once per top-level command; EXEC and EVAL hold it
// for their whole run. Every handler and every method documented "e.mu held"
// assumes the caller holds it and never locks it again.
type Engine struct {
	mu    engineLock
	clock Clock
	rnd   *rand.Rand

	dbs []*db
	// watched[i] maps a key of database index i to the clients WATCHing it.
	// It belongs to the index, not to the *db: SWAPDB swaps data, and a
	// client watching db 0 keeps watching whatever db 0 holds (as in Redis).
	watched []map[string][]*Client

	seq          uint64 // last insertion sequence handed out (SCAN order)
	hooks        []func(db int, key string)
	activeExpire bool // DEBUG SET-ACTIVE-EXPIRE
	fixedNow     int64
	fixedDepth   int
	noTouch      bool // SetNoTouch

	stats Stats
	// dirty counts changes since the last save (server.dirty,
	// rdb_changes_since_last_save): each command adds what Redis's does.
	dirty int64

	// streamNode holds stream-node-max-entries and stream-node-max-bytes.
	streamNode nodeLimits

	// blocked are the clients waiting in blocking commands (blocked.go).
	blocked blockState
}

// Stats are the engine's counters behind INFO stats.
type Stats struct {
	// ExpiredKeys counts keys deleted because their TTL passed, found
	// lazily on access or by active expiry (stat_expiredkeys).
	ExpiredKeys int64
}

// Stats returns the counters. e.mu held.
func (e *Engine) Stats() Stats { return e.stats }

// Dirty is the number of changes since the last save, as Redis's
// server.dirty counts them (rdb_changes_since_last_save). Nothing saves,
// so it only grows. e.mu held.
func (e *Engine) Dirty() int64 { return e.dirty }

// AddDirty counts n changes made outside the keyspace (FUNCTION LOAD,
// DELETE, FLUSH and RESTORE count one each, as functions.c's do). e.mu held.
func (e *Engine) AddDirty(n int64) { e.dirty += n }

// ResetStats zeroes the counters (CONFIG RESETSTAT). e.mu held.
func (e *Engine) ResetStats() { e.stats = Stats{} }

// New returns an empty engine.
func New(opts Options) *Engine {
	n := opts.Databases
	if n <= 0 {
		n = 16
	}
	clk := opts.Clock
	if clk == nil {
		clk = RealClock{}
	}
	seed := opts.Seed
	if seed == 0 {
		seed = rand.Uint64()
	}
	e := &Engine{
		mu:           make(engineLock, 1),
		clock:        clk,
		rnd:          rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)),
		dbs:          make([]*db, n),
		watched:      make([]map[string][]*Client, n),
		activeExpire: true,
		streamNode:   nodeLimits{maxEntries: 100, maxBytes: 4096},
	}
	for i := range e.dbs {
		e.dbs[i] = newDB()
		e.watched[i] = map[string][]*Client{}
	}
	return e
}

// Lock takes the engine mutex. The dispatcher calls it once per top-level
// command (EXEC and EVAL once for their whole run).
func (e *Engine) Lock() { e.mu.Lock() }

// Unlock releases the engine mutex.
func (e *Engine) Unlock() { e.mu.Unlock() }

// LockOr takes the engine mutex, unless abort is closed first: then it
// returns false without the mutex. A nil abort waits like Lock. The
// dispatcher waits this way so that a client queued behind a long script
// can be answered BUSY instead of waiting for the script to end.
func (e *Engine) LockOr(abort <-chan struct{}) bool {
	select {
	case e.mu <- struct{}{}:
		return true
	default:
	}
	select {
	case e.mu <- struct{}{}:
		return true
	case <-abort:
		return false
	}
}

// engineLock is the engine mutex as a one-slot channel: unlike sync.Mutex,
// a waiter can give up (LockOr).
type engineLock chan struct{}

func (l engineLock) Lock()   { l <- struct{}{} }
func (l engineLock) Unlock() { <-l }

// Clock returns the engine's clock. Safe without the lock.
func (e *Engine) Clock() Clock { return e.clock }

// Databases is the number of databases. Safe without the lock.
func (e *Engine) Databases() int { return len(e.dbs) }

// OnKeyChange registers f to be called, with e.mu held, after every change
// to a key: write, delete, expiry, rename (both names), move (both
// databases), copy, and for flush and SWAPDB once per key that existed. This
// is Redis's signalModifiedKey; WATCH is served by the same path. f must not
// call back into the engine's locking methods.
func (e *Engine) OnKeyChange(f func(db int, key string)) {
	e.mu.Lock()
	e.hooks = append(e.hooks, f)
	e.mu.Unlock()
}

// SetActiveExpire turns ActiveExpireCycle on or off (DEBUG SET-ACTIVE-EXPIRE).
// Lazy expiry is unaffected: an expired key is never visible. e.mu held.
func (e *Engine) SetActiveExpire(on bool) { e.activeExpire = on }

// SetNoTouch says whether the commands that follow run for a client in
// CLIENT NO-TOUCH mode (the flag of Redis's current_client, which a script's
// calls inherit from the caller): their key lookups leave access times
// alone, except TOUCH's. It returns the previous setting. e.mu held.
func (e *Engine) SetNoTouch(on bool) (prev bool) {
	prev, e.noTouch = e.noTouch, on
	return prev
}

// FixTime freezes the engine's notion of "now" until the matching
// ReleaseTime, so that keys cannot expire in the middle of EXEC or a script
// (Redis's fixed_time_expire / script time snapshot). Calls nest. e.mu held.
func (e *Engine) FixTime() {
	if e.fixedDepth == 0 {
		e.fixedNow = e.clock.Now().UnixMilli()
	}
	e.fixedDepth++
}

// ReleaseTime undoes one FixTime. e.mu held.
func (e *Engine) ReleaseTime() {
	if e.fixedDepth > 0 {
		e.fixedDepth--
	}
}

// nowMs is the current time in unix milliseconds. e.mu held.
func (e *Engine) nowMs() int64 {
	if e.fixedDepth > 0 {
		return e.fixedNow
	}
	return e.clock.Now().UnixMilli()
}

// validDB reports whether i names a database.
func (e *Engine) validDB(i int64) bool { return i >= 0 && i < int64(len(e.dbs)) }

func msToTime(ms int64) time.Time { return time.UnixMilli(ms) }

// SetStreamNodeMaxEntries sets stream-node-max-entries: a stream node takes
// at most n entries, live or deleted (0: no limit). It applies to nodes
// written from now on, as in Redis. e.mu held.
func (e *Engine) SetStreamNodeMaxEntries(n int64) { e.streamNode.maxEntries = n }

// SetStreamNodeMaxBytes sets stream-node-max-bytes: a stream node closes
// before Redis's listpack for it would reach n bytes (0: 1 GiB). e.mu held.
func (e *Engine) SetStreamNodeMaxBytes(n int64) { e.streamNode.maxBytes = n }
