package engine

import (
	"math"

	"github.com/redcurrent/redcurrent/generated"
)

// The string command group: t_string.c. Every handler assumes e.mu is held.

// maxBulkLen is proto-max-bulk-len's default: no string grows past 512MB.
const maxBulkLen = 512 * 1024 * 1024

// readString looks up key for a string command: nil for a missing key,
// ErrWrongType for another type.
func (e *Engine) readString(dbi int, key []byte, touch bool) (*entry, *String, error) {
	ent := e.lookup(dbi, key, touch)
	if ent == nil {
		return nil, nil, nil
	}
	s, ok := ent.val.(*String)
	if !ok {
		return nil, nil, ErrWrongType
	}
	return ent, s, nil
}

// Get replies with the value, or null for a missing key.
func (e *Engine) Get(c *Client, a generated.GetArgs, w ReplyWriter) error {
	_, s, err := e.readString(c.DB, a.Key, true)
	if err != nil {
		return err
	}
	if s == nil {
		w.Null()
		return nil
	}
	w.Bulk(s.b)
	return nil
}

// Set stores a string (setCommand / setGenericCommand). With GET the reply
// is the old value, written before the NX/XX condition is checked, so a
// failed condition still answers with it.
func (e *Engine) Set(c *Client, a generated.SetArgs, w ReplyWriter) error {
	x := &a.Expiration
	when, keep, err := e.expiryMs(x.Which, x.Seconds, x.Milliseconds, x.UnixTimeSeconds, x.UnixTimeMilliseconds, "set")
	if err != nil {
		return err
	}
	return e.setGeneric(c.DB, a.Key, a.Value, setCondOf(a.Condition), a.Get, when, keep, nil, w)
}

// expiryMs reads SET's and MSETEX's expiration option (which is EX, PX,
// EXAT, PXAT, KEEPTTL or "") as an absolute time in milliseconds (0: none)
// and whether KEEPTTL was given.
func (e *Engine) expiryMs(which string, sec, ms, atSec, atMs int64, cmd string) (when int64, keep bool, err error) {
	switch which {
	case "EX":
		when, err = e.expireMs(sec, true, true, cmd)
	case "PX":
		when, err = e.expireMs(ms, false, true, cmd)
	case "EXAT":
		when, err = e.expireMs(atSec, true, false, cmd)
	case "PXAT":
		when, err = e.expireMs(atMs, false, false, cmd)
	case "KEEPTTL":
		keep = true
	}
	return when, keep, err
}

// setGeneric is setGenericCommand. ok is the reply on success (nil: +OK);
// a failed condition replies null unless get is set (or 0 for SETNX,
// which passes ok non-nil).
func (e *Engine) setGeneric(dbi int, key, val []byte, cond setCond, get bool, when int64, keepTTL bool, ok func(bool), w ReplyWriter) error {
	ent := e.lookup(dbi, key, true)
	if get {
		if ent != nil {
			s, isStr := ent.val.(*String)
			if !isStr {
				return ErrWrongType
			}
			if err := cond.checkDigest(); err != nil {
				// Redis writes the old value and then this error, two
				// replies to one command; we send the error alone.
				return err
			}
			w.Bulk(s.b)
		} else {
			w.Null()
		}
	}
	abort := func() {
		if ok != nil {
			ok(false)
		} else if !get {
			w.Null()
		}
	}
	switch cond.which {
	case "NX":
		if ent != nil {
			abort()
			return nil
		}
	case "XX", "IFEQ", "IFDEQ":
		if ent == nil {
			abort()
			return nil
		}
	}
	if ent != nil && cond.compares() {
		s, isStr := ent.val.(*String)
		if !isStr {
			return ErrWrongType
		}
		met, err := cond.met(s.b)
		if err != nil {
			return err
		}
		if !met {
			abort()
			return nil
		}
	}
	done := func() {
		if ok != nil {
			ok(true)
		} else if !get {
			w.Simple("OK")
		}
	}
	if when != 0 && when <= e.nowMs() {
		// 8.8 (redis/redis#14784): an expiry already past (EXAT/PXAT) stores
		// nothing; an existing key is deleted, and expired_keys counts the
		// new key as if it had been stored and then expired.
		if ent != nil {
			e.remove(dbi, ent)
			e.dirty++
		}
		e.stats.ExpiredKeys++
		done()
		return nil
	}
	if ent == nil {
		ent = e.addString(dbi, string(key), val)
	} else {
		e.setString(dbi, ent, val, e.nowMs())
		if !keepTTL {
			e.dbs[dbi].setExpire(ent, 0)
		}
	}
	if when != 0 {
		e.dbs[dbi].setExpire(ent, when)
	}
	e.signal(dbi, ent.key)
	e.dirty++
	done()
	return nil
}

// expireMs is getExpireMillisecondsOrReply: the expiry must be positive,
// and converting it to absolute milliseconds must not overflow.
func (e *Engine) expireMs(v int64, seconds, relative bool, cmd string) (int64, error) {
	if v <= 0 || seconds && v > math.MaxInt64/1000 {
		return 0, ErrInvalidExpireTime(cmd)
	}
	if seconds {
		v *= 1000
	}
	if relative {
		now := e.nowMs()
		if v > math.MaxInt64-now {
			return 0, ErrInvalidExpireTime(cmd)
		}
		v += now
	}
	return v, nil
}

// rawExpireMs is expireMs for a value the parser left as text: not an
// integer is ERR value is not an integer (getExpireMillisecondsOrReply).
func (e *Engine) rawExpireMs(raw []byte, seconds, relative bool, cmd string) (int64, error) {
	v, ok := generated.ParseInt(raw)
	if !ok {
		return 0, ErrNotInteger
	}
	return e.expireMs(v, seconds, relative, cmd)
}

// SetNX sets a missing key: 1, or 0 when the key exists.
func (e *Engine) SetNX(c *Client, a generated.SetNXArgs, w ReplyWriter) error {
	return e.setGeneric(c.DB, a.Key, a.Value, setCond{which: "NX"}, false, 0, false, func(done bool) {
		if done {
			w.Int(1)
		} else {
			w.Int(0)
		}
	}, w)
}

// SetEx is SET key value EX seconds.
func (e *Engine) SetEx(c *Client, a generated.SetExArgs, w ReplyWriter) error {
	when, err := e.expireMs(a.Seconds, true, true, "setex")
	if err != nil {
		return err
	}
	return e.setGeneric(c.DB, a.Key, a.Value, setCond{}, false, when, false, nil, w)
}

// PSetEx is SET key value PX milliseconds.
func (e *Engine) PSetEx(c *Client, a generated.PSetExArgs, w ReplyWriter) error {
	when, err := e.expireMs(a.Milliseconds, false, true, "psetex")
	if err != nil {
		return err
	}
	return e.setGeneric(c.DB, a.Key, a.Value, setCond{}, false, when, false, nil, w)
}

// GetDel replies with the value and deletes the key.
func (e *Engine) GetDel(c *Client, a generated.GetDelArgs, w ReplyWriter) error {
	ent, s, err := e.readString(c.DB, a.Key, true)
	if err != nil {
		return err
	}
	if s == nil {
		w.Null()
		return nil
	}
	w.Bulk(s.b)
	e.remove(c.DB, ent)
	e.dirty++
	return nil
}

// GetEx replies with the value and changes its expiry (getexCommand). A
// PERSIST on a key without TTL changes nothing; an EXAT/PXAT in the past
// deletes the key.
func (e *Engine) GetEx(c *Client, a generated.GetExArgs, w ReplyWriter) error {
	ent, s, err := e.readString(c.DB, a.Key, true)
	if err != nil {
		return err
	}
	if s == nil {
		// A missing key answers null before the expiry is even read
		// (getexCommand looks the key up first).
		w.Null()
		return nil
	}
	x := &a.Expiration
	var when int64
	absolute := false
	switch x.Which {
	case "EX":
		when, err = e.rawExpireMs(x.Seconds, true, true, "getex")
	case "PX":
		when, err = e.rawExpireMs(x.Milliseconds, false, true, "getex")
	case "EXAT":
		when, err = e.rawExpireMs(x.UnixTimeSeconds, true, false, "getex")
		absolute = true
	case "PXAT":
		when, err = e.rawExpireMs(x.UnixTimeMilliseconds, false, false, "getex")
		absolute = true
	}
	if err != nil {
		return err
	}
	w.Bulk(s.b)
	switch {
	case absolute && when <= e.nowMs():
		e.remove(c.DB, ent)
		e.dirty++
	case when != 0:
		e.dbs[c.DB].setExpire(ent, when)
		e.signal(c.DB, ent.key)
		e.dirty++
	case x.Which == "PERSIST" && ent.expire != 0:
		e.dbs[c.DB].setExpire(ent, 0)
		e.signal(c.DB, ent.key)
		e.dirty++
	}
	return nil
}

// MGet replies with each key's value, null for a missing key or one of
// another type.
func (e *Engine) MGet(c *Client, a generated.MGetArgs, w ReplyWriter) error {
	w.Array(len(a.Key))
	for _, k := range a.Key {
		ent := e.lookup(c.DB, k, true)
		if ent == nil {
			w.Null()
			continue
		}
		if s, ok := ent.val.(*String); ok {
			w.Bulk(s.b)
		} else {
			w.Null()
		}
	}
	return nil
}

// MSet sets every pair in order (a repeated key keeps its last value),
// clearing TTLs.
func (e *Engine) MSet(c *Client, a generated.MSetArgs, w ReplyWriter) error {
	for _, d := range a.Data.All() {
		e.setKeyString(c.DB, d.Key, d.Value, 0, false)
	}
	e.dirty += int64(a.Data.Len()) // msetGenericCommand: one per pair
	w.Simple("OK")
	return nil
}

// MSetNX sets every pair only if none of the keys exists: 1, else 0.
func (e *Engine) MSetNX(c *Client, a generated.MSetNXArgs, w ReplyWriter) error {
	for _, d := range a.Data.All() {
		if e.lookup(c.DB, d.Key, true) != nil {
			w.Int(0)
			return nil
		}
	}
	for _, d := range a.Data.All() {
		e.setKeyString(c.DB, d.Key, d.Value, 0, false)
	}
	e.dirty += int64(a.Data.Len())
	w.Int(1)
	return nil
}

// MSetEx sets every pair with one shared expiration (Redis 8.4,
// msetexCommand, redis/redis#14434): with NX (XX) only if none (all) of the
// keys exist, else 0; 1 once set. KEEPTTL keeps each key's TTL, no
// expiration clears it. Unlike SET, an expiry already past still stores the
// keys (they expire when next looked up).
func (e *Engine) MSetEx(c *Client, a generated.MSetExArgs, w ReplyWriter) error {
	x := &a.Expiration
	when, keep, err := e.expiryMs(x.Which, x.Seconds, x.Milliseconds, x.UnixTimeSeconds, x.UnixTimeMilliseconds, "msetex")
	if err != nil {
		return err
	}
	if a.Condition != "" {
		for _, d := range a.Data.All() {
			if found := e.lookup(c.DB, d.Key, true) != nil; found == (a.Condition == "NX") {
				w.Int(0)
				return nil
			}
		}
	}
	for _, d := range a.Data.All() {
		e.setKeyString(c.DB, d.Key, d.Value, when, keep)
	}
	e.dirty += int64(a.Data.Len())
	w.Int(1)
	return nil
}

// Incr adds 1 to the integer stored at key.
func (e *Engine) Incr(c *Client, a generated.IncrArgs, w ReplyWriter) error {
	return e.incrBy(c.DB, a.Key, 1, w)
}

// Decr subtracts 1.
func (e *Engine) Decr(c *Client, a generated.DecrArgs, w ReplyWriter) error {
	return e.incrBy(c.DB, a.Key, -1, w)
}

// IncrBy adds an increment.
func (e *Engine) IncrBy(c *Client, a generated.IncrByArgs, w ReplyWriter) error {
	return e.incrBy(c.DB, a.Key, a.Increment, w)
}

// DecrBy subtracts a decrement; the one decrement that cannot be negated
// is refused before the key is read.
func (e *Engine) DecrBy(c *Client, a generated.DecrByArgs, w ReplyWriter) error {
	if a.Decrement == math.MinInt64 {
		return ErrDecrOverflow
	}
	return e.incrBy(c.DB, a.Key, -a.Decrement, w)
}

// incrBy is incrDecrCommand: the result is int-encoded (shared below
// 10000), and an existing key keeps its TTL.
func (e *Engine) incrBy(dbi int, key []byte, incr int64, w ReplyWriter) error {
	ent, s, err := e.readString(dbi, key, true)
	if err != nil {
		return err
	}
	var v int64
	if s != nil {
		var ok bool
		if v, ok = generated.ParseInt(s.b); !ok {
			return ErrNotInteger
		}
	}
	if incr < 0 && v < 0 && incr < math.MinInt64-v || incr > 0 && v > 0 && incr > math.MaxInt64-v {
		return ErrOverflow
	}
	v += incr
	var buf [20]byte
	text := appendInt(buf[:0], v)
	if ent == nil {
		ent = e.addString(dbi, string(key), text)
	} else {
		e.setString(dbi, ent, text, e.nowMs())
	}
	e.signal(dbi, ent.key)
	e.dirty++
	w.Int(v)
	return nil
}

// IncrByFloat adds a float in long double arithmetic; see incrLongDouble.
// The result is stored as text (embstr or raw, never int), keeping the TTL.
func (e *Engine) IncrByFloat(c *Client, a generated.IncrByFloatArgs, w ReplyWriter) error {
	ent, s, err := e.readString(c.DB, a.Key, true)
	if err != nil {
		return err
	}
	var cur []byte
	if s != nil {
		cur = s.b
		if cur == nil {
			cur = []byte{}
		}
	}
	out, err := incrLongDouble(cur, a.Increment)
	if err != nil {
		return err
	}
	if ent == nil {
		ent = e.addString(c.DB, string(a.Key), out)
	} else {
		e.setString(c.DB, ent, out, e.nowMs())
	}
	ent.str.enc, ent.str.shared = encEmbstr, false
	if len(out) > embstrLimit {
		ent.str.enc = encRaw
	}
	e.signal(c.DB, ent.key)
	e.dirty++
	w.Bulk(ent.str.b)
	return nil
}

// Append appends to the string (creating it), replying with the new length.
// An appended-to value becomes raw (dbUnshareStringValue).
func (e *Engine) Append(c *Client, a generated.AppendArgs, w ReplyWriter) error {
	ent, s, err := e.readString(c.DB, a.Key, true)
	if err != nil {
		return err
	}
	if s == nil {
		ent = e.addString(c.DB, string(a.Key), a.Value)
		e.signal(c.DB, ent.key)
		e.dirty++
		w.Int(int64(len(a.Value)))
		return nil
	}
	if int64(len(s.b))+int64(len(a.Value)) > maxBulkLen {
		return ErrStringTooLong
	}
	s.b = append(s.b, a.Value...)
	s.enc, s.shared = encRaw, false
	e.signal(c.DB, ent.key)
	e.dirty++
	w.Int(int64(len(s.b)))
	return nil
}

// StrLen replies with the length, 0 for a missing key.
func (e *Engine) StrLen(c *Client, a generated.StrLenArgs, w ReplyWriter) error {
	_, s, err := e.readString(c.DB, a.Key, true)
	if err != nil {
		return err
	}
	if s == nil {
		w.Int(0)
		return nil
	}
	w.Int(int64(len(s.b)))
	return nil
}

// GetRange replies with a substring; indexes as getrangeCommand clamps them.
func (e *Engine) GetRange(c *Client, a generated.GetRangeArgs, w ReplyWriter) error {
	_, s, err := e.readString(c.DB, a.Key, true)
	if err != nil {
		return err
	}
	if s == nil {
		w.Bulk(nil)
		return nil
	}
	start, end, n := a.Start, a.End, int64(len(s.b))
	if start < 0 && end < 0 && start > end {
		w.Bulk(nil)
		return nil
	}
	if start < 0 {
		start += n
	}
	if end < 0 {
		end += n
	}
	if start < 0 {
		start = 0
	}
	if end < 0 {
		end = 0
	}
	if end >= n {
		end = n - 1
	}
	if start > end || n == 0 {
		w.Bulk(nil)
		return nil
	}
	w.Bulk(s.b[start : end+1])
	return nil
}

// SetRange overwrites part of the string at offset, zero-padding as needed,
// and replies with the new length. An empty value changes nothing (and does
// not create the key).
func (e *Engine) SetRange(c *Client, a generated.SetRangeArgs, w ReplyWriter) error {
	if a.Offset < 0 {
		return ErrOffsetRange
	}
	ent, s, err := e.readString(c.DB, a.Key, true)
	if err != nil {
		return err
	}
	if len(a.Value) == 0 {
		if s == nil {
			w.Int(0)
		} else {
			w.Int(int64(len(s.b)))
		}
		return nil
	}
	// Written as a subtraction: offset+len would wrap for an offset near
	// MaxInt64 (checkStringLength checks the sum for overflow).
	if a.Offset > maxBulkLen-int64(len(a.Value)) {
		return ErrStringTooLong
	}
	need := int(a.Offset) + len(a.Value)
	if s == nil {
		ent = e.addString(c.DB, string(a.Key), nil)
		s = &ent.str
	}
	if len(s.b) < need {
		if cap(s.b) >= need {
			old := len(s.b)
			s.b = s.b[:need]
			clear(s.b[old:])
		} else {
			nb := make([]byte, need)
			copy(nb, s.b)
			s.b = nb
		}
	}
	copy(s.b[a.Offset:], a.Value)
	s.enc, s.shared = encRaw, false
	e.signal(c.DB, ent.key)
	e.dirty++
	w.Int(int64(len(s.b)))
	return nil
}
