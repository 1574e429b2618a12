package engine

import (
	"time"

	"github.com/tidwall/btree"
)

// This file is t_stream.c's NACK: the pending entries lists. A group's PEL
// and each consumer's PEL are trees ordered by ID that share the same
// *pending values, as Redis's rax trees share one streamNACK, so moving an
// entry to another consumer updates both views at once.

// pending is one delivered, not yet acknowledged entry (streamNACK).
type pending struct {
	id        StreamID
	consumer  *Consumer
	delivered time.Time // last delivery time
	count     int64     // delivery count
}

// pel is a pending entries list ordered by ID.
type pel struct {
	t *btree.BTreeG[*pending]
	// probe is the search key of get, remove and ascend, reused: a new
	// &pending{id} per lookup escapes through the tree's less function,
	// one allocation per XACK and per delivered entry. The engine lock
	// serialises every use.
	probe *pending
}

func byPendingID(a, b *pending) bool { return a.id.Less(b.id) }

func newPEL() pel {
	return pel{t: btree.NewBTreeGOptions(byPendingID, btree.Options{NoLocks: true}), probe: new(pending)}
}

// Len is the number of pending entries.
func (p pel) Len() int { return p.t.Len() }

// get returns the entry for id, or nil.
func (p pel) get(id StreamID) *pending {
	p.probe.id = id
	v, _ := p.t.Get(p.probe)
	return v
}

func (p pel) set(pe *pending) { p.t.Set(pe) }
func (p pel) remove(id StreamID) {
	p.probe.id = id
	p.t.Delete(p.probe)
}
func (p pel) min() (*pending, bool) { return p.t.Min() }
func (p pel) max() (*pending, bool) { return p.t.Max() }

// ascend calls fn for each entry with id >= start, in order, until fn
// returns false. fn must not change the tree.
func (p pel) ascend(start StreamID, fn func(pe *pending) bool) {
	// A copy: fn may look entries up in this same PEL while it iterates.
	p.t.Ascend(&pending{id: start}, fn)
}
