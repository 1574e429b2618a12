package engine

import "github.com/redcurrent/redcurrent/generated"

// The value checks commands.json names ("check", "check_by"): the
// generated parsers call them where Redis's stream commands parse a value
// in the middle of their option loops, so an invalid ID is reported before
// the arguments after it. The handlers convert the same values again.
func init() {
	generated.Checks.StreamID = func(v, _ []byte) error {
		_, err := ParseStreamID(v, 0)
		return err
	}
	generated.Checks.StreamIDAutoSeq = func(v, _ []byte) error {
		_, _, err := parseXAddID(v)
		return err
	}
	generated.Checks.StreamMaxlen = func(v, _ []byte) error {
		_, err := parseTrim(true, "MAXLEN", "", v)
		return err
	}
	generated.Checks.MaxDeletedID = checkMaxDeletedID
	// XRANGE checks its start, then its end, before COUNT; XREVRANGE takes
	// them the other way round on the command line.
	generated.Checks.StreamIntervalStart = func(v, end []byte) error {
		if _, err := parseIntervalStart(v); err != nil {
			return err
		}
		if end != nil {
			_, err := parseIntervalEnd(end)
			return err
		}
		return nil
	}
	generated.Checks.StreamIntervalEnd = func(v, start []byte) error {
		if start != nil {
			if _, err := parseIntervalStart(start); err != nil {
				return err
			}
		}
		_, err := parseIntervalEnd(v)
		return err
	}
}

// checkMaxDeletedID is XSETID's MAXDELETEDID: a strict ID no greater than
// the new last ID (lastID, already checked).
func checkMaxDeletedID(v, lastID []byte) error {
	maxDel, err := ParseStreamID(v, 0)
	if err != nil {
		return err
	}
	if id, err := ParseStreamID(lastID, 0); err == nil && id.Less(maxDel) {
		return ErrXSetIDProvidedMax
	}
	return nil
}

// parseIntervalStart parses the start of an interval
// (streamParseIntervalIDOrReply with the sequence defaulting to 0): an
// exclusive "(" start moves to the next ID.
func parseIntervalStart(b []byte) (StreamID, error) {
	id, excl, err := parseRangeID(b, 0)
	if err != nil {
		return id, err
	}
	if excl {
		var ok bool
		if id, ok = id.Incr(); !ok {
			return id, ErrIntervalStart
		}
	}
	return id, nil
}

// parseIntervalEnd parses the end of an interval: the sequence defaults
// to the largest, and an exclusive "(" end moves to the previous ID.
func parseIntervalEnd(b []byte) (StreamID, error) {
	id, excl, err := parseRangeID(b, MaxStreamID.Seq)
	if err != nil {
		return id, err
	}
	if excl {
		var ok bool
		if id, ok = id.Decr(); !ok {
			return id, ErrIntervalEnd
		}
	}
	return id, nil
}
