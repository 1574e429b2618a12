package engine

import (
	"fmt"
	"time"
)

// Direct helpers for the embedding API (redcurrent.Server's s.Get, s.Keys,
// ...). Each assumes e.mu is held (the root package locks, then calls), and
// runs the same code as the commands, so expiry and WATCH behave the same.
// A db outside 0..Databases()-1 panics.

// KeysIn returns the live keys of database db in insertion order. e.mu held.
func (e *Engine) KeysIn(db int) []string { return e.keysMatching(db, []byte{'*'}) }

// TypeOf returns the key's TYPE name, "none" when missing. e.mu held.
func (e *Engine) TypeOf(db int, key string) string { return e.typeOf(db, []byte(key)) }

// ExistsIn reports whether key is live in database db. e.mu held.
func (e *Engine) ExistsIn(db int, key string) bool { return e.lookup(db, []byte(key), false) != nil }

// GetString returns a copy of a string key's value; ok is false for a
// missing key, err is ErrWrongType for another type. e.mu held.
func (e *Engine) GetString(db int, key string) (val []byte, ok bool, err error) {
	_, s, err := e.readString(db, []byte(key), true)
	if err != nil || s == nil {
		return nil, false, err
	}
	return append([]byte{}, s.b...), true, nil
}

// SetString stores val under key as SET does, clearing any TTL. e.mu held.
func (e *Engine) SetString(db int, key string, val []byte) {
	e.setKeyString(db, []byte(key), val, 0, false)
}

// DelKey deletes key, reporting whether it existed. e.mu held.
func (e *Engine) DelKey(db int, key string) bool {
	return e.delKeys(db, [][]byte{[]byte(key)}) == 1
}

// TTLOf returns the key's remaining time to live: 0 and false when it has
// none or does not exist. e.mu held.
func (e *Engine) TTLOf(db int, key string) (time.Duration, bool) {
	ent := e.lookup(db, []byte(key), false)
	if ent == nil || ent.expire == 0 {
		return 0, false
	}
	return time.Duration(max(ent.expire-e.nowMs(), 0)) * time.Millisecond, true
}

// SetTTL sets a key's time to live (as PEXPIRE; d <= 0 deletes the key),
// reporting whether the key exists. e.mu held.
func (e *Engine) SetTTL(db int, key string, d time.Duration) bool {
	ent := e.lookup(db, []byte(key), true)
	if ent == nil {
		return false
	}
	when := e.nowMs() + d.Milliseconds()
	if d <= 0 {
		e.remove(db, ent)
		return true
	}
	e.dbs[db].setExpire(ent, when)
	e.signal(db, ent.key)
	return true
}

// KeyCount counts the live keys of database db, as DBSIZE does. (DBSize is
// the command's handler.) e.mu held.
func (e *Engine) KeyCount(db int) int { return e.dbSize(db) }

// FlushEverything empties every database, as FLUSHALL does. (FlushAll is
// the command's handler.) e.mu held.
func (e *Engine) FlushEverything() { e.flushAll() }

// FlushIndex empties database db, as FLUSHDB does. e.mu held.
func (e *Engine) FlushIndex(db int) { e.flushDB(db) }

// KeyspaceInfo returns INFO's keyspace section lines, one per non-empty
// database: "db0:keys=1,expires=0,avg_ttl=0". avg_ttl is the exact mean
// remaining TTL in milliseconds of the expiring keys (Redis reports a
// running estimate from its expiry sampling). e.mu held.
func (e *Engine) KeyspaceInfo() []string {
	var lines []string
	now := e.nowMs()
	for i, d := range e.dbs {
		e.purgeExpired(i, 0)
		if len(d.keys) == 0 {
			continue
		}
		var sum float64 // a float: far-future expiries would overflow int64
		d.expires.Scan(func(ent *entry) bool {
			sum += float64(ent.expire - now)
			return true
		})
		var avg int64
		if n := d.expires.Len(); n > 0 {
			avg = int64(sum / float64(n))
		}
		lines = append(lines, fmt.Sprintf("db%d:keys=%d,expires=%d,avg_ttl=%d", i, len(d.keys), d.expires.Len(), avg))
	}
	return lines
}
