package engine

import (
	"sort"
	"time"
)

// This file is t_stream.c's low-level consumer-group code: groups,
// consumers, delivery and the entries-read and lag arithmetic. Every
// function assumes e.mu is held.

// entriesReadUnknown is SCG_INVALID_ENTRIES_READ: the group's read counter
// cannot be derived exactly.
const entriesReadUnknown = -1

// Group is a consumer group (streamCG).
type Group struct {
	name        string
	lastID      StreamID // last-delivered-id
	entriesRead int64    // entriesReadUnknown when not known
	pel         pel
	consumers   map[string]*Consumer
}

// Consumer is a group member (streamConsumer). seen is the last time it
// tried anything (read, claim); active the last time it got entries, zero
// before that (active-time -1 in XINFO).
type Consumer struct {
	name   string
	seen   time.Time
	active time.Time
	pel    pel
}

// group returns the stream's group named name, or nil. A nil stream has none.
func (s *Stream) group(name []byte) *Group {
	if s == nil || s.groups == nil {
		return nil
	}
	return s.groups[string(name)]
}

// createGroup adds a group at lastID (streamCreateCG); false if the name
// is taken.
func (s *Stream) createGroup(name []byte, lastID StreamID, entriesRead int64) (*Group, bool) {
	if s.groups == nil {
		s.groups = map[string]*Group{}
	}
	if s.groups[string(name)] != nil {
		return nil, false
	}
	g := &Group{name: string(name), lastID: lastID, entriesRead: entriesRead, pel: newPEL(), consumers: map[string]*Consumer{}}
	s.groups[g.name] = g
	return g, true
}

// sortedGroups lists the groups by name, as Redis's rax iterates them.
func (s *Stream) sortedGroups() []*Group {
	out := make([]*Group, 0, len(s.groups))
	for _, g := range s.groups {
		out = append(out, g)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].name < out[j].name })
	return out
}

// sortedConsumers lists the consumers by name.
func (g *Group) sortedConsumers() []*Consumer {
	out := make([]*Consumer, 0, len(g.consumers))
	for _, c := range g.consumers {
		out = append(out, c)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].name < out[j].name })
	return out
}

// consumer returns the consumer named name, creating it (seen now, never
// active) when create is set; created reports a creation.
func (g *Group) consumer(name []byte, now time.Time, create bool) (c *Consumer, created bool) {
	if c = g.consumers[string(name)]; c != nil || !create {
		return c, false
	}
	c = &Consumer{name: string(name), seen: now, pel: newPEL()}
	g.consumers[c.name] = c
	return c, true
}

// deleteConsumer removes c and its pending entries from the group PEL
// (streamDelConsumer); it returns how many were pending.
func (g *Group) deleteConsumer(c *Consumer) int {
	n := c.pel.Len()
	c.pel.ascend(StreamID{}, func(pe *pending) bool {
		g.pel.remove(pe.id)
		return true
	})
	delete(g.consumers, c.name)
	return n
}

// ack removes id from the group's and its owner's PEL; false if it was not pending.
func (g *Group) ack(id StreamID) bool {
	pe := g.pel.get(id)
	if pe == nil {
		return false
	}
	g.pel.remove(id)
	if pe.consumer != nil {
		pe.consumer.pel.remove(id)
	}
	return true
}

// assign makes c the owner of pe, moving it between consumer PELs.
func (pe *pending) assign(c *Consumer) {
	if pe.consumer == c {
		return
	}
	if pe.consumer != nil {
		pe.consumer.pel.remove(pe.id)
	}
	pe.consumer = c
	c.pel.set(pe)
}

// exists reports whether id is a live entry (streamEntryExists).
func (s *Stream) exists(id StreamID) bool {
	found := false
	s.ascend(id, id, func(*streamNode, *streamEntry) bool {
		found = true
		return false
	})
	return found
}

// hasTombstones reports whether a deleted entry may lie in [start, +]
// (streamRangeHasTombstones with no end).
func (s *Stream) hasTombstones(start StreamID) bool {
	if s.length == 0 || s.maxDeletedID.IsZero() {
		return false
	}
	return !s.maxDeletedID.Less(start)
}

// estimateRead is streamEstimateDistanceFromFirstEverEntry: the number of
// entries ever added up to and including id, or entriesReadUnknown.
func (s *Stream) estimateRead(id StreamID) int64 {
	if s.entriesAdded == 0 {
		return 0
	}
	if s.length == 0 && id.Compare(s.lastID) <= 0 {
		return s.entriesAdded
	}
	if !id.IsZero() && id.Less(s.maxDeletedID) {
		return entriesReadUnknown
	}
	switch c := id.Compare(s.lastID); {
	case c == 0:
		return s.entriesAdded
	case c > 0:
		return entriesReadUnknown
	}
	if s.maxDeletedID.IsZero() || s.maxDeletedID.Less(s.firstID) {
		switch c := id.Compare(s.firstID); {
		case c < 0:
			return s.entriesAdded - s.length
		case c == 0:
			return s.entriesAdded - s.length + 1
		}
	}
	return entriesReadUnknown
}

// lag is streamReplyWithCGLag (Redis 8.x, with the #13338/#13473 rule for
// a group and tombstones both behind the first entry); ok is false when it
// is unknown (a null reply).
func (s *Stream) lag(g *Group) (n int64, ok bool) {
	switch {
	case s.entriesAdded == 0, s.length == 0:
		return 0, true
	case g.lastID.Less(s.firstID) && s.maxDeletedID.Less(s.firstID):
		return s.length, true
	case g.entriesRead != entriesReadUnknown && !s.hasTombstones(g.lastID):
		return s.entriesAdded - g.entriesRead, true
	}
	if r := s.estimateRead(g.lastID); r != entriesReadUnknown {
		return s.entriesAdded - r, true
	}
	return 0, false
}

// advance moves g past the delivered entry id, keeping entries-read exact
// when it can (streamReplyWithRange).
func (s *Stream) advance(g *Group, id StreamID) {
	if !g.lastID.Less(id) {
		return
	}
	if g.entriesRead != entriesReadUnknown && !s.hasTombstones(g.lastID) {
		g.entriesRead++
	} else if s.entriesAdded != 0 {
		g.entriesRead = s.estimateRead(id)
	}
	g.lastID = id
}

// capEntriesRead applies Redis 8.2's cap (#14259): a group cannot have read
// more entries than were ever added.
func (s *Stream) capEntriesRead(n int64) int64 {
	if n > s.entriesAdded {
		return s.entriesAdded
	}
	return n
}

// cloneGroups deep-copies the groups into c (COPY), keeping the sharing
// between group and consumer PELs.
func (s *Stream) cloneGroups(c *Stream) {
	if s.groups == nil {
		return
	}
	c.groups = map[string]*Group{}
	for name, g := range s.groups {
		ng := &Group{name: name, lastID: g.lastID, entriesRead: g.entriesRead, pel: newPEL(), consumers: map[string]*Consumer{}}
		for cname, cons := range g.consumers {
			ng.consumers[cname] = &Consumer{name: cname, seen: cons.seen, active: cons.active, pel: newPEL()}
		}
		g.pel.ascend(StreamID{}, func(pe *pending) bool {
			np := &pending{id: pe.id, delivered: pe.delivered, count: pe.count}
			ng.pel.set(np)
			if pe.consumer != nil {
				np.consumer = ng.consumers[pe.consumer.name]
				np.consumer.pel.set(np)
			}
			return true
		})
		c.groups[name] = ng
	}
}
