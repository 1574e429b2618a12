package engine

import (
	"fmt"
	"strconv"
)

// This file is the only code that changes which keys exist. Every change
// ends in signal, Redis's signalModifiedKey: WATCH and the OnKeyChange hooks
// see writes, deletes, expiries, renames, moves, copies, flushes and SWAPDB
// alike. Blocked readers hear only of keys created (readyKey) and streams
// removed (readyDeleted), as in db.c; stream commands add their own
// (blocked.go). Every function here assumes e.mu is held.

// signal reports that key in database dbi changed.
func (e *Engine) signal(dbi int, key string) {
	e.touchWatched(dbi, key)
	for _, f := range e.hooks {
		f(dbi, key)
	}
}

// lookup finds key in database dbi, deleting it first if it has expired
// (expireIfNeeded in db.c), so an expired key is never seen. touch updates
// the access time read by OBJECT IDLETIME, as lookupKey does unless called
// with LOOKUP_NOTOUCH or for a CLIENT NO-TOUCH client (SetNoTouch).
func (e *Engine) lookup(dbi int, key []byte, touch bool) *entry {
	d := e.dbs[dbi]
	ent := d.keys[string(key)]
	if ent == nil {
		return nil
	}
	if ent.expire != 0 || touch {
		now := e.nowMs()
		if ent.expired(now) {
			e.expireEntry(dbi, ent)
			return nil
		}
		if touch && !e.noTouch {
			ent.access = now
		}
	}
	return ent
}

// expireEntry deletes an expired entry (deleteExpiredKeyAndPropagate).
func (e *Engine) expireEntry(dbi int, ent *entry) {
	e.stats.ExpiredKeys++
	e.dbs[dbi].remove(ent)
	e.readyDeleted(dbi, ent.key, ent.val)
	e.signal(dbi, ent.key)
}

// add creates key (which must be absent) holding v (dbAdd).
func (e *Engine) add(dbi int, key string, v Value) *entry {
	e.seq++
	ent := &entry{key: key, seq: e.seq, access: e.nowMs()}
	ent.val = v
	e.dbs[dbi].insert(ent)
	e.readyKey(dbi, key, v)
	return ent
}

// addString creates key (which must be absent) holding a copy of v.
func (e *Engine) addString(dbi int, key string, v []byte) *entry {
	e.seq++
	ent := &entry{key: key, seq: e.seq, access: e.nowMs()}
	ent.str.setEncoded(v)
	ent.val = &ent.str
	e.dbs[dbi].insert(ent)
	return ent
}

// setString makes ent, of database dbi, hold a copy of v, a freshly
// written value, keeping its seq (dbOverwrite keeps the key's slot). The
// expiry is the caller's.
func (e *Engine) setString(dbi int, ent *entry, v []byte, now int64) {
	if ent.val != Value(&ent.str) {
		e.readyDeleted(dbi, ent.key, ent.val) // dbSetValue's overwrite
		ent.str = String{}
		ent.val = &ent.str
	}
	ent.str.setEncoded(v)
	ent.access = now
}

// remove deletes ent from database dbi and signals it.
func (e *Engine) remove(dbi int, ent *entry) {
	e.unlink(dbi, ent)
	e.signal(dbi, ent.key)
}

// unlink deletes ent from database dbi without signalling it, for a caller
// that writes the key again and signals then (dbDelete before dbAdd).
func (e *Engine) unlink(dbi int, ent *entry) {
	e.dbs[dbi].remove(ent)
	e.readyDeleted(dbi, ent.key, ent.val)
}

// setKey stores v under key with expiry when (0 for none), creating or
// overwriting it, and signals (setKey in db.c). It returns the entry.
func (e *Engine) setKeyString(dbi int, key []byte, v []byte, when int64, keepTTL bool) *entry {
	ent := e.lookup(dbi, key, false)
	if ent == nil {
		ent = e.addString(dbi, string(key), v)
	} else {
		e.setString(dbi, ent, v, e.nowMs())
		if !keepTTL {
			e.dbs[dbi].setExpire(ent, 0)
		}
	}
	if when != 0 {
		e.dbs[dbi].setExpire(ent, when)
	}
	e.signal(dbi, ent.key)
	return ent
}

// purgeExpired deletes every expired key of database dbi, or at most limit
// of them when limit > 0, and reports how many it deleted.
func (e *Engine) purgeExpired(dbi int, limit int) int {
	d := e.dbs[dbi]
	now := e.nowMs()
	n := 0
	for limit <= 0 || n < limit {
		ent, ok := d.expires.Min()
		if !ok || !ent.expired(now) {
			break
		}
		e.expireEntry(dbi, ent)
		n++
	}
	return n
}

// activeExpireBudget bounds the keys one ActiveExpireCycle deletes per
// database, so that a mass expiry cannot hold the lock for long.
const activeExpireBudget = 1000

// ActiveExpireCycle deletes expired keys that nobody has touched (Redis's
// activeExpireCycle), up to a fixed budget per database, and reports how
// many it deleted. The server calls it periodically; it does nothing while
// active expiry is switched off (SetActiveExpire). e.mu held.
func (e *Engine) ActiveExpireCycle() int {
	if !e.activeExpire {
		return 0
	}
	n := 0
	for i := range e.dbs {
		n += e.purgeExpired(i, activeExpireBudget)
	}
	return n
}

// renameEntry moves ent to newKey in database dst (which must not hold
// newKey), keeping value, expiry and access time but taking a new seq: to
// SCAN it is a new key, as dbAdd makes it in Redis. It signals both names;
// blocked readers hear of the new name first, then of the old one's
// deletion (renameGenericCommand and moveCommand: dbAdd, then dbDelete).
func (e *Engine) renameEntry(src int, ent *entry, dst int, newKey string) *entry {
	e.dbs[src].remove(ent)
	e.seq++
	ne := &entry{key: newKey, seq: e.seq, expire: ent.expire, access: ent.access}
	if ent.val == Value(&ent.str) {
		ne.str = ent.str
		ne.val = &ne.str
	} else {
		ne.val = ent.val
	}
	e.dbs[dst].insert(ne)
	e.readyKey(dst, newKey, ne.val)
	e.readyDeleted(src, ent.key, ent.val)
	e.signal(src, ent.key)
	e.signal(dst, newKey)
	return ne
}

// signalDB reports a flush or SWAPDB of database index dbi, whose old
// contents were old and whose new contents are repl (nil for a flush).
// Watchers of a key that existed in either are dirtied
// (touchAllWatchedKeysInDb); hooks hear about every such key. Blocked
// readers are the caller's (readyDeletedIn, readyIn).
func (e *Engine) signalDB(dbi int, old, repl *db) {
	if len(e.hooks) == 0 {
		in := func(key string) bool { return old.keys[key] != nil || (repl != nil && repl.keys[key] != nil) }
		for key, clients := range e.watched[dbi] {
			if in(key) {
				for _, c := range clients {
					c.dirty = true
				}
			}
		}
		return
	}
	for key := range old.keys {
		e.signal(dbi, key)
	}
	if repl != nil {
		for key := range repl.keys {
			if old.keys[key] == nil {
				e.signal(dbi, key)
			}
		}
	}
}

// flushDB empties database dbi. An XREADGROUP blocked on one of its
// streams is re-run, to fail (signalFlushedDb: scanDatabaseForDeletedKeys).
func (e *Engine) flushDB(dbi int) {
	old := e.dbs[dbi]
	e.dirty += int64(len(old.keys)) // emptyData's count
	e.readyDeletedIn(dbi, old, nil)
	e.dbs[dbi] = newDB()
	e.signalDB(dbi, old, nil)
}

// swapDB exchanges the contents of databases i and j. Expired keys are
// purged first, so that an expired key never becomes visible to a watcher
// as an existing one (touchAllWatchedKeysInDb's expired cases). Blocked
// readers stay in their database (dbSwapDatabases): an XREADGROUP whose
// stream is swapped out for none or another type is re-run to fail, then
// every reader whose key now holds a stream is re-run.
func (e *Engine) swapDB(i, j int) {
	e.purgeExpired(i, 0)
	e.purgeExpired(j, 0)
	if i == j {
		return
	}
	a, b := e.dbs[i], e.dbs[j]
	e.readyDeletedIn(i, a, b)
	e.readyDeletedIn(j, b, a)
	e.dbs[i], e.dbs[j] = b, a
	e.readyIn(i)
	e.readyIn(j)
	e.signalDB(i, a, b)
	e.signalDB(j, b, a)
}

// scan visits up to count keys of database dbi with seq >= cursor, in seq
// order, calling fn for each live one whose name matches pattern (nil: all),
// and returns the cursor of the next call (0 when the iteration is over).
// As Redis's scanCallback, the pattern is checked before expiry, so only
// matching keys are expired lazily (the order 8.2 changed and
// redis/redis#14537 restored).
//
// The cursor is the seq of the next key to visit. A key keeps its seq for
// as long as it exists and new keys get higher seqs, so a key present from
// the first call to the last is returned exactly once, whatever is added or
// deleted meanwhile. Each call advances the cursor past the keys it
// visited, so an iteration ends once it has passed every key that existed
// when it started (keys added meanwhile may or may not be returned, as in
// Redis).
func (e *Engine) scan(dbi int, cursor uint64, count int, pattern []byte, fn func(ent *entry)) uint64 {
	d := e.dbs[dbi]
	if cursor == 0 {
		cursor = 1
	}
	var next uint64
	batch := make([]*entry, 0, min(count, 1024))
	d.byseq.Ascend(&entry{seq: cursor}, func(ent *entry) bool {
		if len(batch) == count {
			next = ent.seq
			return false
		}
		batch = append(batch, ent)
		return true
	})
	now := e.nowMs()
	for _, ent := range batch {
		if pattern != nil && !GlobMatch(pattern, []byte(ent.key), false) {
			continue
		}
		if ent.expired(now) {
			e.expireEntry(dbi, ent)
			continue
		}
		fn(ent)
	}
	return next
}

// randomKey returns a uniformly chosen live key of database dbi, or nil.
func (e *Engine) randomKey(dbi int) *entry {
	e.purgeExpired(dbi, 0)
	d := e.dbs[dbi]
	if d.byseq.Len() == 0 {
		return nil
	}
	ent, _ := d.byseq.GetAt(e.rnd.IntN(d.byseq.Len()))
	return ent
}

// dbSize counts the live keys of database dbi. It deletes nothing: DBSIZE
// and INFO have no side effects in Redis (no expired_keys, no wake-ups).
func (e *Engine) dbSize(dbi int) int {
	d := e.dbs[dbi]
	return len(d.keys) - d.expiredCount(e.nowMs())
}

// check verifies the keyspace invariants: the map and both indexes agree,
// seqs are unique and below e.seq, every expiring key is in the expires
// index and no other, and watch lists mirror the clients' own. Tests call it
// after every step. e.mu held.
func (e *Engine) check() error {
	seen := map[uint64]bool{}
	for i, d := range e.dbs {
		if d.byseq.Len() != len(d.keys) {
			return fmt.Errorf("db %d: %d keys but %d in seq index", i, len(d.keys), d.byseq.Len())
		}
		nexp := 0
		for k, ent := range d.keys {
			if ent.key != k {
				return fmt.Errorf("db %d: key %q stored under %q", i, ent.key, k)
			}
			if ent.seq == 0 || ent.seq > e.seq || seen[ent.seq] {
				return fmt.Errorf("db %d: key %q has bad seq %d", i, k, ent.seq)
			}
			seen[ent.seq] = true
			if got, ok := d.byseq.Get(ent); !ok || got != ent {
				return fmt.Errorf("db %d: key %q missing from seq index", i, k)
			}
			if ent.val == nil {
				return fmt.Errorf("db %d: key %q has no value", i, k)
			}
			if s, ok := ent.val.(*String); ok {
				enc, shared := tryEncoding(s.b)
				if s.enc == encInt && enc != encInt {
					return fmt.Errorf("db %d: key %q int-encoded but holds %q", i, k, s.b)
				}
				if s.shared && !shared {
					return fmt.Errorf("db %d: key %q shared but holds %q", i, k, s.b)
				}
			}
			if st, ok := ent.val.(*Stream); ok {
				if err := st.check(); err != nil {
					return fmt.Errorf("db %d: stream %q: %v", i, k, err)
				}
			}
			if ent.expire != 0 {
				nexp++
				if got, ok := d.expires.Get(ent); !ok || got != ent {
					return fmt.Errorf("db %d: key %q expires at %d but is not indexed", i, k, ent.expire)
				}
			}
		}
		if d.expires.Len() != nexp {
			return fmt.Errorf("db %d: %d expiring keys but %d indexed", i, nexp, d.expires.Len())
		}
		var prev uint64
		bad := false
		d.byseq.Scan(func(ent *entry) bool {
			if ent.seq <= prev || d.keys[ent.key] != ent {
				bad = true
				return false
			}
			prev = ent.seq
			return true
		})
		if bad {
			return fmt.Errorf("db %d: seq index out of order or stale", i)
		}
	}
	for i, m := range e.watched {
		for key, clients := range m {
			if len(clients) == 0 {
				return fmt.Errorf("db %d: empty watch list for %q", i, key)
			}
			for _, c := range clients {
				if !c.watching(i, key) {
					return fmt.Errorf("db %d: client %d listed for %q but not watching it", i, c.ID, key)
				}
			}
		}
	}
	return nil
}

// formatInt is strconv.AppendInt into a small stack buffer's worth.
func formatInt(n int64) []byte { return strconv.AppendInt(make([]byte, 0, 20), n, 10) }
