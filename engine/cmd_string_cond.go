package engine

import (
	"bytes"
	"encoding/hex"
	"strings"

	"github.com/redcurrent/redcurrent/generated"
	"github.com/zeebo/xxh3"
)

// Redis 8.4's compare-and-set and compare-and-delete (redis/redis#14435,
// with #14502 and #14529): SET's IFEQ/IFNE/IFDEQ/IFDNE, DELEX and DIGEST
// (t_string.c and db.c at redis unstable 2026-06-25).

// digestHexLen is DIGEST_HEX_LENGTH: a digest is 16 hexadecimal digits.
const digestHexLen = 16

// ErrDigestLength is validateHexDigest's error: only the length is checked;
// a digest that is no hex number just never matches.
var ErrDigestLength = Errorf("ERR", "must be exactly %d hexadecimal characters", digestHexLen)

// stringDigest is Redis's stringDigest: the XXH3 64-bit hash of the value,
// as 16 lower-case hexadecimal digits. An integer-encoded value hashes as
// its decimal text, which is the text we keep.
func stringDigest(v []byte) string {
	var b [8]byte
	h := xxh3.Hash(v)
	for i := 7; i >= 0; i-- {
		b[i] = byte(h)
		h >>= 8
	}
	return hex.EncodeToString(b[:])
}

// setCond is SET's condition: "NX", "XX", one of the comparisons (match
// is the value or the digest to compare with), or "" for none.
type setCond struct {
	which string
	match []byte
}

func setCondOf(c generated.SetArgsCondition) setCond {
	return newSetCond(c.Which, c.IfeqValue, c.IfneValue, c.IfdeqDigest, c.IfdneDigest)
}

// newSetCond picks the value of the condition given (which) among a
// parsed oneof's members.
func newSetCond(which string, ifeq, ifne, ifdeq, ifdne []byte) setCond {
	c := setCond{which: which}
	switch which {
	case "IFEQ":
		c.match = ifeq
	case "IFNE":
		c.match = ifne
	case "IFDEQ":
		c.match = ifdeq
	case "IFDNE":
		c.match = ifdne
	}
	return c
}

// compares reports whether the condition compares with the current value.
func (c setCond) compares() bool {
	switch c.which {
	case "IFEQ", "IFNE", "IFDEQ", "IFDNE":
		return true
	}
	return false
}

// checkDigest is validateHexDigest for IFDEQ/IFDNE.
func (c setCond) checkDigest() error {
	if (c.which == "IFDEQ" || c.which == "IFDNE") && len(c.match) != digestHexLen {
		return ErrDigestLength
	}
	return nil
}

// met reports whether the current string value v meets a comparison:
// IFEQ/IFNE compare bytes, IFDEQ/IFDNE compare v's digest with the given
// one ignoring case (strcasecmp, so the given digest ends at a NUL byte).
func (c setCond) met(v []byte) (bool, error) {
	switch c.which {
	case "IFEQ":
		return bytes.Equal(v, c.match), nil
	case "IFNE":
		return !bytes.Equal(v, c.match), nil
	}
	if err := c.checkDigest(); err != nil {
		return false, err
	}
	eq := strings.EqualFold(stringDigest(v), cString(c.match))
	return eq == (c.which == "IFDEQ"), nil
}

// cString is b up to its first NUL byte, as C string functions read it.
func cString(b []byte) string {
	if i := bytes.IndexByte(b, 0); i >= 0 {
		b = b[:i]
	}
	return string(b)
}

// Digest replies with the digest of a string value, or null for a missing
// key (digestCommand).
func (e *Engine) Digest(c *Client, a generated.DigestArgs, w ReplyWriter) error {
	_, s, err := e.readString(c.DB, a.Key, true)
	if err != nil {
		return err
	}
	if s == nil {
		w.Null()
		return nil
	}
	w.BulkString(stringDigest(s.b))
	return nil
}

// ErrDelExType is DELEX's error for a condition on a key that is no string.
var ErrDelExType = Errorf("ERR", "Key should be of string type if conditions are specified")

// DelEx deletes a key, as DEL does without a condition; with one, only a
// string key whose value (IFEQ/IFNE) or digest (IFDEQ/IFDNE) meets it:
// 1 if deleted, else 0. An unknown condition word is reported after the
// key lookup and the type check (a.Err, "Invalid condition"); a missing
// key answers 0 before any of that.
func (e *Engine) DelEx(c *Client, a generated.DelExArgs, w ReplyWriter) error {
	if a.Condition.Which == "" && a.Err == nil {
		w.Int(e.delKeys(c.DB, [][]byte{a.Key}))
		return nil
	}
	ent := e.lookup(c.DB, a.Key, true)
	if ent == nil {
		w.Int(0)
		return nil
	}
	s, ok := ent.val.(*String)
	if !ok {
		return ErrDelExType
	}
	if a.Err != nil {
		return a.Err
	}
	x := &a.Condition
	cond := newSetCond(x.Which, x.IfeqValue, x.IfneValue, x.IfdeqDigest, x.IfdneDigest)
	met, err := cond.met(s.b)
	if err != nil {
		return err
	}
	if !met {
		w.Int(0)
		return nil
	}
	e.remove(c.DB, ent)
	e.dirty++
	w.Int(1)
	return nil
}
