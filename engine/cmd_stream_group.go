package engine

import (
	"time"

	"github.com/redcurrent/redcurrent/generated"
)

// The consumer-group commands of the stream family: t_stream.c's
// "consumer groups commands" section, plus XREAD, which shares
// XREADGROUP's code. Every handler assumes e.mu is held.

// now is the command's time (commandTimeSnapshot): fixed inside EXEC and scripts.
func (e *Engine) now() time.Time { return msToTime(e.nowMs()) }

// xgroupStream is the lookup common to the XGROUP subcommands
// (xgroupCommand): a missing key is an error unless mkstream.
func (e *Engine) xgroupStream(c *Client, key []byte, mkstream bool) (*entry, *Stream, error) {
	ent, s, err := e.readStream(c.DB, key)
	if err != nil {
		return nil, nil, err
	}
	if s == nil && !mkstream {
		return nil, nil, ErrXGroupKeyMissing
	}
	return ent, s, nil
}

// xgroupGroup looks up the stream and the group XGROUP SETID,
// CREATECONSUMER and DELCONSUMER need.
func (e *Engine) xgroupGroup(c *Client, key, group []byte) (*entry, *Stream, *Group, error) {
	ent, s, err := e.xgroupStream(c, key, false)
	if err != nil {
		return nil, nil, nil, err
	}
	g := s.group(group)
	if g == nil {
		return nil, nil, nil, ErrNoGroupForKey(key, group)
	}
	return ent, s, g, nil
}

// XGroupCreate creates a group at an ID or at "$" (the last-generated-id;
// 0-0 for a stream MKSTREAM creates). ENTRIESREAD is capped at
// entries-added, as in Redis 8.2.
func (e *Engine) XGroupCreate(c *Client, a generated.XGroupCreateArgs, w ReplyWriter) error {
	_, s, err := e.xgroupStream(c, a.Key, a.Mkstream)
	if err != nil {
		return err
	}
	// Too many arguments: xgroupCommand counts them after its key checks.
	if a.Err != nil {
		return a.Err
	}
	var id StreamID
	if a.IDSelector.Which == "ID" {
		if id, err = ParseStreamID(a.IDSelector.ID, 0); err != nil {
			return err
		}
	} else if s != nil {
		id = s.lastID
	}
	if s.group(a.Group) != nil {
		return ErrBusyGroup
	}
	read := int64(entriesReadUnknown)
	if s == nil {
		s = newStream()
		e.signal(c.DB, e.add(c.DB, string(a.Key), s).key)
	}
	if a.Entriesread.Set {
		read = s.capEntriesRead(a.Entriesread.V)
	}
	s.createGroup(a.Group, id, read)
	e.dirty++
	w.Simple("OK")
	return nil
}

// XGroupSetID moves a group's last-delivered-id ("$" for the
// last-generated-id; "-" and "+" are accepted, as in Redis) and sets its
// entries-read, unknown unless ENTRIESREAD is given.
func (e *Engine) XGroupSetID(c *Client, a generated.XGroupSetIDArgs, w ReplyWriter) error {
	_, s, g, err := e.xgroupGroup(c, a.Key, a.Group)
	if err != nil {
		return err
	}
	if a.Err != nil {
		return a.Err
	}
	id := s.lastID
	if a.IDSelector.Which == "ID" {
		// streamParseIDOrReply: "-" and "+" but no "(" form.
		if id, _, err = parseID(a.IDSelector.ID, 0, false, false); err != nil {
			return err
		}
	}
	read := int64(entriesReadUnknown)
	if a.Entriesread.Set {
		read = s.capEntriesRead(a.Entriesread.V)
	}
	g.lastID, g.entriesRead = id, read
	e.dirty++
	w.Simple("OK")
	return nil
}

// XGroupDestroy deletes a group: 1, or 0 when there was none. A reader
// blocked on the group is woken to find it gone.
func (e *Engine) XGroupDestroy(c *Client, a generated.XGroupDestroyArgs, w ReplyWriter) error {
	ent, s, err := e.xgroupStream(c, a.Key, false)
	if err != nil {
		return err
	}
	if s.group(a.Group) == nil {
		w.Int(0)
		return nil
	}
	delete(s.groups, string(a.Group))
	e.dirty++
	w.Int(1)
	// Readers blocked on the group learn that it is gone; WATCH does not
	// see this (signalKeyAsReady, not signalModifiedKey).
	e.readyKey(c.DB, ent.key, s)
	return nil
}

// XGroupCreateConsumer adds a consumer: 1, or 0 when it exists.
func (e *Engine) XGroupCreateConsumer(c *Client, a generated.XGroupCreateConsumerArgs, w ReplyWriter) error {
	_, _, g, err := e.xgroupGroup(c, a.Key, a.Group)
	if err != nil {
		return err
	}
	_, created := g.consumer(a.Consumer, e.now(), true)
	if created {
		e.dirty++
		w.Int(1)
	} else {
		w.Int(0)
	}
	return nil
}

// XGroupDelConsumer removes a consumer and its pending entries and replies
// how many were pending (0 for a missing consumer).
func (e *Engine) XGroupDelConsumer(c *Client, a generated.XGroupDelConsumerArgs, w ReplyWriter) error {
	_, _, g, err := e.xgroupGroup(c, a.Key, a.Group)
	if err != nil {
		return err
	}
	cons, _ := g.consumer(a.Consumer, time.Time{}, false)
	if cons == nil {
		w.Int(0)
		return nil
	}
	w.Int(int64(g.deleteConsumer(cons)))
	e.dirty++
	return nil
}

var xgroupHelp = []string{
	"XGROUP <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
	"CREATE <key> <groupname> <id|$> [option]",
	"    Create a new consumer group. Options are:",
	"    * MKSTREAM",
	"      Create the empty stream if it does not exist.",
	"    * ENTRIESREAD entries_read",
	"      Set the group's entries_read counter (internal use).",
	"CREATECONSUMER <key> <groupname> <consumer>",
	"    Create a new consumer in the specified group.",
	"DELCONSUMER <key> <groupname> <consumer>",
	"    Remove the specified consumer.",
	"DESTROY <key> <groupname>",
	"    Remove the specified group.",
	"SETID <key> <groupname> <id|$> [ENTRIESREAD entries_read]",
	"    Set the current group ID and entries_read counter.",
}

// XGroupHelp lists the XGROUP subcommands (addReplyHelp).
func (e *Engine) XGroupHelp(c *Client, a generated.XGroupHelpArgs, w ReplyWriter) error {
	WriteHelp(w, xgroupHelp)
	return nil
}

// XAck acknowledges pending entries and counts those that were pending. A
// missing key or group answers 0; every ID is validated first.
func (e *Engine) XAck(c *Client, a generated.XAckArgs, w ReplyWriter) error {
	_, s, err := e.readStream(c.DB, a.Key)
	if err != nil {
		return err
	}
	g := s.group(a.Group)
	if g == nil {
		w.Int(0)
		return nil
	}
	ids := make([]StreamID, len(a.ID))
	for i, b := range a.ID {
		if ids[i], err = ParseStreamID(b, 0); err != nil {
			return err
		}
	}
	var n int64
	for _, id := range ids {
		if g.ack(id) {
			n++
		}
	}
	e.dirty += n
	w.Int(n)
	return nil
}

// groupOf is the lookup of XPENDING, XCLAIM and XAUTOCLAIM: a missing key
// or group is NOGROUP.
func (e *Engine) groupOf(c *Client, key, group []byte) (*entry, *Stream, *Group, error) {
	ent, s, err := e.readStream(c.DB, key)
	if err != nil {
		return nil, nil, nil, err
	}
	g := s.group(group)
	if g == nil {
		return nil, nil, nil, ErrNoGroup(key, group)
	}
	return ent, s, g, nil
}

// XPending is the summary form ([count, min, max, [[consumer, "n"]...]])
// or the extended form, one [id, consumer, idle-ms, deliveries] per entry
// in [start, end] idle at least IDLE ms, optionally one consumer's
// (xpendingCommand).
func (e *Engine) XPending(c *Client, a generated.XPendingArgs, w ReplyWriter) error {
	f := a.Filters
	var start, end StreamID
	if f.Set {
		var err error
		if start, err = parseIntervalStart(f.Start); err != nil {
			return err
		}
		if end, err = parseIntervalEnd(f.End); err != nil {
			return err
		}
	}
	_, _, g, err := e.groupOf(c, a.Key, a.Group)
	if err != nil {
		return err
	}
	var buf [41]byte
	if !f.Set {
		w.Array(4)
		w.Int(int64(g.pel.Len()))
		if g.pel.Len() == 0 {
			w.Null()
			w.Null()
			w.NullArray()
			return nil
		}
		lo, _ := g.pel.min()
		hi, _ := g.pel.max()
		w.Bulk(lo.id.Append(buf[:0]))
		w.Bulk(hi.id.Append(buf[:0]))
		var owners []*Consumer
		for _, cons := range g.sortedConsumers() {
			if cons.pel.Len() > 0 {
				owners = append(owners, cons)
			}
		}
		w.Array(len(owners))
		for _, cons := range owners {
			w.Array(2)
			w.BulkString(cons.name)
			w.Bulk(appendInt(buf[:0], int64(cons.pel.Len())))
		}
		return nil
	}
	count := f.Count
	if count < 0 {
		count = 0
	}
	p := g.pel
	if f.Consumer.Set {
		cons, _ := g.consumer(f.Consumer.V, time.Time{}, false)
		if cons == nil {
			w.Array(0)
			return nil
		}
		p = cons.pel
	}
	now := e.now()
	var out []*pending
	if count > 0 && !end.Less(start) {
		p.ascend(start, func(pe *pending) bool {
			if end.Less(pe.id) {
				return false
			}
			if f.MinIdleTime.Set && now.Sub(pe.delivered).Milliseconds() < f.MinIdleTime.V {
				return true
			}
			out = append(out, pe)
			return int64(len(out)) < count
		})
	}
	w.Array(len(out))
	for _, pe := range out {
		w.Array(4)
		w.Bulk(pe.id.Append(buf[:0]))
		w.BulkString(pe.consumer.name)
		w.Int(now.Sub(pe.delivered).Milliseconds())
		w.Int(pe.count)
	}
	return nil
}

// parseMinIdle reads XCLAIM's and XAUTOCLAIM's min-idle-time: an integer,
// negative meaning 0.
func parseMinIdle(b []byte, bad *Error) (time.Duration, error) {
	n, ok := generated.ParseInt(b)
	if !ok {
		return 0, bad
	}
	if n < 0 {
		n = 0
	}
	return time.Duration(n) * time.Millisecond, nil
}

// XClaim moves pending entries idle at least min-idle-time to a consumer
// (xclaimCommand). The consumer is created even when nothing is claimed
// (7.2+). Entries gone from the stream leave the PEL and the reply.
func (e *Engine) XClaim(c *Client, a generated.XClaimArgs, w ReplyWriter) error {
	_, s, g, err := e.groupOf(c, a.Key, a.Group)
	if err != nil {
		return err
	}
	// xclaimCommand parses its arguments after the key and group lookups
	// (late_errors): min-idle-time, the IDs, then the options.
	if a.Err != nil {
		return a.Err
	}
	minIdle, err := parseMinIdle(a.MinIdleTime, ErrXClaimMinIdle)
	if err != nil {
		return err
	}
	ids := make([]StreamID, len(a.ID))
	for i, b := range a.ID {
		// The parser ended the IDs at the first word that is not one
		// (check_ends), so these parse.
		if ids[i], err = ParseStreamID(b, 0); err != nil {
			return err
		}
	}
	var lastID StreamID
	if a.Lastid.Set {
		if lastID, err = ParseStreamID(a.Lastid.V, 0); err != nil {
			return err
		}
	}
	now := e.now()
	delivery := now
	switch {
	case a.UnixTimeMilliseconds.Set:
		delivery = msToTime(a.UnixTimeMilliseconds.V)
	case a.Ms.Set:
		delivery = msToTime(now.UnixMilli() - a.Ms.V)
	}
	if (a.Ms.Set || a.UnixTimeMilliseconds.Set) && (delivery.UnixMilli() < 0 || delivery.After(now)) {
		delivery = now
	}
	// Changes (xclaimCommand's server.dirty): one per entry claimed or
	// dropped from the PEL, else one if LASTID moved the group's
	// last-delivered-id; one for a consumer it creates.
	lastMoved := g.lastID.Less(lastID)
	if lastMoved {
		g.lastID = lastID
	}
	cons, created := g.consumer(a.Consumer, now, true)
	if created {
		e.dirty++
	}
	cons.seen = now
	var claimed []*pending
	dropped := 0
	for _, id := range ids {
		pe := g.pel.get(id)
		if !s.exists(id) {
			if pe != nil {
				g.ack(id)
				dropped++
			}
			continue
		}
		if a.Force && pe == nil {
			// streamCreateNACK starts the count at 1; the claim below
			// then counts itself unless JUSTID or RETRYCOUNT says otherwise.
			pe = &pending{id: id, count: 1}
			g.pel.set(pe)
		}
		if pe == nil {
			continue
		}
		if pe.consumer != nil && minIdle > 0 && now.Sub(pe.delivered) < minIdle {
			continue
		}
		pe.delivered = delivery
		if a.Count.Set && a.Count.V >= 0 {
			pe.count = a.Count.V
		} else if !a.Justid {
			pe.count++
		}
		pe.assign(cons)
		cons.active = now
		claimed = append(claimed, pe)
	}
	e.dirty += int64(len(claimed) + dropped)
	if lastMoved && len(claimed)+dropped == 0 {
		e.dirty++
	}
	w.Array(len(claimed))
	for _, pe := range claimed {
		if a.Justid {
			w.Bulk(pe.id.Append(s.idBuf[:0]))
		} else {
			s.writeOne(pe.id, w)
		}
	}
	return nil
}

// XAutoClaim claims entries idle at least min-idle-time, scanning the PEL
// from start; the reply is [next cursor (0-0 when done), claimed, IDs
// deleted from the stream and dropped from the PEL] (xautoclaimCommand).
func (e *Engine) XAutoClaim(c *Client, a generated.XAutoClaimArgs, w ReplyWriter) error {
	minIdle, err := parseMinIdle(a.MinIdleTime, ErrXAutoClaimMinIdle)
	if err != nil {
		return err
	}
	start, err := parseIntervalStart(a.Start)
	if err != nil {
		return err
	}
	// COUNT is in [1, LONG_MAX/16] (the parser checks it): count*10
	// attempts cannot overflow.
	count := int64(100)
	if a.Count.Set {
		count = a.Count.V
	}
	_, s, g, err := e.groupOf(c, a.Key, a.Group)
	if err != nil {
		return err
	}
	now := e.now()
	cons, created := g.consumer(a.Consumer, now, true)
	if created {
		e.dirty++
	}
	cons.seen = now
	attempts := count * 10
	var claimed []*pending
	var deleted []StreamID
	next := StreamID{}
	cursor := start
	for {
		var pe *pending
		g.pel.ascend(cursor, func(p *pending) bool {
			pe = p
			return false
		})
		if pe == nil {
			break
		}
		if attempts == 0 || count == 0 {
			next = pe.id
			break
		}
		attempts--
		id := pe.id
		if nid, ok := id.Incr(); ok {
			cursor = nid
		} else {
			cursor = MaxStreamID
		}
		if !s.exists(id) {
			g.ack(id)
			deleted = append(deleted, id)
			count--
			if id == MaxStreamID {
				break
			}
			continue
		}
		if minIdle > 0 && now.Sub(pe.delivered) < minIdle {
			if id == MaxStreamID {
				break
			}
			continue
		}
		pe.delivered = now
		if !a.Justid {
			pe.count++
		}
		pe.assign(cons)
		claimed = append(claimed, pe)
		count--
		cons.active = now
		if id == MaxStreamID {
			break
		}
	}
	// One change per entry claimed or dropped from the PEL
	// (xautoclaimCommand's server.dirty++ for each).
	e.dirty += int64(len(claimed) + len(deleted))
	w.Array(3)
	w.Bulk(next.Append(s.idBuf[:0]))
	w.Array(len(claimed))
	for _, pe := range claimed {
		if a.Justid {
			w.Bulk(pe.id.Append(s.idBuf[:0]))
		} else {
			s.writeOne(pe.id, w)
		}
	}
	w.Array(len(deleted))
	for _, id := range deleted {
		w.Bulk(id.Append(s.idBuf[:0]))
	}
	return nil
}

// XInfoGroups describes each group (xinfoCommand GROUPS): name,
// consumers, pending, last-delivered-id, entries-read and lag.
func (e *Engine) XInfoGroups(c *Client, a generated.XInfoGroupsArgs, w ReplyWriter) error {
	_, s, err := e.readStream(c.DB, a.Key)
	if err != nil {
		return err
	}
	if s == nil {
		return ErrNoSuchKey
	}
	groups := s.sortedGroups()
	w.Array(len(groups))
	for _, g := range groups {
		w.Map(6)
		w.BulkString("name")
		w.BulkString(g.name)
		w.BulkString("consumers")
		w.Int(int64(len(g.consumers)))
		w.BulkString("pending")
		w.Int(int64(g.pel.Len()))
		w.BulkString("last-delivered-id")
		w.Bulk(g.lastID.Append(s.idBuf[:0]))
		s.replyReadAndLag(g, w)
	}
	return nil
}

// replyReadAndLag writes the entries-read and lag fields, null when unknown.
func (s *Stream) replyReadAndLag(g *Group, w ReplyWriter) {
	w.BulkString("entries-read")
	if g.entriesRead == entriesReadUnknown {
		w.Null()
	} else {
		w.Int(g.entriesRead)
	}
	w.BulkString("lag")
	if n, ok := s.lag(g); ok {
		w.Int(n)
	} else {
		w.Null()
	}
}

// XInfoConsumers describes each consumer of a group (7.2+): name, pending,
// idle (since it was last seen) and inactive (since it last got entries,
// -1 if never).
func (e *Engine) XInfoConsumers(c *Client, a generated.XInfoConsumersArgs, w ReplyWriter) error {
	_, s, err := e.readStream(c.DB, a.Key)
	if err != nil {
		return err
	}
	if s == nil {
		return ErrNoSuchKey
	}
	g := s.group(a.Group)
	if g == nil {
		return ErrNoGroupForKey(a.Key, a.Group)
	}
	now := e.now()
	cs := g.sortedConsumers()
	w.Array(len(cs))
	for _, cons := range cs {
		w.Map(4)
		w.BulkString("name")
		w.BulkString(cons.name)
		w.BulkString("pending")
		w.Int(int64(cons.pel.Len()))
		w.BulkString("idle")
		w.Int(max(now.Sub(cons.seen).Milliseconds(), 0))
		w.BulkString("inactive")
		if cons.active.IsZero() {
			w.Int(-1)
		} else {
			w.Int(now.Sub(cons.active).Milliseconds())
		}
	}
	return nil
}

// replyGroupsFull writes XINFO STREAM FULL's groups array: each group with
// its PEL and consumers, each PEL cut at count entries (0: all).
func (s *Stream) replyGroupsFull(count int64, w ReplyWriter) {
	groups := s.sortedGroups()
	w.Array(len(groups))
	for _, g := range groups {
		w.Map(7)
		w.BulkString("name")
		w.BulkString(g.name)
		w.BulkString("last-delivered-id")
		w.Bulk(g.lastID.Append(s.idBuf[:0]))
		s.replyReadAndLag(g, w)
		w.BulkString("pel-count")
		w.Int(int64(g.pel.Len()))
		w.BulkString("pending")
		pes := firstPending(g.pel, count)
		w.Array(len(pes))
		for _, pe := range pes {
			w.Array(4)
			w.Bulk(pe.id.Append(s.idBuf[:0]))
			w.BulkString(pe.consumer.name)
			w.Int(pe.delivered.UnixMilli())
			w.Int(pe.count)
		}
		w.BulkString("consumers")
		cs := g.sortedConsumers()
		w.Array(len(cs))
		for _, cons := range cs {
			w.Map(5)
			w.BulkString("name")
			w.BulkString(cons.name)
			w.BulkString("seen-time")
			w.Int(cons.seen.UnixMilli())
			w.BulkString("active-time")
			if cons.active.IsZero() {
				w.Int(-1)
			} else {
				w.Int(cons.active.UnixMilli())
			}
			w.BulkString("pel-count")
			w.Int(int64(cons.pel.Len()))
			w.BulkString("pending")
			pes := firstPending(cons.pel, count)
			w.Array(len(pes))
			for _, pe := range pes {
				w.Array(3)
				w.Bulk(pe.id.Append(s.idBuf[:0]))
				w.Int(pe.delivered.UnixMilli())
				w.Int(pe.count)
			}
		}
	}
}

// firstPending returns up to count entries of p (0: all).
func firstPending(p pel, count int64) []*pending {
	var out []*pending
	p.ascend(StreamID{}, func(pe *pending) bool {
		out = append(out, pe)
		return count == 0 || int64(len(out)) < count
	})
	return out
}

// readTarget is one stream of an XREAD or XREADGROUP call.
type readTarget struct {
	key     []byte
	id      StreamID // entries after this one
	newOnly bool     // XREADGROUP ">"
	last    bool     // XREAD "+": the last entry
}

// readCall is a parsed XREAD or XREADGROUP. Its byte slices are copies, so
// a blocked call can be retried after the request buffer is reused.
type readCall struct {
	group, consumer []byte // nil for XREAD
	count           int64  // 0: no limit
	noack           bool
	targets         []readTarget
}

// XRead replies with the entries after each ID, one [key, entries] pair per
// stream that has any (xreadCommand). "$" is the last-generated-id, "+"
// the last entry (7.4+). With nothing to return it blocks when BLOCK is
// given, else replies with a null array.
func (e *Engine) XRead(c *Client, a generated.XReadArgs, w ReplyWriter) error {
	rc := readCall{count: max(a.Count.V, 0)}
	for i, key := range a.Streams.Key {
		_, s, err := e.readStream(c.DB, key)
		if err != nil {
			return err
		}
		t := readTarget{key: key}
		switch b := a.Streams.ID[i]; string(b) {
		case "$":
			if s != nil {
				t.id = s.lastID
			}
		case "+":
			t.last = true
		case ">":
			return ErrXReadGT
		default:
			if t.id, err = ParseStreamID(b, 0); err != nil {
				return err
			}
		}
		rc.targets = append(rc.targets, t)
	}
	return e.readOrBlock(c, &rc, a.Milliseconds, w)
}

// XReadGroup reads for a consumer (xreadCommand with GROUP): ">" delivers
// entries no consumer of the group has seen and adds them to the
// consumer's PEL (unless NOACK); another ID replays the consumer's own
// pending entries after it, a deleted one as [id, nil]. The consumer is
// created if needed.
func (e *Engine) XReadGroup(c *Client, a generated.XReadGroupArgs, w ReplyWriter) error {
	if !a.GroupBlock.Set {
		return ErrMissingGroup
	}
	rc := readCall{
		group:    a.GroupBlock.Group,
		consumer: a.GroupBlock.Consumer,
		count:    max(a.Count.V, 0),
		noack:    a.Noack,
	}
	for i, key := range a.Streams.Key {
		_, s, err := e.readStream(c.DB, key)
		if err != nil {
			return err
		}
		if s.group(rc.group) == nil {
			return ErrNoGroupRead(key, rc.group)
		}
		t := readTarget{key: key}
		switch b := a.Streams.ID[i]; string(b) {
		case "$":
			return ErrXReadGroupDollar
		case "+":
			return ErrXReadGroupPlus
		case ">":
			t.newOnly = true
		default:
			if t.id, err = ParseStreamID(b, 0); err != nil {
				return err
			}
			// Redis stores ">" as the maximal ID and tells them apart by
			// value only: that ID, given as such, reads new entries too.
			t.newOnly = t.id == MaxStreamID
		}
		rc.targets = append(rc.targets, t)
	}
	return e.readOrBlock(c, &rc, a.Milliseconds, w)
}

// readOrBlock serves rc at once if it can; else, with BLOCK, it leaves a
// block request on c (see blocked.go), or inside MULTI or a script replies
// as a timeout would.
func (e *Engine) readOrBlock(c *Client, rc *readCall, block generated.Opt[int64], w ReplyWriter) error {
	served, err := e.serveRead(c, rc, w)
	if err != nil || served {
		return err
	}
	if !block.Set || c.NoBlock {
		w.NullArray()
		return nil
	}
	// The request outlives the argv it was parsed from.
	cp := *rc
	cp.group = clone(rc.group)
	cp.consumer = clone(rc.consumer)
	cp.targets = make([]readTarget, len(rc.targets))
	keys := make([]string, len(rc.targets))
	for i, t := range rc.targets {
		t.key = clone(t.key)
		cp.targets[i] = t
		keys[i] = string(t.key)
	}
	e.requestBlock(c, keys, time.Duration(block.V)*time.Millisecond, rc.group != nil, func(c *Client, w ReplyWriter) (bool, error) {
		return e.serveRead(c, &cp, w)
	})
	return nil
}

func clone(b []byte) []byte { return append([]byte(nil), b...) }

// serveRead replies if any stream has something for rc, and reports
// whether it did. On a retry (a blocked call re-run) every key is checked
// again first, as xreadCommand's first loop does: a key now of another
// type is WRONGTYPE, and for XREADGROUP a key or group gone is NOGROUP,
// before any consumer is created.
func (e *Engine) serveRead(c *Client, rc *readCall, w ReplyWriter) (bool, error) {
	type ready struct {
		t   *readTarget
		s   *Stream
		g   *Group
		ids []StreamID // ">": the entries to deliver
	}
	streams := make([]*Stream, len(rc.targets))
	for i, t := range rc.targets {
		_, s, err := e.readStream(c.DB, t.key)
		if err != nil {
			return false, err
		}
		if rc.group != nil && s.group(rc.group) == nil {
			return false, ErrNoGroupRead(t.key, rc.group)
		}
		streams[i] = s
	}
	var list []ready
	// A stream named twice with ">" is served twice only if entries remain
	// after the first delivery (xreadCommand decides and serves each in
	// turn): after is where the first left the group.
	var after map[*Group]StreamID
	now := e.now()
	for i := range rc.targets {
		t, s := &rc.targets[i], streams[i]
		if rc.group == nil {
			if s == nil || s.length == 0 {
				continue
			}
			if last, _ := s.lastLive(); t.last || t.id.Less(last) {
				list = append(list, ready{t, s, nil, nil})
			}
			continue
		}
		g := s.group(rc.group)
		cons, created := g.consumer(rc.consumer, now, true)
		if created {
			e.dirty++ // streamCreateConsumer
		}
		cons.seen = now
		if !t.newOnly {
			list = append(list, ready{t, s, g, nil})
			continue
		}
		from, ok := after[g]
		if !ok {
			from = g.lastID
		}
		if ids := s.newEntries(from, rc.count); len(ids) > 0 {
			list = append(list, ready{t, s, g, ids})
			if len(rc.targets) > 1 {
				if after == nil {
					after = map[*Group]StreamID{}
				}
				after[g] = ids[len(ids)-1]
			}
		}
	}
	if len(list) == 0 {
		return false, nil
	}
	w.PairMap(len(list))
	for _, r := range list {
		w.Pair()
		w.Bulk(r.t.key)
		switch {
		case r.g == nil && r.t.last:
			last, _ := r.s.lastLive()
			r.s.replyRange(last, last, 1, false, w)
		case r.g == nil:
			if start, ok := r.t.id.Incr(); ok {
				r.s.replyRange(start, MaxStreamID, rc.count, false, w)
			} else {
				w.Array(0)
			}
		case !r.t.newOnly:
			cons, _ := r.g.consumer(rc.consumer, now, false)
			r.s.replyHistory(cons, r.t.id, rc.count, now, w)
		default:
			// One change per stream served new entries, however many
			// (xreadCommand: propCount); the history changes nothing.
			cons, _ := r.g.consumer(rc.consumer, now, false)
			r.s.deliver(r.g, cons, r.ids, rc.noack, now, w)
			e.dirty++
		}
	}
	return true, nil
}

// replyHistory writes cons's pending entries after id, bumping their
// delivery count and time; an entry gone from the stream is [id, nil]
// (streamReplyWithRangeFromConsumerPEL).
func (s *Stream) replyHistory(cons *Consumer, after StreamID, count int64, now time.Time, w ReplyWriter) {
	start, ok := after.Incr()
	var pes []*pending
	if ok {
		cons.pel.ascend(start, func(pe *pending) bool {
			pes = append(pes, pe)
			return count == 0 || int64(len(pes)) < count
		})
	}
	w.Array(len(pes))
	for _, pe := range pes {
		if !s.writeOne(pe.id, w) {
			w.Array(2)
			w.Bulk(pe.id.Append(s.idBuf[:0]))
			w.NullArray()
			continue
		}
		pe.delivered = now
		pe.count++
	}
}

// writeOne writes the live entry id as [id, fields], or nothing if it is gone.
func (s *Stream) writeOne(id StreamID, w ReplyWriter) bool {
	found := false
	s.ascend(id, id, func(n *streamNode, en *streamEntry) bool {
		s.writeEntry(n, en, w)
		found = true
		return false
	})
	return found
}

// deliver writes ids, the entries after the group's last-delivered-id
// (newEntries), advancing it, and (without NOACK) makes cons their owner: an entry
// already pending elsewhere (after XGROUP SETID) moves to cons with a
// count of 1 (streamReplyWithRange with a group).
func (s *Stream) deliver(g *Group, cons *Consumer, ids []StreamID, noack bool, now time.Time, w ReplyWriter) {
	w.Array(len(ids))
	for _, id := range ids {
		s.advance(g, id)
		s.writeOne(id, w)
		if noack {
			continue
		}
		pe := g.pel.get(id)
		if pe == nil {
			pe = &pending{id: id}
			g.pel.set(pe)
		}
		pe.delivered, pe.count = now, 1
		pe.assign(cons)
		cons.active = now
	}
}

// newEntries lists up to count (0: all) live entries after from: what a
// ">" read delivers to a group whose last-delivered-id is from.
func (s *Stream) newEntries(from StreamID, count int64) []StreamID {
	start, ok := from.Incr()
	if !ok {
		return nil
	}
	var ids []StreamID
	s.ascend(start, MaxStreamID, func(n *streamNode, en *streamEntry) bool {
		ids = append(ids, en.id)
		return count == 0 || int64(len(ids)) < count
	})
	return ids
}

// XAckDel acknowledges entries in a group and deletes them under a
// reference policy (xackdelCommand): one code per ID, -1 for each when
// the key or the group is missing. Only an ID pending in the group is
// acted on (-1 otherwise, the entry left alone); once acknowledged it is
// deleted as XDELEX would, and an ID already gone from the stream counts
// as 1 unless ACKED finds it still referenced (2).
func (e *Engine) XAckDel(c *Client, a generated.XAckDelArgs, w ReplyWriter) error {
	ids, refs, err := parseIDsBlock(a.Ids.Set, a.Ids.Numids, a.Ids.ID, a.Condition)
	if err != nil {
		return err
	}
	ent, s, err := e.readStream(c.DB, a.Key)
	if err != nil {
		return err
	}
	w.Array(len(ids))
	g := s.group(a.Group)
	if g == nil {
		for range ids {
			w.Int(-1)
		}
		return nil
	}
	deleted := false
	for _, id := range ids {
		// Only an ID pending in this group is acted on: anything else,
		// even an entry present in the stream, answers -1 untouched.
		if !g.ack(id) {
			w.Int(-1)
			continue
		}
		// One change per ID acknowledged, as XACK counts (xackdelCommand's
		// server.dirty++ per NACK removed, in Redis's source of June 2026).
		e.dirty++
		// Acknowledged: 2 when ACKED finds another reference, else 1,
		// whether or not the entry was still in the stream.
		r := s.deleteWithRefs(id, refs)
		switch r {
		case 1:
			deleted = true
		case -1:
			r = 1
		}
		w.Int(r)
	}
	if deleted {
		s.finishDeletes()
		e.signal(c.DB, ent.key)
	}
	return nil
}
