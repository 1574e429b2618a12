package engine

import (
	"strconv"

	"github.com/redcurrent/redcurrent/generated"
)

// Value is what a key holds. Each type (strings now, streams later) is its own
// implementation; keyspace code never looks inside one.
type Value interface {
	// Type is the TYPE reply: "string", "stream", ...
	Type() string
	// Encoding is the OBJECT ENCODING reply.
	Encoding() string
	// Clone returns an independent deep copy (COPY).
	Clone() Value
}

// String encodings, as OBJECT ENCODING names them.
const (
	encInt    = iota // the text is a canonical int64 (string2l succeeded)
	encEmbstr        // at most 44 bytes, not an int
	encRaw           // anything else, or modified in place (APPEND, SETRANGE)
)

// embstrLimit is OBJ_ENCODING_EMBSTR_SIZE_LIMIT.
const embstrLimit = 44

// sharedIntegers is OBJ_SHARED_INTEGERS: ints in [0, this) are shared objects
// whose OBJECT REFCOUNT is INT_MAX.
const sharedIntegers = 10000

// String is a string value. b is owned by the keyspace.
type String struct {
	b      []byte
	enc    uint8
	shared bool // a shared integer object (OBJECT REFCOUNT 2147483647)
}

func (s *String) Type() string { return "string" }

func (s *String) Encoding() string {
	switch s.enc {
	case encInt:
		return "int"
	case encEmbstr:
		return "embstr"
	}
	return "raw"
}

func (s *String) Clone() Value {
	// dupStringObject keeps the encoding but never the sharing.
	return &String{b: append([]byte(nil), s.b...), enc: s.enc}
}

// Bytes returns the stored bytes; the caller must not keep or modify them
// beyond the lock.
func (s *String) Bytes() []byte { return s.b }

// setEncoded stores a copy of v with the encoding Redis's tryObjectEncoding
// gives a freshly written value, reusing s.b's memory when it fits.
func (s *String) setEncoded(v []byte) {
	s.b = reuseCopy(s.b, v)
	s.enc, s.shared = tryEncoding(v)
}

// reuseCopy copies v into dst's memory when that wastes at most about half of
// it, else into a new slice.
func reuseCopy(dst, v []byte) []byte {
	if cap(dst) >= len(v) && cap(dst) <= 2*len(v)+16 {
		return append(dst[:0], v...)
	}
	return append(make([]byte, 0, len(v)), v...)
}

// tryEncoding is tryObjectEncoding (object.c): int when the text is a
// canonical long of at most 20 bytes, embstr up to 44 bytes, else raw.
func tryEncoding(v []byte) (enc uint8, shared bool) {
	if len(v) <= 20 {
		if n, ok := generated.ParseInt(v); ok {
			return encInt, n >= 0 && n < sharedIntegers
		}
	}
	if len(v) <= embstrLimit {
		return encEmbstr, false
	}
	return encRaw, false
}

// appendInt is strconv.AppendInt, named for the call sites that format a
// value into a stack buffer.
func appendInt(b []byte, n int64) []byte { return strconv.AppendInt(b, n, 10) }
