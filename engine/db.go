package engine

import "github.com/tidwall/btree"

// entry is one key. Its seq never changes while the key exists, which is
// what SCAN's guarantee rests on (see scan).
type entry struct {
	key    string
	val    Value
	expire int64  // unix ms; the key is gone once now > expire. 0: no expiry
	access int64  // unix ms of the last access (OBJECT IDLETIME)
	seq    uint64 // insertion sequence in its database, unique per engine
	str    String // storage for val when it is a string: one allocation fewer
}

// db is one logical database.
type db struct {
	keys map[string]*entry
	// byseq holds every entry ordered by seq: SCAN's cursor, RANDOMKEY's
	// uniform pick (GetAt) and KEYS' stable order.
	byseq *btree.BTreeG[*entry]
	// expires holds the entries with an expiry, ordered by (expire, seq):
	// active expiry pops from the front.
	expires *btree.BTreeG[*entry]
}

func bySeq(a, b *entry) bool { return a.seq < b.seq }

func byExpire(a, b *entry) bool {
	if a.expire != b.expire {
		return a.expire < b.expire
	}
	return a.seq < b.seq
}

func newDB() *db {
	return &db{
		keys:    map[string]*entry{},
		byseq:   btree.NewBTreeGOptions(bySeq, btree.Options{NoLocks: true}),
		expires: btree.NewBTreeGOptions(byExpire, btree.Options{NoLocks: true}),
	}
}

// expired reports whether ent is logically gone at now (keyIsExpired in
// db.c: a key is still there at exactly its expire time).
func (ent *entry) expired(now int64) bool { return ent.expire != 0 && now > ent.expire }

// expiredCount counts the entries that are logically gone at now but not
// deleted yet: they lead the expires index.
func (d *db) expiredCount(now int64) int {
	n := 0
	d.expires.Scan(func(ent *entry) bool {
		if !ent.expired(now) {
			return false
		}
		n++
		return true
	})
	return n
}

// insert adds ent (whose seq is set) to every index.
func (d *db) insert(ent *entry) {
	d.keys[ent.key] = ent
	d.byseq.Set(ent)
	if ent.expire != 0 {
		d.expires.Set(ent)
	}
}

// remove drops ent from every index.
func (d *db) remove(ent *entry) {
	delete(d.keys, ent.key)
	d.byseq.Delete(ent)
	if ent.expire != 0 {
		d.expires.Delete(ent)
	}
}

// setExpire changes ent's expiry (0 removes it), keeping the expires index
// ordered.
func (d *db) setExpire(ent *entry, when int64) {
	if ent.expire == when {
		return
	}
	if ent.expire != 0 {
		d.expires.Delete(ent)
	}
	ent.expire = when
	if when != 0 {
		d.expires.Set(ent)
	}
}
