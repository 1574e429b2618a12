package engine

import (
	"bytes"

	"github.com/redcurrent/redcurrent/generated"
)

// The stream command group: t_stream.c's stream commands. Every handler
// assumes e.mu is held.

// readStream looks up key for a stream command: nil for a missing key,
// ErrWrongType for another type.
func (e *Engine) readStream(dbi int, key []byte) (*entry, *Stream, error) {
	ent := e.lookup(dbi, key, true)
	if ent == nil {
		return nil, nil, nil
	}
	s, ok := ent.val.(*Stream)
	if !ok {
		return nil, nil, ErrWrongType
	}
	return ent, s, nil
}

// parseTrim converts the trim block's threshold as the option loop of
// streamParseAddOrTrimArgsOrReply does: MAXLEN takes a non-negative
// integer, MINID a strict ID.
func parseTrim(set bool, strategy, operator string, threshold []byte) (trimArgs, error) {
	var t trimArgs
	if !set {
		return t, nil
	}
	t.approx = operator == "~"
	if strategy == "MAXLEN" {
		n, ok := generated.ParseInt(threshold)
		if !ok {
			return t, ErrNotInteger
		}
		if n < 0 {
			return t, ErrMaxLenNegative
		}
		t.strategy, t.maxLen = trimMaxLen, n
		return t, nil
	}
	id, err := ParseStreamID(threshold, 0)
	if err != nil {
		return t, err
	}
	t.strategy, t.minID = trimMinID, id
	return t, nil
}

// finishTrim applies LIMIT's rules after the option loop
// (streamParseAddOrTrimArgsOrReply): LIMIT needs a strategy and "~"; "~"
// without LIMIT is capped at 100 nodes' worth of entries.
func (e *Engine) finishTrim(t *trimArgs, limit generated.Opt[int64]) error {
	if limit.V != 0 && t.strategy == trimNone {
		return ErrLimitNoStrategy
	}
	switch {
	case limit.Set:
		if !t.approx {
			return ErrLimitNoApprox
		}
		t.limit = limit.V
	case t.approx:
		m := e.streamNode.maxEntries
		switch {
		case m <= 0:
			t.limit = 10000
		case m > 10000:
			t.limit = 1000000
		default:
			t.limit = 100 * m
		}
	}
	return nil
}

// XAdd appends an entry (xaddCommand): the reply is its ID, or null with
// NOMKSTREAM on a missing key. The entry is added first, then the stream
// is trimmed.
func (e *Engine) XAdd(c *Client, a generated.XAddArgs, w ReplyWriter) error {
	t, err := parseTrim(a.Trim.Set, a.Trim.Strategy, a.Trim.Operator, a.Trim.Threshold)
	if err != nil {
		return err
	}
	t.refs = refPolicy(a.Condition)
	var given *StreamID
	var id StreamID
	seqGiven := true
	if a.IDSelector.Which == "ID" {
		if id, seqGiven, err = parseXAddID(a.IDSelector.ID); err != nil {
			return err
		}
		given = &id
	}
	if err := e.finishTrim(&t, a.Trim.Count); err != nil {
		return err
	}
	// xaddCommand checks its arity after the option loop: an ID and at
	// least one field-value pair.
	if fv := a.Data.Flat(); a.IDSelector.Which == "" || len(fv) == 0 || len(fv)%2 == 1 {
		return ErrXAddArity
	}
	if given != nil && seqGiven && id.IsZero() {
		return ErrIDZero
	}
	newID, s, err := e.streamAdd(c.DB, a.Key, given, seqGiven, a.Data.Flat(), a.Nomkstream, t)
	switch {
	case err != nil:
		return err
	case s == nil:
		w.Null()
	default:
		w.Bulk(newID.Append(s.idBuf[:0]))
	}
	return nil
}

// streamAdd is XADD once its arguments are parsed: it appends fv under the
// given ID (nil for "*"; seqGiven false for "ms-*"), then trims, and
// returns the new ID and the stream; s is nil when nomkstream finds no
// key. e.mu held.
func (e *Engine) streamAdd(dbi int, key []byte, given *StreamID, seqGiven bool, fv [][]byte, nomkstream bool, t trimArgs) (id StreamID, s *Stream, err error) {
	ent, s, err := e.readStream(dbi, key)
	if err != nil {
		return id, nil, err
	}
	if s == nil {
		if nomkstream {
			return id, nil, nil
		}
		s = newStream()
	}
	now := e.nowMs()
	if now < 0 {
		now = 0
	}
	if id, err = s.nextID(uint64(now), given, seqGiven); err != nil {
		return id, nil, err
	}
	if ent == nil {
		ent = e.add(dbi, string(key), s)
	}
	s.append(id, fv, e.streamNode)
	s.trim(t) // what it trims is no extra change (xaddCommand)
	e.dirty++
	e.signal(dbi, ent.key)
	e.readyKey(dbi, ent.key, s) // new data for blocked readers
	return id, s, nil
}

// XLen counts entries; a missing key counts as an empty stream.
func (e *Engine) XLen(c *Client, a generated.XLenArgs, w ReplyWriter) error {
	_, s, err := e.readStream(c.DB, a.Key)
	if err != nil {
		return err
	}
	w.Int(s.Len())
	return nil
}

// XRange replies with the entries from start to end, oldest first.
func (e *Engine) XRange(c *Client, a generated.XRangeArgs, w ReplyWriter) error {
	return e.xrange(c, a.Key, a.Start, a.End, a.Count, false, w)
}

// XRevRange replies with the entries from end down to start.
func (e *Engine) XRevRange(c *Client, a generated.XRevRangeArgs, w ReplyWriter) error {
	return e.xrange(c, a.Key, a.Start, a.End, a.Count, true, w)
}

// xrange is xrangeGenericCommand: a missing key is an empty array, COUNT 0
// or negative a null array.
func (e *Engine) xrange(c *Client, key, startArg, endArg []byte, count generated.Opt[int64], rev bool, w ReplyWriter) error {
	start, err := parseIntervalStart(startArg)
	if err != nil {
		return err
	}
	end, err := parseIntervalEnd(endArg)
	if err != nil {
		return err
	}
	_, s, err := e.readStream(c.DB, key)
	if err != nil {
		return err
	}
	if s == nil {
		w.Array(0)
		return nil
	}
	limit := int64(0) // unlimited
	if count.Set {
		if count.V <= 0 {
			w.NullArray()
			return nil
		}
		limit = count.V
	}
	s.replyRange(start, end, limit, rev, w)
	return nil
}

// replyRange writes the live entries in [start, end] as an array of
// [id, [field, value, ...]], at most limit of them (0: all).
func (s *Stream) replyRange(start, end StreamID, limit int64, rev bool, w ReplyWriter) {
	// The array length comes first, so count before writing; an ascending
	// write resumes where the count found the first entry.
	var n int64
	var firstNode *streamNode
	firstOff := 0
	count := func(node *streamNode, en *streamEntry) bool {
		if n == 0 {
			firstNode, firstOff = node, en.off
		}
		n++
		return limit == 0 || n < limit
	}
	write := func(node *streamNode, en *streamEntry) bool {
		s.writeEntry(node, en, w)
		n--
		return n > 0
	}
	if rev {
		s.descend(start, end, count)
		w.Array(int(n))
		if n > 0 {
			s.descend(start, end, write)
		}
		return
	}
	s.ascend(start, end, count)
	w.Array(int(n))
	if n > 0 {
		s.ascendAt(firstNode, firstOff, end, write)
	}
}

// writeEntry writes one entry as [id, [field, value, ...]].
func (s *Stream) writeEntry(n *streamNode, en *streamEntry, w ReplyWriter) {
	w.Array(2)
	w.Bulk(en.id.Append(s.idBuf[:0]))
	w.Array(2 * n.numPairs(en))
	n.pairs(en, func(f, v []byte) {
		w.Bulk(f)
		w.Bulk(v)
	})
}

// appendPairs appends the entry's fields and values, alternating, to dst.
// They alias the node's memory.
func (n *streamNode) appendPairs(dst [][]byte, en *streamEntry) [][]byte {
	n.pairs(en, func(f, v []byte) { dst = append(dst, f, v) })
	return dst
}

// XDel deletes entries by ID and counts those that existed (xdelCommand).
// A missing key answers 0 before the IDs are even parsed, as in Redis.
func (e *Engine) XDel(c *Client, a generated.XDelArgs, w ReplyWriter) error {
	ent, s, err := e.readStream(c.DB, a.Key)
	if err != nil {
		return err
	}
	if s == nil {
		w.Int(0)
		return nil
	}
	ids := make([]StreamID, len(a.ID))
	for i, b := range a.ID {
		if ids[i], err = ParseStreamID(b, 0); err != nil {
			return err
		}
	}
	var deleted int64
	first := false
	for _, id := range ids {
		if !s.delete(id) {
			continue
		}
		deleted++
		first = first || id == s.firstID
		if s.maxDeletedID.Less(id) {
			s.maxDeletedID = id
		}
	}
	if deleted > 0 {
		if s.length == 0 {
			s.firstID = StreamID{}
		} else if first {
			s.refreshFirstID()
		}
		e.signal(c.DB, ent.key)
	}
	e.dirty += deleted
	w.Int(deleted)
	return nil
}

// XTrim trims a stream and counts the entries removed; a missing key
// answers 0 once the arguments are valid. The options come in any order
// (the trim block is parsed as an option), so the strategy may be missing.
func (e *Engine) XTrim(c *Client, a generated.XTrimArgs, w ReplyWriter) error {
	t, err := parseTrim(a.Trim.Set, a.Trim.Strategy, a.Trim.Operator, a.Trim.Threshold)
	if err != nil {
		return err
	}
	t.refs = refPolicy(a.Condition)
	if !a.Trim.Set && a.Trim.Count.V == 0 {
		return ErrXTrimNoStrategy
	}
	if err := e.finishTrim(&t, a.Trim.Count); err != nil {
		return err
	}
	ent, s, err := e.readStream(c.DB, a.Key)
	if err != nil {
		return err
	}
	if s == nil {
		w.Int(0)
		return nil
	}
	n := s.trim(t)
	if n > 0 {
		e.signal(c.DB, ent.key)
	}
	e.dirty += n
	w.Int(n)
	return nil
}

// XSetID sets last-generated-id and optionally entries-added and
// max-deleted-entry-id (xsetidCommand, with the 7.2 check against the
// current max-deleted-entry-id).
func (e *Engine) XSetID(c *Client, a generated.XSetIDArgs, w ReplyWriter) error {
	id, err := ParseStreamID(a.LastID, 0)
	if err != nil {
		return err
	}
	// The parser has checked ENTRIESADDED (min 0) and MAXDELETEDID (a
	// strict ID no greater than last-id: checkMaxDeletedID).
	var maxDel StreamID
	if a.MaxDeletedID.Set {
		if maxDel, err = ParseStreamID(a.MaxDeletedID.V, 0); err != nil {
			return err
		}
	}
	_, s, err := e.readStream(c.DB, a.Key)
	if err != nil {
		return err
	}
	if s == nil {
		return ErrNoSuchKey
	}
	if id.Less(s.maxDeletedID) {
		return ErrXSetIDMaxDeleted
	}
	if s.length > 0 {
		if last, _ := s.lastLive(); id.Less(last) {
			return ErrXSetIDSmall
		}
		if a.EntriesAdded.Set && s.length > a.EntriesAdded.V {
			return ErrXSetIDEntriesAdded
		}
	}
	s.lastID = id
	if a.EntriesAdded.Set {
		s.entriesAdded = a.EntriesAdded.V
	}
	if !maxDel.IsZero() {
		s.maxDeletedID = maxDel
	}
	e.dirty++
	w.Simple("OK")
	return nil
}

var xinfoHelp = []string{
	"XINFO <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
	"CONSUMERS <key> <groupname>",
	"    Show consumers of <groupname>.",
	"GROUPS <key>",
	"    Show the stream consumer groups.",
	"STREAM <key> [FULL [COUNT <count>]",
	"    Show information about the stream.",
}

// XInfoHelp lists the XINFO subcommands (addReplyHelp).
func (e *Engine) XInfoHelp(c *Client, a generated.XInfoHelpArgs, w ReplyWriter) error {
	WriteHelp(w, xinfoHelp)
	return nil
}

// XInfoStream describes a stream (xinfoReplyWithStreamInfo): a map of 10
// fields, or with FULL 9, whose entries field lists up to COUNT entries
// (default 10, 0 for all, a negative COUNT meaning 10). A missing key is
// an error. With FULL, groups lists each group with its PEL and consumers.
func (e *Engine) XInfoStream(c *Client, a generated.XInfoStreamArgs, w ReplyWriter) error {
	_, s, err := e.readStream(c.DB, a.Key)
	if err != nil {
		return err
	}
	if s == nil {
		return ErrNoSuchKey
	}
	// The options are parsed after the key lookup (late_errors).
	if a.Err != nil {
		return a.Err
	}
	full := a.FullBlock.Set
	buf := &s.idBuf
	if full {
		w.Map(9)
	} else {
		w.Map(10)
	}
	w.BulkString("length")
	w.Int(s.length)
	w.BulkString("radix-tree-keys")
	w.Int(int64(s.nodes.Len()))
	w.BulkString("radix-tree-nodes")
	w.Int(int64(s.raxNodes()))
	w.BulkString("last-generated-id")
	w.Bulk(s.lastID.Append(buf[:0]))
	w.BulkString("max-deleted-entry-id")
	w.Bulk(s.maxDeletedID.Append(buf[:0]))
	w.BulkString("entries-added")
	w.Int(s.entriesAdded)
	w.BulkString("recorded-first-entry-id")
	w.Bulk(s.firstID.Append(buf[:0]))
	if full {
		count := int64(10)
		if a.FullBlock.Count.Set && a.FullBlock.Count.V >= 0 {
			count = a.FullBlock.Count.V
		}
		w.BulkString("entries")
		s.replyRange(StreamID{}, MaxStreamID, count, false, w)
		w.BulkString("groups")
		s.replyGroupsFull(count, w)
		return nil
	}
	w.BulkString("groups")
	w.Int(int64(len(s.groups)))
	w.BulkString("first-entry")
	s.replyEdge(false, w)
	w.BulkString("last-entry")
	s.replyEdge(true, w)
	return nil
}

// replyEdge writes the first (or last) live entry as [id, [field, value,
// ...]], or null when the stream is empty.
func (s *Stream) replyEdge(last bool, w ReplyWriter) {
	found := false
	write := func(n *streamNode, en *streamEntry) bool {
		s.writeEntry(n, en, w)
		found = true
		return false
	}
	if last {
		s.descend(StreamID{}, MaxStreamID, write)
	} else {
		s.ascend(StreamID{}, MaxStreamID, write)
	}
	if !found {
		w.Null()
	}
}

// parseIDsBlock checks XDELEX's and XACKDEL's IDS block as Redis's parser
// does: numids must match the IDs given (fewer is its own error), and
// what follows the IDs may only be more reference-policy tokens. It
// returns the IDs and the policy.
func parseIDsBlock(set bool, numids int64, ids [][]byte, cond string) ([]StreamID, int, error) {
	if !set {
		return nil, 0, ErrSyntax
	}
	if int64(len(ids)) < numids {
		return nil, 0, ErrNumIDsMismatch
	}
	for _, tok := range ids[numids:] {
		var t string
		switch {
		case bytes.EqualFold(tok, []byte("KEEPREF")):
			t = "KEEPREF"
		case bytes.EqualFold(tok, []byte("DELREF")):
			t = "DELREF"
		case bytes.EqualFold(tok, []byte("ACKED")):
			t = "ACKED"
		default:
			return nil, 0, ErrSyntax
		}
		if cond != "" && cond != t {
			return nil, 0, ErrSyntax
		}
		cond = t
	}
	out := make([]StreamID, numids)
	for i := range out {
		var err error
		if out[i], err = ParseStreamID(ids[i], 0); err != nil {
			return nil, 0, err
		}
	}
	return out, refPolicy(cond), nil
}

// deleteWithRefs deletes id under the policy refs and returns XDELEX's
// code, in xdelexCommand's order: ACKED first asks whether a group still
// needs the ID (pending in a PEL, or not yet delivered to some group) and
// answers 2 if so, whether or not the entry still exists; DELREF drops
// every group's reference, even to an ID already gone; then the entry is
// deleted (1) or found missing (-1). The caller finishes the bookkeeping
// (finishDeletes).
func (s *Stream) deleteWithRefs(id StreamID, refs int) int64 {
	switch refs {
	case refAcked:
		if s.referenced(id) {
			return 2
		}
	case refDel:
		s.dropRefs(id)
	}
	if !s.delete(id) {
		return -1
	}
	if s.maxDeletedID.Less(id) {
		s.maxDeletedID = id
	}
	return 1
}

// finishDeletes updates recorded-first-entry-id after deletions.
func (s *Stream) finishDeletes() {
	if s.length == 0 {
		s.firstID = StreamID{}
	} else {
		s.refreshFirstID()
	}
}

// XDelEx deletes entries by ID under a reference policy (xdelexCommand):
// one code per ID, all -1 for a missing key.
func (e *Engine) XDelEx(c *Client, a generated.XDelExArgs, w ReplyWriter) error {
	ids, refs, err := parseIDsBlock(a.Ids.Set, a.Ids.Numids, a.Ids.ID, a.Condition)
	if err != nil {
		return err
	}
	ent, s, err := e.readStream(c.DB, a.Key)
	if err != nil {
		return err
	}
	w.Array(len(ids))
	if s == nil {
		for range ids {
			w.Int(-1)
		}
		return nil
	}
	deleted := false
	for _, id := range ids {
		// One change per ID that deletes an entry or, with DELREF, drops
		// pending references (xdelexCommand since redis/redis#15569, 8.12).
		dropsRefs := refs == refDel && s.pendingAnywhere(id)
		r := s.deleteWithRefs(id, refs)
		deleted = deleted || r == 1
		if r == 1 || dropsRefs {
			e.dirty++
		}
		w.Int(r)
	}
	if deleted {
		s.finishDeletes()
		e.signal(c.DB, ent.key)
	}
	return nil
}
