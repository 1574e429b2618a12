package redcurrent

import (
	"fmt"
	"sort"
	"time"

	"github.com/redcurrent/redcurrent/engine"
)

// The helpers below set up and inspect state without a client. Each takes the
// engine lock and calls the engine code the commands use, on the database
// chosen with Select (0 at start). Expired keys are invisible to them, as to
// commands.

// Select chooses the database the helpers act on. It panics on an index
// outside the configured databases, a programming error in the test.
func (s *Server) Select(db int) {
	if db < 0 || db >= s.eng.Databases() {
		panic(fmt.Sprintf("redcurrent: Select(%d): databases are 0 to %d", db, s.eng.Databases()-1))
	}
	s.mu.Lock()
	s.db = db
	s.mu.Unlock()
}

func (s *Server) selected() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.db
}

// Keys lists the keys of the selected database, sorted.
func (s *Server) Keys() []string {
	db := s.selected()
	s.eng.Lock()
	keys := s.eng.KeysIn(db)
	s.eng.Unlock()
	sort.Strings(keys)
	return keys
}

// Exists reports whether key exists in the selected database.
func (s *Server) Exists(key string) bool {
	db := s.selected()
	s.eng.Lock()
	defer s.eng.Unlock()
	return s.eng.ExistsIn(db, key)
}

// Type is TYPE's answer for key: "string", "stream", ..., or "none".
func (s *Server) Type(key string) string {
	db := s.selected()
	s.eng.Lock()
	defer s.eng.Unlock()
	return s.eng.TypeOf(db, key)
}

// Get returns the string stored at key. A missing key is ("", false, nil);
// a key of another type is an error (WRONGTYPE).
func (s *Server) Get(key string) (string, bool, error) {
	db := s.selected()
	s.eng.Lock()
	v, ok, err := s.eng.GetString(db, key)
	s.eng.Unlock()
	return string(v), ok, err
}

// Set stores value at key as SET does (replacing any value and TTL).
func (s *Server) Set(key, value string) {
	s.write(func(db int) { s.eng.SetString(db, key, []byte(value)) })
}

// Del deletes key and reports whether it existed.
func (s *Server) Del(key string) (existed bool) {
	s.write(func(db int) { existed = s.eng.DelKey(db, key) })
	return existed
}

// TTL is the time key has left to live; ok is false when the key does not
// exist or has no TTL.
func (s *Server) TTL(key string) (ttl time.Duration, ok bool) {
	db := s.selected()
	s.eng.Lock()
	defer s.eng.Unlock()
	return s.eng.TTLOf(db, key)
}

// SetTTL gives key a time to live and reports whether the key exists.
func (s *Server) SetTTL(key string, ttl time.Duration) (exists bool) {
	s.write(func(db int) { exists = s.eng.SetTTL(db, key, ttl) })
	return exists
}

// DBSize counts the keys of the selected database.
func (s *Server) DBSize() int {
	db := s.selected()
	s.eng.Lock()
	defer s.eng.Unlock()
	return s.eng.KeyCount(db)
}

// FlushDB empties the selected database, as FLUSHDB does.
func (s *Server) FlushDB() {
	s.write(func(db int) { s.eng.FlushIndex(db) })
}

// FlushAll empties every database, as FLUSHALL does.
func (s *Server) FlushAll() {
	s.write(func(int) { s.eng.FlushEverything() })
}

// write runs a change on the selected database under the engine lock and
// then, as the dispatcher does after a command, serves the clients blocked
// on keys it touched (a deleted or retyped key wakes XREADGROUP with its
// error; a new entry wakes a reader).
func (s *Server) write(f func(db int)) {
	db := s.selected()
	s.eng.Lock()
	defer s.eng.Unlock()
	f(db)
	s.eng.ServeReady()
}

// StreamEntry is one stream entry: its ID and its fields and values,
// alternating, in the order they were added.
type StreamEntry struct {
	ID     string
	Values []string
}

// PendingEntry is one delivered, unacknowledged entry of a consumer group,
// as XPENDING's extended form reports it.
type PendingEntry struct {
	ID         string
	Consumer   string
	Deliveries int64
	// Idle is the time since the last delivery, by the server's clock.
	Idle time.Duration
}

// XAdd appends an entry to the stream at key, creating it, as XADD key id
// field value ... does, and returns the entry's ID. id is "*" (from the
// server clock; see SetTime), "ms-*" or "ms-seq". XADD's errors come back
// as errors with its text (an ID not above the top one, a key of another
// type, an odd number of fieldValues). Readers blocked on key are served.
func (s *Server) XAdd(key, id string, fieldValues ...string) (string, error) {
	var newID engine.StreamID
	var err error
	s.write(func(db int) { newID, err = s.eng.AddStreamEntry(db, key, id, fieldValues) })
	if err != nil {
		return "", err
	}
	return newID.String(), nil
}

// Stream lists the live entries of the stream at key, oldest first, as
// XRANGE key - + does. A missing key is an empty list; a key of another
// type is an error (WRONGTYPE).
func (s *Server) Stream(key string) ([]StreamEntry, error) {
	db := s.selected()
	s.eng.Lock()
	defer s.eng.Unlock()
	var out []StreamEntry
	err := s.eng.RangeStream(db, key, func(id engine.StreamID, fv [][]byte) {
		e := StreamEntry{ID: id.String(), Values: make([]string, len(fv))}
		for i, b := range fv {
			e.Values[i] = string(b)
		}
		out = append(out, e)
	})
	return out, err
}

// Pending lists the pending entries of a consumer group in ID order. A
// missing key or group is XPENDING's NOGROUP error.
func (s *Server) Pending(key, group string) ([]PendingEntry, error) {
	db := s.selected()
	s.eng.Lock()
	defer s.eng.Unlock()
	pes, err := s.eng.PendingEntries(db, key, group)
	if err != nil {
		return nil, err
	}
	out := make([]PendingEntry, len(pes))
	for i, pe := range pes {
		out[i] = PendingEntry{ID: pe.ID.String(), Consumer: pe.Consumer, Deliveries: pe.Deliveries, Idle: pe.Idle}
	}
	return out, nil
}
