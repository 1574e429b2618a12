package engine

import (
	"bytes"
	"encoding/binary"
	"fmt"

	"github.com/redcurrent/redcurrent/generated"
	"github.com/tidwall/btree"
)

// This file is t_stream.c's low-level stream code: storage, appending,
// deleting and trimming. Nothing here knows about commands or replies.
//
// A stream is an ordered map from a node's first ID to the node, as Redis's
// is a radix tree of listpacks. Each node packs consecutive entries into one
// byte block:
//
//	fields: uvarint count, then per field: uvarint length, bytes
//	entry:  flags byte, uvarint ms delta, zigzag seq delta (both against
//	        the node's first ID), uvarint length of the rest (so a scan
//	        skips an entry in O(1)), then [uvarint field count, fields and
//	        values] unless flagSameFields, else values only, each as
//	        uvarint length, bytes
//
// Deleting an entry sets flagDeleted in place. A node closes exactly when
// Redis's would, so approximate trimming and XINFO's radix-tree numbers
// agree with Redis: that needs Redis's listpack size, which lpBytes models.

// Entry flags, as STREAM_ITEM_FLAG_* (the values matter: the listpack model
// encodes them as integers).
const (
	flagDeleted    = 1
	flagSameFields = 2
)

// streamListpackMaxSize is STREAM_LISTPACK_MAX_SIZE: the node byte limit
// used when stream-node-max-bytes is 0 or larger.
const streamListpackMaxSize = 1 << 30

// Stream is a stream value. The zero value is not usable; see newStream.
// Every method assumes e.mu is held.
type Stream struct {
	nodes *btree.BTreeG[*streamNode]
	hint  btree.PathHint
	// head and tail are the first and last nodes (nil when there is none);
	// nodes are also linked in order, so scans walk without the tree.
	head, tail *streamNode
	// pivot, found and floor serve nodeFor's tree search without
	// allocating per call; idBuf formats IDs for replies.
	pivot streamNode
	found *streamNode
	floor func(n *streamNode) bool
	idBuf [41]byte

	length       int64
	lastID       StreamID // last-generated-id
	firstID      StreamID // recorded-first-entry-id: the first live ID, 0-0 when empty
	maxDeletedID StreamID // max-deleted-entry-id
	entriesAdded int64

	groups map[string]*Group // consumer groups by name; nil when there are none
}

// streamNode is one macro node: Redis's listpack behind one radix-tree key.
type streamNode struct {
	first StreamID // the master ID: the first entry's ID and the node's key
	last  StreamID // the last entry's ID, deleted or not
	// fields are the master fields (the first entry's names); nfields counts them.
	fields  []byte
	nfields int
	data    []byte // the entries
	count   int    // entries in data, live and deleted
	prev    *streamNode
	next    *streamNode
	live    int
	// lpBase is the size of Redis's listpack for this node without its
	// live and deleted counters, which change in place (lpBytes adds them).
	lpBase int
}

func byFirstID(a, b *streamNode) bool { return a.first.Less(b.first) }

func newStream() *Stream {
	s := &Stream{nodes: btree.NewBTreeGOptions(byFirstID, btree.Options{NoLocks: true})}
	s.floor = func(n *streamNode) bool {
		s.found = n
		return false
	}
	return s
}

// link appends n after the tail.
func (s *Stream) link(n *streamNode) {
	n.prev, n.next = s.tail, nil
	if s.tail != nil {
		s.tail.next = n
	} else {
		s.head = n
	}
	s.tail = n
}

func (s *Stream) Type() string     { return "stream" }
func (s *Stream) Encoding() string { return "stream" }

// Clone deep-copies the stream (COPY).
func (s *Stream) Clone() Value {
	c := newStream()
	c.length, c.lastID, c.firstID = s.length, s.lastID, s.firstID
	c.maxDeletedID, c.entriesAdded = s.maxDeletedID, s.entriesAdded
	s.nodes.Scan(func(n *streamNode) bool {
		m := *n
		m.fields = bytes.Clone(n.fields)
		m.data = bytes.Clone(n.data)
		c.nodes.SetHint(&m, &c.hint)
		c.link(&m)
		return true
	})
	s.cloneGroups(c)
	return c
}

// Len is the number of live entries; 0 for a nil stream (a missing key).
func (s *Stream) Len() int64 {
	if s == nil {
		return 0
	}
	return s.length
}

// ---- listpack size model (listpack.c) ----

// lpIntSize is the size of an integer element: lpEncodeIntegerGetType's
// encoding plus a one-byte back-length.
func lpIntSize(v int64) int {
	switch {
	case v >= 0 && v <= 127:
		return 2
	case v >= -4096 && v <= 4095:
		return 3
	case v >= -32768 && v <= 32767:
		return 4
	case v >= -8388608 && v <= 8388607:
		return 5
	case v >= -2147483648 && v <= 2147483647:
		return 6
	}
	return 10
}

// lpStrSize is the size of a string element: stored as an integer when it
// is one (lpStringToInt64 is string2ll), else a 6-, 12- or 32-bit length
// header, the bytes and the back-length (lpEncodeBacklen).
func lpStrSize(b []byte) int {
	if n, ok := generated.ParseInt(b); ok {
		return lpIntSize(n)
	}
	var l int
	switch {
	case len(b) < 64:
		l = 1 + len(b)
	case len(b) < 4096:
		l = 2 + len(b)
	default:
		l = 5 + len(b)
	}
	return l + lpBacklenSize(l)
}

func lpBacklenSize(l int) int {
	switch {
	case l <= 127:
		return 1
	case l < 16383:
		return 2
	case l < 2097151:
		return 3
	case l < 268435455:
		return 4
	}
	return 5
}

// lpHeaderSize is a listpack's header (total bytes, element count) plus its
// end marker.
const lpHeaderSize = 7

// lpBytes is Redis's lpBytes for the node.
func (n *streamNode) lpBytes() int {
	return n.lpBase + lpIntSize(int64(n.live)) + lpIntSize(int64(n.count-n.live))
}

// lpEntrySize is the listpack size of one entry (streamAppendItem's
// layout: flags, ms and seq deltas, [field count and fields], values,
// element count).
func lpEntrySize(first, id StreamID, fv [][]byte, same bool) int {
	nf := len(fv) / 2
	size := lpIntSize(flagSameFields) + lpIntSize(int64(id.Ms-first.Ms)) + lpIntSize(int64(id.Seq-first.Seq))
	lpCount := nf + 3
	if !same {
		size += lpIntSize(int64(nf))
		lpCount += nf + 1
	}
	for i := 0; i < len(fv); i += 2 {
		if !same {
			size += lpStrSize(fv[i])
		}
		size += lpStrSize(fv[i+1])
	}
	return size + lpIntSize(int64(lpCount))
}

// ---- node encoding ----

func newStreamNode(id StreamID, fv [][]byte) *streamNode {
	n := &streamNode{first: id, last: id, nfields: len(fv) / 2}
	n.fields = binary.AppendUvarint(n.fields, uint64(n.nfields))
	n.lpBase = lpHeaderSize + lpIntSize(int64(n.nfields)) + lpIntSize(0)
	for i := 0; i < len(fv); i += 2 {
		n.fields = appendBytes(n.fields, fv[i])
		n.lpBase += lpStrSize(fv[i])
	}
	return n
}

func appendBytes(b, v []byte) []byte {
	b = binary.AppendUvarint(b, uint64(len(v)))
	return append(b, v...)
}

// readBytes reads a length-prefixed byte string at off.
func readBytes(b []byte, off int) ([]byte, int) {
	l, k := binary.Uvarint(b[off:])
	off += k
	return b[off : off+int(l)], off + int(l)
}

// sameFields reports whether fv's names are the master fields, in order.
func (n *streamNode) sameFields(fv [][]byte) bool {
	if len(fv)/2 != n.nfields {
		return false
	}
	_, off := binary.Uvarint(n.fields)
	for i := 0; i < len(fv); i += 2 {
		var f []byte
		f, off = readBytes(n.fields, off)
		if !bytes.Equal(f, fv[i]) {
			return false
		}
	}
	return true
}

// add appends an entry to the node.
func (n *streamNode) add(id StreamID, fv [][]byte) {
	same := n.sameFields(fv)
	flags := byte(0)
	if same {
		flags = flagSameFields
	}
	n.lpBase += lpEntrySize(n.first, id, fv, same)
	d := append(n.data, flags)
	d = binary.AppendUvarint(d, id.Ms-n.first.Ms)
	d = binary.AppendVarint(d, int64(id.Seq-n.first.Seq))
	body := 0
	if !same {
		body += uvarintLen(uint64(len(fv) / 2))
	}
	for i := 0; i < len(fv); i += 2 {
		if !same {
			body += uvarintLen(uint64(len(fv[i]))) + len(fv[i])
		}
		body += uvarintLen(uint64(len(fv[i+1]))) + len(fv[i+1])
	}
	d = binary.AppendUvarint(d, uint64(body))
	if !same {
		d = binary.AppendUvarint(d, uint64(len(fv)/2))
	}
	for i := 0; i < len(fv); i += 2 {
		if !same {
			d = appendBytes(d, fv[i])
		}
		d = appendBytes(d, fv[i+1])
	}
	n.data = d
	n.count++
	n.live++
	n.last = id
}

func uvarintLen(v uint64) int {
	n := 1
	for v >= 0x80 {
		v >>= 7
		n++
	}
	return n
}

// streamEntry is a decoded entry header; its fields stay in the node.
type streamEntry struct {
	id    StreamID
	flags byte
	off   int // offset of the flags byte in data
	body  int // offset of the field count (or the first value when same)
	end   int // offset of the next entry
}

func (e *streamEntry) deleted() bool { return e.flags&flagDeleted != 0 }

// decode reads the entry at off.
func (n *streamNode) decode(off int, e *streamEntry) {
	e.off = off
	e.flags = n.data[off]
	p := off + 1
	ms, k := binary.Uvarint(n.data[p:])
	p += k
	seq, k := binary.Varint(n.data[p:])
	p += k
	e.id = StreamID{n.first.Ms + ms, n.first.Seq + uint64(seq)}
	body, k := binary.Uvarint(n.data[p:])
	e.body = p + k
	e.end = e.body + int(body)
}

// pairs calls fn for each field and value of e, in order.
func (n *streamNode) pairs(e *streamEntry, fn func(f, v []byte)) {
	p := e.body
	if e.flags&flagSameFields == 0 {
		nf, k := binary.Uvarint(n.data[p:])
		p += k
		for i := uint64(0); i < nf; i++ {
			var f, v []byte
			f, p = readBytes(n.data, p)
			v, p = readBytes(n.data, p)
			fn(f, v)
		}
		return
	}
	_, q := binary.Uvarint(n.fields)
	for i := 0; i < n.nfields; i++ {
		var f, v []byte
		f, q = readBytes(n.fields, q)
		v, p = readBytes(n.data, p)
		fn(f, v)
	}
}

// numPairs is the number of field/value pairs of e.
func (n *streamNode) numPairs(e *streamEntry) int {
	if e.flags&flagSameFields != 0 {
		return n.nfields
	}
	v, _ := binary.Uvarint(n.data[e.body:])
	return int(v)
}

// offsets returns the offsets of the node's entries, in order, into buf.
func (n *streamNode) offsets(buf []int) []int {
	var e streamEntry
	for off := 0; off < len(n.data); off = e.end {
		n.decode(off, &e)
		buf = append(buf, off)
	}
	return buf
}

// ---- appending ----

// nextID is the ID XADD would give a new entry (streamAppendItem's ID
// logic): given is the explicit ID (nil for "*"), seqGiven false for
// "ms-*". It fails with ErrStreamExhausted or ErrIDTooSmall.
func (s *Stream) nextID(nowMs uint64, given *StreamID, seqGiven bool) (StreamID, error) {
	if s.lastID == MaxStreamID {
		return StreamID{}, ErrStreamExhausted
	}
	var id StreamID
	switch {
	case given == nil:
		// IDs never go backwards, even when the clock does: reuse the
		// last ms and bump seq (streamNextID).
		if s.lastID.Ms >= nowMs {
			id, _ = s.lastID.Incr()
		} else {
			id = StreamID{nowMs, 0}
		}
	case !seqGiven && given.Ms == s.lastID.Ms:
		if s.lastID.Seq == MaxStreamID.Seq {
			return StreamID{}, ErrIDTooSmall
		}
		id = StreamID{given.Ms, s.lastID.Seq + 1}
	default:
		id = *given
	}
	if id.Compare(s.lastID) <= 0 {
		return StreamID{}, ErrIDTooSmall
	}
	return id, nil
}

// nodeLimits are stream-node-max-entries and stream-node-max-bytes.
type nodeLimits struct {
	maxEntries int64
	maxBytes   int64
}

// append adds an entry with id, which must be greater than lastID, and the
// field/value pairs fv (streamAppendItem). A new node starts exactly when
// Redis starts a new listpack.
func (s *Stream) append(id StreamID, fv [][]byte, lim nodeLimits) {
	n := s.tail
	if n != nil {
		maxBytes := lim.maxBytes
		if maxBytes <= 0 || maxBytes > streamListpackMaxSize {
			maxBytes = streamListpackMaxSize
		}
		total := 0
		for _, b := range fv {
			total += len(b)
		}
		if int64(n.lpBytes()+total) >= maxBytes ||
			lim.maxEntries > 0 && int64(n.count) >= lim.maxEntries {
			n = nil
		}
	}
	if n == nil {
		n = newStreamNode(id, fv)
		s.nodes.SetHint(n, &s.hint)
		s.link(n)
	}
	n.add(id, fv)
	s.length++
	s.entriesAdded++
	s.lastID = id
	if s.length == 1 {
		s.firstID = id
	}
}

// ---- lookup and deletion ----

// nodeFor returns the node that would hold id: the last node whose first
// ID is at most id, or nil.
func (s *Stream) nodeFor(id StreamID) *streamNode {
	s.pivot.first = id
	s.found = nil
	s.nodes.Descend(&s.pivot, s.floor)
	return s.found
}

// removeNode drops n from the tree and the node list.
func (s *Stream) removeNode(n *streamNode) {
	s.nodes.Delete(n)
	if n.prev != nil {
		n.prev.next = n.next
	} else {
		s.head = n.next
	}
	if n.next != nil {
		n.next.prev = n.prev
	} else {
		s.tail = n.prev
	}
	n.prev, n.next = nil, nil
}

// delete marks the live entry id deleted and reports whether it existed
// (streamDeleteItem). A node left without live entries is removed. The
// caller updates firstID and maxDeletedID (xdelCommand does).
func (s *Stream) delete(id StreamID) bool {
	n := s.nodeFor(id)
	if n == nil || n.last.Less(id) {
		return false
	}
	var e streamEntry
	for off := 0; off < len(n.data); off = e.end {
		n.decode(off, &e)
		// Deleted entries are skipped before comparing, as Redis's
		// iterator does: XSETID can move last-generated-id below a
		// deleted entry, so a later entry may sort before it.
		if e.deleted() {
			continue
		}
		if c := e.id.Compare(id); c > 0 {
			return false
		} else if c < 0 {
			continue
		}
		s.length--
		if n.live == 1 {
			s.removeNode(n)
			return true
		}
		n.data[off] |= flagDeleted
		n.live--
		return true
	}
	return false
}

// refreshFirstID recomputes recorded-first-entry-id after deletions.
func (s *Stream) refreshFirstID() {
	s.firstID = StreamID{}
	if s.length == 0 {
		return
	}
	s.ascend(StreamID{}, MaxStreamID, func(n *streamNode, e *streamEntry) bool {
		s.firstID = e.id
		return false
	})
}

// ---- iteration ----

// ascend calls fn for each live entry with start <= id <= end, in order,
// until fn returns false.
func (s *Stream) ascend(start, end StreamID, fn func(n *streamNode, e *streamEntry) bool) {
	if end.Less(start) {
		return
	}
	n := s.nodeFor(start)
	if n == nil {
		n = s.head
	}
	var e streamEntry
	for ; n != nil && !end.Less(n.first); n = n.next {
		if n.last.Less(start) {
			continue
		}
		for off := 0; off < len(n.data); off = e.end {
			n.decode(off, &e)
			if !e.id.Less(start) {
				s.ascendAt(n, off, end, fn)
				return
			}
		}
	}
}

// ascendAt is ascend from the entry at offset off of node n, which must
// not be after end: a caller that has found its first entry resumes there.
func (s *Stream) ascendAt(n *streamNode, off int, end StreamID, fn func(n *streamNode, e *streamEntry) bool) {
	var e streamEntry
	for ; n != nil && !end.Less(n.first); n, off = n.next, 0 {
		for ; off < len(n.data); off = e.end {
			n.decode(off, &e)
			if e.deleted() {
				continue
			}
			if end.Less(e.id) || !fn(n, &e) {
				return
			}
		}
	}
}

// descend calls fn for each live entry with start <= id <= end, in reverse
// order, until fn returns false.
func (s *Stream) descend(start, end StreamID, fn func(n *streamNode, e *streamEntry) bool) {
	if end.Less(start) {
		return
	}
	var e streamEntry
	var buf [128]int
	for n := s.nodeFor(end); n != nil && !n.last.Less(start); n = n.prev {
		offs := n.offsets(buf[:0])
		for i := len(offs) - 1; i >= 0; i-- {
			n.decode(offs[i], &e)
			if end.Less(e.id) || e.deleted() {
				continue
			}
			if e.id.Less(start) || !fn(n, &e) {
				return
			}
		}
	}
}

// lastLive returns the last live entry's ID (streamLastValidID), or false.
func (s *Stream) lastLive() (StreamID, bool) {
	var id StreamID
	ok := false
	s.descend(StreamID{}, MaxStreamID, func(n *streamNode, e *streamEntry) bool {
		id, ok = e.id, true
		return false
	})
	return id, ok
}

// ---- trimming ----

// Trim strategies.
const (
	trimNone = iota
	trimMaxLen
	trimMinID
)

// trimArgs is what XADD and XTRIM parsed (streamAddTrimArgs).
type trimArgs struct {
	strategy int
	maxLen   int64
	minID    StreamID
	approx   bool
	limit    int64 // 0: unlimited
	refs     int   // refKeep, refDel or refAcked
}

// Reference policies (KEEPREF, DELREF, ACKED): what deleting an entry does
// about consumer groups' references to it.
const (
	refKeep  = iota // delete, leave PEL references (the default)
	refDel          // delete and remove every group's PEL reference
	refAcked        // delete only entries no group still needs
)

// refPolicy maps the parsed KEEPREF | DELREF | ACKED token to a policy.
func refPolicy(tok string) int {
	switch tok {
	case "DELREF":
		return refDel
	case "ACKED":
		return refAcked
	}
	return refKeep
}

// referenced reports whether a group still needs id: it is pending in a
// group's PEL, or a group has not been delivered it yet. A stream without
// groups references nothing.
func (s *Stream) referenced(id StreamID) bool {
	for _, g := range s.groups {
		if g.lastID.Less(id) || g.pel.get(id) != nil {
			return true
		}
	}
	return false
}

// pendingAnywhere reports whether id is pending in some group.
func (s *Stream) pendingAnywhere(id StreamID) bool {
	for _, g := range s.groups {
		if g.pel.get(id) != nil {
			return true
		}
	}
	return false
}

// dropRefs removes id from every group's PEL (DELREF).
func (s *Stream) dropRefs(id StreamID) {
	for _, g := range s.groups {
		g.ack(id)
	}
}

// trimEntries marks the live entries of n deleted, in order, until stop
// says so; with refAcked entries still referenced are skipped, with refDel
// their references are dropped. It returns how many it deleted.
func (s *Stream) trimEntries(n *streamNode, refs int, stop func(id StreamID) bool) int64 {
	var deleted int64
	var e streamEntry
	for off := 0; off < len(n.data); off = e.end {
		n.decode(off, &e)
		if stop != nil && stop(e.id) {
			break
		}
		if e.deleted() {
			continue
		}
		if refs == refAcked && s.referenced(e.id) {
			continue
		}
		n.data[off] |= flagDeleted
		n.live--
		s.length--
		deleted++
		if refs == refDel {
			s.dropRefs(e.id)
		}
	}
	return deleted
}

// trim removes entries as streamTrim does and returns how many: whole nodes
// from the head while they can all go (within limit), then, unless approx
// under KEEPREF, entries of the next node are marked deleted until the
// target is met.
func (s *Stream) trim(t trimArgs) int64 {
	if t.strategy == trimNone {
		return 0
	}
	var deleted int64
	for n := s.head; n != nil; {
		next := n.next
		if t.strategy == trimMaxLen && s.length <= t.maxLen {
			break
		}
		entries := int64(n.live)
		if t.limit != 0 && deleted+entries > t.limit {
			break
		}
		var remove bool
		if t.strategy == trimMaxLen {
			remove = s.length-entries >= t.maxLen
		} else {
			remove = n.last.Less(t.minID)
		}
		if remove && t.refs == refKeep {
			s.removeNode(n)
			s.length -= entries
			deleted += entries
			n = next
			continue
		}
		if remove {
			// DELREF and ACKED look at each entry (ACKED skips those a
			// group still needs); a node left without live entries goes,
			// and trimming goes on with the next node.
			deleted += s.trimEntries(n, t.refs, nil)
			if n.live == 0 {
				s.removeNode(n)
			}
			n = next
			continue
		}
		// "~" stops at the first node it cannot drop whole only under
		// KEEPREF: with DELREF or ACKED streamTrim goes into that node
		// entry by entry, as it does without "~".
		if t.approx && t.refs == refKeep {
			break
		}
		deleted += s.trimEntries(n, t.refs, func(id StreamID) bool {
			return t.strategy == trimMaxLen && s.length <= t.maxLen ||
				t.strategy == trimMinID && id.Compare(t.minID) >= 0
		})
		// A node can be left with no live entries here (MINID past every
		// live entry but not its last): Redis keeps it too.
		break
	}
	if s.length == 0 {
		s.firstID = StreamID{}
	} else if deleted > 0 {
		s.refreshFirstID()
	}
	return deleted
}

// ---- introspection ----

// raxNodes is the node count of the radix tree Redis would hold for these
// node keys (XINFO radix-tree-nodes). Keys are 16 bytes (ms, seq big
// endian), so each is a leaf; rax has a node for the root, each leaf, each
// branching point and each child of a branching point, and compresses
// every chain between them into one node.
func (s *Stream) raxNodes() int {
	set := map[string]struct{}{"": {}}
	var prev []byte
	s.nodes.Scan(func(n *streamNode) bool {
		k := make([]byte, 16)
		binary.BigEndian.PutUint64(k, n.first.Ms)
		binary.BigEndian.PutUint64(k[8:], n.first.Seq)
		set[string(k)] = struct{}{}
		if prev != nil {
			d := 0
			for d < 16 && prev[d] == k[d] {
				d++
			}
			set[string(k[:d])] = struct{}{}
			set[string(k[:d+1])] = struct{}{}
			set[string(prev[:d+1])] = struct{}{}
		}
		prev = k
		return true
	})
	return len(set)
}

// check verifies the stream's invariants: node order and contents, counts,
// the listpack size model, and the recorded IDs. Tests call it after every
// step.
func (s *Stream) check() error {
	var length int64
	// Live entries are strictly ordered. Deleted ones may not be: XSETID
	// can move last-generated-id below a deleted entry (as in Redis).
	var prevLive StreamID
	seenLiveAny := false
	var lastNode, prevNode *streamNode
	firstLive := StreamID{}
	seenLive := false
	var err error
	s.nodes.Scan(func(n *streamNode) bool {
		if n.prev != prevNode || prevNode == nil && s.head != n || prevNode != nil && prevNode.next != n {
			err = fmt.Errorf("node %s: list links disagree with the tree", n.first)
			return false
		}
		prevNode = n

		// Recompute the listpack size from scratch.
		lpBase := lpHeaderSize + lpIntSize(int64(n.nfields)) + lpIntSize(0)
		_, off := binary.Uvarint(n.fields)
		for i := 0; i < n.nfields; i++ {
			var f []byte
			f, off = readBytes(n.fields, off)
			lpBase += lpStrSize(f)
		}
		var e streamEntry
		count, live := 0, 0
		var prev StreamID
		for off := 0; off < len(n.data); off = e.end {
			n.decode(off, &e)
			if count == 0 && e.id != n.first {
				err = fmt.Errorf("node %s: first entry is %s", n.first, e.id)
				return false
			}
			if !e.deleted() {
				if seenLiveAny && !prevLive.Less(e.id) {
					err = fmt.Errorf("node %s: live entry %s after %s", n.first, e.id, prevLive)
					return false
				}
				prevLive, seenLiveAny = e.id, true
			}
			var fv [][]byte
			n.pairs(&e, func(f, v []byte) { fv = append(fv, f, v) })
			if len(fv) == 0 {
				err = fmt.Errorf("node %s: entry %s has no fields", n.first, e.id)
				return false
			}
			lpBase += lpEntrySize(n.first, e.id, fv, e.flags&flagSameFields != 0)
			prev = e.id
			count++
			if !e.deleted() {
				live++
				if !seenLive {
					firstLive, seenLive = e.id, true
				}
			}
		}
		switch {
		case count != n.count || live != n.live:
			err = fmt.Errorf("node %s: counts %d/%d, recorded %d/%d", n.first, count, live, n.count, n.live)
		case count == 0:
			err = fmt.Errorf("node %s is empty", n.first)
		case prev != n.last:
			err = fmt.Errorf("node %s: last entry %s, recorded %s", n.first, prev, n.last)
		case lpBase != n.lpBase:
			err = fmt.Errorf("node %s: listpack size %d, recorded %d", n.first, lpBase, n.lpBase)
		}
		if err != nil {
			return false
		}
		length += int64(live)
		lastNode = n
		return true
	})
	if err != nil {
		return err
	}
	switch {
	case lastNode != s.tail || lastNode != nil && lastNode.next != nil || lastNode == nil && s.head != nil:
		return fmt.Errorf("tail is not the last node")
	case length != s.length:
		return fmt.Errorf("length %d, recorded %d", length, s.length)
	case seenLiveAny && s.lastID.Less(prevLive):
		return fmt.Errorf("last-generated-id %s before entry %s", s.lastID, prevLive)
	case firstLive != s.firstID:
		return fmt.Errorf("first live entry %s, recorded %s", firstLive, s.firstID)
	case s.entriesAdded < s.length:
		return fmt.Errorf("entries-added %d below length %d", s.entriesAdded, s.length)
	}
	return nil
}
