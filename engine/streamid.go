package engine

import (
	"math"
	"strconv"

	"github.com/redcurrent/redcurrent/generated"
)

// StreamID is a stream entry ID: milliseconds and a sequence number, both
// unsigned 64-bit, ordered by ms then seq (streamID in stream.h).
type StreamID struct {
	Ms, Seq uint64
}

// MaxStreamID is the largest ID, "+" in a range.
var MaxStreamID = StreamID{math.MaxUint64, math.MaxUint64}

// Compare returns -1, 0 or 1 as id is before, equal to or after o.
func (id StreamID) Compare(o StreamID) int {
	switch {
	case id.Ms < o.Ms:
		return -1
	case id.Ms > o.Ms:
		return 1
	case id.Seq < o.Seq:
		return -1
	case id.Seq > o.Seq:
		return 1
	}
	return 0
}

// Less reports whether id sorts before o.
func (id StreamID) Less(o StreamID) bool { return id.Compare(o) < 0 }

// IsZero reports whether id is 0-0.
func (id StreamID) IsZero() bool { return id.Ms == 0 && id.Seq == 0 }

// String is the wire form, "ms-seq".
func (id StreamID) String() string { return string(id.Append(nil)) }

// Append appends the wire form to b.
func (id StreamID) Append(b []byte) []byte {
	b = strconv.AppendUint(b, id.Ms, 10)
	b = append(b, '-')
	return strconv.AppendUint(b, id.Seq, 10)
}

// Incr returns the next ID, or false at MaxStreamID (streamIncrID).
func (id StreamID) Incr() (StreamID, bool) {
	switch {
	case id.Seq < math.MaxUint64:
		id.Seq++
	case id.Ms < math.MaxUint64:
		id.Ms++
		id.Seq = 0
	default:
		return id, false
	}
	return id, true
}

// Decr returns the previous ID, or false at 0-0 (streamDecrID).
func (id StreamID) Decr() (StreamID, bool) {
	switch {
	case id.Seq > 0:
		id.Seq--
	case id.Ms > 0:
		id.Ms--
		id.Seq = math.MaxUint64
	default:
		return id, false
	}
	return id, true
}

// maxIDArgLen is the size of the stack buffer streamGenericParseIDOrReply
// copies the argument into, less its terminator: longer IDs are invalid.
const maxIDArgLen = 127

// ParseStreamID parses a strict ID as XDEL, MINID and XSETID take it:
// "ms-seq", or "ms" with seq missingSeq. "-" and "+" are invalid here.
func ParseStreamID(b []byte, missingSeq uint64) (StreamID, error) {
	id, _, err := parseID(b, missingSeq, true, false)
	return id, err
}

// parseXAddID parses XADD's explicit ID: "ms-seq", "ms" (seq 0), or
// "ms-*" (seqGiven false: the sequence is generated).
func parseXAddID(b []byte) (id StreamID, seqGiven bool, err error) {
	return parseID(b, 0, true, true)
}

// parseRangeID parses one end of an XRANGE interval: "-", "+", "ms-seq",
// "ms" (seq missingSeq), or any of the strict forms after "(" for an
// exclusive bound (streamParseIntervalIDOrReply).
func parseRangeID(b []byte, missingSeq uint64) (id StreamID, exclusive bool, err error) {
	if len(b) > 1 && b[0] == '(' {
		id, _, err = parseID(b[1:], missingSeq, true, false)
		return id, true, err
	}
	id, _, err = parseID(b, missingSeq, false, false)
	return id, false, err
}

// parseID is streamGenericParseIDOrReply. With star, "ms-*" is accepted and
// reported as seqGiven false.
func parseID(b []byte, missingSeq uint64, strict, star bool) (id StreamID, seqGiven bool, err error) {
	if len(b) > maxIDArgLen {
		return id, false, ErrInvalidID
	}
	// Redis reads the argument as a C string.
	for i, c := range b {
		if c == 0 {
			b = b[:i]
			break
		}
	}
	if len(b) == 1 && (b[0] == '-' || b[0] == '+') {
		if strict {
			return id, false, ErrInvalidID
		}
		if b[0] == '-' {
			return StreamID{}, true, nil
		}
		return MaxStreamID, true, nil
	}
	msPart, seqPart, dash := b, []byte(nil), false
	for i, c := range b {
		if c == '-' {
			msPart, seqPart, dash = b[:i], b[i+1:], true
			break
		}
	}
	ms, ok := parseULL(msPart)
	if !ok {
		return id, false, ErrInvalidID
	}
	seq := missingSeq
	seqGiven = true
	if dash {
		if star && len(seqPart) == 1 && seqPart[0] == '*' {
			seq, seqGiven = 0, false
		} else if seq, ok = parseULL(seqPart); !ok {
			return id, false, ErrInvalidID
		}
	}
	return StreamID{ms, seq}, seqGiven, nil
}

// parseULL is Redis's string2ull, which reads a C string: see
// generated.ParseUint.
func parseULL(b []byte) (uint64, bool) { return generated.ParseUint(b) }
