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
// database: "db0:keys=1,expires=0,avg_ttl=0,subexpiry=0". avg_ttl is the
// exact mean remaining TTL in milliseconds of the expiring keys (Redis
// reports a running estimate from its expiry sampling). subexpiry (7.4,
// redis/redis#13372) counts hashes with expiring fields: none here, as
// HEXPIRE is not served. e.mu held.
func (e *Engine) KeyspaceInfo() []string {
	var lines []string
	now := e.nowMs()
	for i, d := range e.dbs {
		// Keys past their TTL are left for expiry to delete and not counted.
		gone := d.expiredCount(now)
		if len(d.keys) == gone {
			continue
		}
		var sum float64 // a float: far-future expiries would overflow int64
		d.expires.Scan(func(ent *entry) bool {
			if !ent.expired(now) {
				sum += float64(ent.expire - now)
			}
			return true
		})
		var avg int64
		expires := d.expires.Len() - gone
		if expires > 0 {
			avg = int64(sum / float64(expires))
		}
		lines = append(lines, fmt.Sprintf("db%d:keys=%d,expires=%d,avg_ttl=%d,subexpiry=0", i, len(d.keys)-gone, expires, avg))
	}
	return lines
}

// AddStreamEntry appends an entry as XADD key id field value ... does, and
// returns its ID. id is "*", "ms-*" or "ms-seq"; fieldValues alternate
// field and value. The errors are XADD's (ErrXAddArity for an odd or empty
// list). Readers blocked on key are served when the caller then calls
// ServeReady, as the dispatcher does after a command. e.mu held.
func (e *Engine) AddStreamEntry(db int, key, id string, fieldValues []string) (StreamID, error) {
	if len(fieldValues) == 0 || len(fieldValues)%2 != 0 {
		return StreamID{}, ErrXAddArity
	}
	var given *StreamID
	seqGiven := true
	if id != "*" {
		gid, sg, err := parseXAddID([]byte(id))
		if err != nil {
			return StreamID{}, err
		}
		if sg && gid.IsZero() {
			return StreamID{}, ErrIDZero
		}
		given, seqGiven = &gid, sg
	}
	fv := make([][]byte, len(fieldValues))
	for i, f := range fieldValues {
		fv[i] = []byte(f)
	}
	newID, _, err := e.streamAdd(db, []byte(key), given, seqGiven, fv, false, trimArgs{})
	return newID, err
}

// RangeStream calls fn for each live entry of the stream at key, oldest
// first, as XRANGE key - + lists them. fieldValues alternate field and
// value and are valid only during the call. A missing key calls fn never;
// another type is ErrWrongType. e.mu held.
func (e *Engine) RangeStream(db int, key string, fn func(id StreamID, fieldValues [][]byte)) error {
	_, s, err := e.readStream(db, []byte(key))
	if err != nil || s == nil {
		return err
	}
	var fv [][]byte
	s.ascend(StreamID{}, MaxStreamID, func(n *streamNode, en *streamEntry) bool {
		fv = n.appendPairs(fv[:0], en)
		fn(en.id, fv)
		return true
	})
	return nil
}

// PendingInfo is one entry of a group's pending entries list, as the
// extended XPENDING form reports it.
type PendingInfo struct {
	ID         StreamID
	Consumer   string
	Idle       time.Duration // since the last delivery, by the engine clock
	Deliveries int64
}

// PendingEntries lists a group's pending entries in ID order, as XPENDING
// key group - + <all> does; a missing key or group is XPENDING's NOGROUP
// error. e.mu held.
func (e *Engine) PendingEntries(db int, key, group string) ([]PendingInfo, error) {
	c := &Client{DB: db}
	_, _, g, err := e.groupOf(c, []byte(key), []byte(group))
	if err != nil {
		return nil, err
	}
	now := e.now()
	out := make([]PendingInfo, 0, g.pel.Len())
	g.pel.ascend(StreamID{}, func(pe *pending) bool {
		out = append(out, PendingInfo{ID: pe.id, Consumer: pe.consumer.name, Idle: now.Sub(pe.delivered), Deliveries: pe.count})
		return true
	})
	return out, nil
}
