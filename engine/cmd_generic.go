package engine

import (
	"math"
	"strconv"
	"strings"

	"github.com/redcurrent/redcurrent/generated"
)

// The keyspace ("generic") command group: db.c and expire.c in Redis. Every
// handler assumes e.mu is held.

// Del deletes keys and counts those that existed (delGenericCommand).
func (e *Engine) Del(c *Client, a generated.DelArgs, w ReplyWriter) error {
	w.Int(e.delKeys(c.DB, a.Key))
	return nil
}

// Unlink is Del: the engine frees memory the same way either way.
func (e *Engine) Unlink(c *Client, a generated.UnlinkArgs, w ReplyWriter) error {
	w.Int(e.delKeys(c.DB, a.Key))
	return nil
}

func (e *Engine) delKeys(dbi int, keys [][]byte) int64 {
	var n int64
	for _, k := range keys {
		if ent := e.lookup(dbi, k, false); ent != nil {
			e.remove(dbi, ent)
			n++
		}
	}
	e.dirty += n
	return n
}

// Exists counts the given keys that exist; a key named twice counts twice.
func (e *Engine) Exists(c *Client, a generated.ExistsArgs, w ReplyWriter) error {
	var n int64
	for _, k := range a.Key {
		if e.lookup(c.DB, k, false) != nil {
			n++
		}
	}
	w.Int(n)
	return nil
}

// Touch counts the given keys that exist, updating their access time.
func (e *Engine) Touch(c *Client, a generated.TouchArgs, w ReplyWriter) error {
	var n int64
	for _, k := range a.Key {
		// TOUCH updates the access time even in CLIENT NO-TOUCH mode, also
		// from a script (8.0-M02, redis/redis#13512: lookupKey checks the
		// executing command, not the caller's).
		if ent := e.lookup(c.DB, k, true); ent != nil {
			ent.access = e.nowMs()
			n++
		}
	}
	w.Int(n)
	return nil
}

// Type replies with the key's type name, "none" for a missing key.
func (e *Engine) Type(c *Client, a generated.TypeArgs, w ReplyWriter) error {
	w.Simple(e.typeOf(c.DB, a.Key))
	return nil
}

func (e *Engine) typeOf(dbi int, key []byte) string {
	ent := e.lookup(dbi, key, false)
	if ent == nil {
		return "none"
	}
	return ent.val.Type()
}

// Keys lists the live keys matching a glob pattern, in insertion order.
// Expired keys are skipped, not deleted, as in keysCommand.
func (e *Engine) Keys(c *Client, a generated.KeysArgs, w ReplyWriter) error {
	keys := e.keysMatching(c.DB, a.Pattern)
	w.Array(len(keys))
	for _, k := range keys {
		w.BulkString(k)
	}
	return nil
}

func (e *Engine) keysMatching(dbi int, pattern []byte) []string {
	all := len(pattern) == 1 && pattern[0] == '*'
	now := e.nowMs()
	var keys []string
	e.dbs[dbi].byseq.Scan(func(ent *entry) bool {
		if ent.expired(now) {
			return true
		}
		if all || GlobMatch(pattern, []byte(ent.key), false) {
			keys = append(keys, ent.key)
		}
		return true
	})
	return keys
}

// Scan iterates the keyspace. The cursor is an insertion sequence number:
// see (*Engine).scan for the guarantee. COUNT is the number of keys visited
// per call; MATCH and TYPE filter the visited keys afterwards, so a call
// may return fewer keys than COUNT, or none, before the end.
func (e *Engine) Scan(c *Client, a generated.ScanArgs, w ReplyWriter) error {
	count := int64(10)
	if a.Count.Set {
		count = a.Count.V
		if count < 1 {
			return ErrSyntax
		}
	}
	cursor := a.Cursor
	var pattern []byte
	if a.Pattern.Set && !(len(a.Pattern.V) == 1 && a.Pattern.V[0] == '*') {
		pattern = a.Pattern.V
	}
	var typ string
	if a.Type.Set {
		// An unknown name is no error: Redis reverted redis/redis#12395
		// (8afb72a32, before 8.0 GA) and skips every key instead.
		typ, _ = scanTypeName(a.Type.V)
	}
	var keys []string
	next := uint64(0)
	if cursor != math.MaxUint64 {
		next = e.scan(c.DB, cursor, int(min(count, math.MaxInt32)), pattern, func(ent *entry) {
			if a.Type.Set && typ != ent.val.Type() {
				return
			}
			keys = append(keys, ent.key)
		})
	}
	w.Array(2)
	w.Bulk(strconv.AppendUint(make([]byte, 0, 20), next, 10))
	w.Array(len(keys))
	for _, k := range keys {
		w.BulkString(k)
	}
	return nil
}

// RandomKey replies with a uniformly chosen live key, or null.
func (e *Engine) RandomKey(c *Client, a generated.RandomKeyArgs, w ReplyWriter) error {
	ent := e.randomKey(c.DB)
	if ent == nil {
		w.Null()
		return nil
	}
	w.BulkString(ent.key)
	return nil
}

// scanTypeName is SCAN's TYPE name (getObjectTypeByName): a type's name in
// any case, read as a C string (it ends at a NUL byte); ok is false for any
// other name.
func scanTypeName(v []byte) (name string, ok bool) {
	t := cString(v)
	for _, name := range []string{"string", "list", "set", "zset", "hash", "stream"} {
		if strings.EqualFold(t, name) {
			return name, true
		}
	}
	return "", false
}

// Rename moves a key to a new name, replacing any key there; TTL follows.
func (e *Engine) Rename(c *Client, a generated.RenameArgs, w ReplyWriter) error {
	if _, err := e.rename(c.DB, a.Key, a.Newkey, false); err != nil {
		return err
	}
	w.Simple("OK")
	return nil
}

// RenameNX is Rename that does nothing (0) when the new name exists.
func (e *Engine) RenameNX(c *Client, a generated.RenameNXArgs, w ReplyWriter) error {
	ok, err := e.rename(c.DB, a.Key, a.Newkey, true)
	if err != nil {
		return err
	}
	if ok {
		w.Int(1)
	} else {
		w.Int(0)
	}
	return nil
}

// rename is renameGenericCommand: renaming a key to itself succeeds (0 for
// RENAMENX) as long as it exists.
func (e *Engine) rename(dbi int, key, newKey []byte, nx bool) (bool, error) {
	ent := e.lookup(dbi, key, true)
	if ent == nil {
		return false, ErrNoSuchKey
	}
	if string(key) == string(newKey) {
		return !nx, nil
	}
	if dst := e.lookup(dbi, newKey, true); dst != nil {
		if nx {
			return false, nil
		}
		e.unlink(dbi, dst)
	}
	e.renameEntry(dbi, ent, dbi, string(newKey))
	e.dirty++
	return true, nil
}

// Copy copies a key's value and TTL to another name, optionally in another
// database (copyCommand); 0 when the source is missing or the destination
// exists without REPLACE.
func (e *Engine) Copy(c *Client, a generated.CopyArgs, w ReplyWriter) error {
	// copyCommand checks DB's index inside its option loop: a parse error
	// before DB or in its value comes first, then the index, then a parse
	// error after it (late_errors).
	if a.Err != nil && (!a.DestinationDB.Set || a.Err.Arg == "destination-db") {
		return a.Err
	}
	dst := c.DB
	if a.DestinationDB.Set {
		if !e.validDB(a.DestinationDB.V) {
			return ErrDBIndex
		}
		dst = int(a.DestinationDB.V)
	}
	if a.Err != nil {
		return a.Err
	}
	if dst == c.DB && string(a.Source) == string(a.Destination) {
		return ErrSameObject
	}
	ent := e.lookup(c.DB, a.Source, true)
	if ent == nil {
		w.Int(0)
		return nil
	}
	if old := e.lookup(dst, a.Destination, true); old != nil {
		if !a.Replace {
			w.Int(0)
			return nil
		}
		e.unlink(dst, old)
	}
	ne := e.add(dst, string(a.Destination), ent.val.Clone())
	e.dbs[dst].setExpire(ne, ent.expire)
	e.signal(dst, ne.key)
	e.dirty++
	w.Int(1)
	return nil
}

// Move moves a key to another database, keeping its TTL; 0 when it is
// missing or the destination already has the key.
func (e *Engine) Move(c *Client, a generated.MoveArgs, w ReplyWriter) error {
	if a.DB < math.MinInt32 || a.DB > math.MaxInt32 {
		return ErrIntRange
	}
	if !e.validDB(a.DB) {
		return ErrDBIndex
	}
	dst := int(a.DB)
	if dst == c.DB {
		return ErrSameObject
	}
	ent := e.lookup(c.DB, a.Key, true)
	if ent == nil || e.lookup(dst, a.Key, true) != nil {
		w.Int(0)
		return nil
	}
	e.renameEntry(c.DB, ent, dst, ent.key)
	e.dirty++
	w.Int(1)
	return nil
}

// Expire flags (expire.c's EXPIRE_NX ...).
const (
	expNX = 1 << iota
	expXX
	expGT
	expLT
)

// condFlags packs the parsed NX/XX/GT/LT tokens. The parser has already
// refused the combinations Redis refuses (parseExtendedExpireArgumentsOrReply):
// XX may be given together with GT or LT.
func condFlags(nx, xx, gt, lt bool) int {
	f := 0
	if nx {
		f |= expNX
	}
	if xx {
		f |= expXX
	}
	if gt {
		f |= expGT
	}
	if lt {
		f |= expLT
	}
	return f
}

// Expire sets a TTL in seconds.
func (e *Engine) Expire(c *Client, a generated.ExpireArgs, w ReplyWriter) error {
	return e.expireGeneric(c.DB, a.Key, a.Seconds, true, true, condFlags(a.Condition.NX, a.Condition.XX, a.Condition.GT, a.Condition.LT), "expire", w)
}

// PExpire sets a TTL in milliseconds.
func (e *Engine) PExpire(c *Client, a generated.PExpireArgs, w ReplyWriter) error {
	return e.expireGeneric(c.DB, a.Key, a.Milliseconds, false, true, condFlags(a.Condition.NX, a.Condition.XX, a.Condition.GT, a.Condition.LT), "pexpire", w)
}

// ExpireAt sets an expiry as a unix time in seconds.
func (e *Engine) ExpireAt(c *Client, a generated.ExpireAtArgs, w ReplyWriter) error {
	return e.expireGeneric(c.DB, a.Key, a.UnixTimeSeconds, true, false, condFlags(a.Condition.NX, a.Condition.XX, a.Condition.GT, a.Condition.LT), "expireat", w)
}

// PExpireAt sets an expiry as a unix time in milliseconds.
func (e *Engine) PExpireAt(c *Client, a generated.PExpireAtArgs, w ReplyWriter) error {
	return e.expireGeneric(c.DB, a.Key, a.UnixTimeMilliseconds, false, false, condFlags(a.Condition.NX, a.Condition.XX, a.Condition.GT, a.Condition.LT), "pexpireat", w)
}

// expireGeneric is expireGenericCommand: overflow checks first, then the
// key, then NX/XX/GT/LT (a key without TTL counts as infinite), and a time
// not in the future deletes the key.
func (e *Engine) expireGeneric(dbi int, key []byte, when int64, seconds, relative bool, flags int, cmd string, w ReplyWriter) error {
	now := e.nowMs()
	if seconds {
		if when > math.MaxInt64/1000 || when < math.MinInt64/1000 {
			return ErrInvalidExpireTime(cmd)
		}
		when *= 1000
	}
	var base int64
	if relative {
		base = now
	}
	if when > math.MaxInt64-base {
		return ErrInvalidExpireTime(cmd)
	}
	when += base
	ent := e.lookup(dbi, key, true)
	if ent == nil {
		w.Int(0)
		return nil
	}
	if flags != 0 {
		cur := ent.expire // 0: none
		if flags&expNX != 0 && cur != 0 ||
			flags&expXX != 0 && cur == 0 ||
			flags&expGT != 0 && (cur == 0 || when <= cur) ||
			flags&expLT != 0 && cur != 0 && when >= cur {
			w.Int(0)
			return nil
		}
	}
	if when <= now {
		e.remove(dbi, ent)
	} else {
		e.dbs[dbi].setExpire(ent, when)
		e.signal(dbi, ent.key)
	}
	e.dirty++
	w.Int(1)
	return nil
}

// TTL replies with the remaining time to live in seconds, rounded to the
// nearest second; -1 without expiry, -2 for a missing key.
func (e *Engine) TTL(c *Client, a generated.TTLArgs, w ReplyWriter) error {
	w.Int(e.ttlGeneric(c.DB, a.Key, false, false))
	return nil
}

// PTTL is TTL in milliseconds.
func (e *Engine) PTTL(c *Client, a generated.PTTLArgs, w ReplyWriter) error {
	w.Int(e.ttlGeneric(c.DB, a.Key, true, false))
	return nil
}

// ExpireTime replies with the expiry as a unix time in seconds.
func (e *Engine) ExpireTime(c *Client, a generated.ExpireTimeArgs, w ReplyWriter) error {
	w.Int(e.ttlGeneric(c.DB, a.Key, false, true))
	return nil
}

// PExpireTime replies with the expiry as a unix time in milliseconds.
func (e *Engine) PExpireTime(c *Client, a generated.PExpireTimeArgs, w ReplyWriter) error {
	w.Int(e.ttlGeneric(c.DB, a.Key, true, true))
	return nil
}

// ttlGeneric is ttlGenericCommand.
func (e *Engine) ttlGeneric(dbi int, key []byte, ms, abs bool) int64 {
	ent := e.lookup(dbi, key, false)
	if ent == nil {
		return -2
	}
	if ent.expire == 0 {
		return -1
	}
	ttl := ent.expire
	if !abs {
		ttl -= e.nowMs()
	}
	if ttl < 0 {
		ttl = 0
	}
	if ms {
		return ttl
	}
	return (ttl + 500) / 1000
}

// Persist removes a key's expiry: 1 if it had one.
func (e *Engine) Persist(c *Client, a generated.PersistArgs, w ReplyWriter) error {
	ent := e.lookup(c.DB, a.Key, true)
	if ent == nil || ent.expire == 0 {
		w.Int(0)
		return nil
	}
	e.dbs[c.DB].setExpire(ent, 0)
	e.signal(c.DB, ent.key)
	e.dirty++
	w.Int(1)
	return nil
}

// ObjectEncoding replies with the key's encoding name, or null.
func (e *Engine) ObjectEncoding(c *Client, a generated.ObjectEncodingArgs, w ReplyWriter) error {
	ent := e.lookup(c.DB, a.Key, false)
	if ent == nil {
		w.Null()
		return nil
	}
	w.BulkString(ent.val.Encoding())
	return nil
}

// ObjectFreq is an error under the only eviction policy we have
// (noeviction), once the key is known to exist.
func (e *Engine) ObjectFreq(c *Client, a generated.ObjectFreqArgs, w ReplyWriter) error {
	if e.lookup(c.DB, a.Key, false) == nil {
		w.Null()
		return nil
	}
	return ErrNoLFU
}

// ObjectIdleTime replies with whole seconds since the key was last
// accessed, computed on Redis's one-second LRU clock.
func (e *Engine) ObjectIdleTime(c *Client, a generated.ObjectIdleTimeArgs, w ReplyWriter) error {
	ent := e.lookup(c.DB, a.Key, false)
	if ent == nil {
		w.Null()
		return nil
	}
	idle := floorDiv(e.nowMs(), 1000) - floorDiv(ent.access, 1000)
	if idle < 0 {
		idle = 0
	}
	w.Int(idle)
	return nil
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && (a < 0) != (b < 0) {
		q--
	}
	return q
}

// ObjectRefCount replies 2147483647 for a shared integer (0..9999 stored by
// SET, INCR and friends) and 1 otherwise, as Redis's object sharing gives.
func (e *Engine) ObjectRefCount(c *Client, a generated.ObjectRefCountArgs, w ReplyWriter) error {
	ent := e.lookup(c.DB, a.Key, false)
	if ent == nil {
		w.Null()
		return nil
	}
	if s, ok := ent.val.(*String); ok && s.shared {
		w.Int(math.MaxInt32)
		return nil
	}
	w.Int(1)
	return nil
}

var objectHelp = []string{
	"OBJECT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
	"ENCODING <key>",
	"    Return the kind of internal representation used in order to store the value",
	"    associated with a <key>.",
	"FREQ <key>",
	"    Return the access frequency index of the <key>. The returned integer is",
	"    proportional to the logarithm of the recent access frequency of the key.",
	"IDLETIME <key>",
	"    Return the idle time of the <key>, that is the approximated number of",
	"    seconds elapsed since the last access to the key.",
	"REFCOUNT <key>",
	"    Return the number of references of the value associated with the specified",
	"    <key>.",
}

// ObjectHelp lists the OBJECT subcommands (addReplyHelp).
func (e *Engine) ObjectHelp(c *Client, a generated.ObjectHelpArgs, w ReplyWriter) error {
	WriteHelp(w, objectHelp)
	return nil
}
