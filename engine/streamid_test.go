package engine

import (
	"math"
	"testing"
)

func TestParseStreamID(t *testing.T) {
	const max = math.MaxUint64
	cases := []struct {
		in      string
		missing uint64
		want    StreamID
		bad     bool
	}{
		{in: "1-2", want: StreamID{1, 2}},
		{in: "5", want: StreamID{5, 0}},
		{in: "5", missing: max, want: StreamID{5, max}},
		{in: "01-1", want: StreamID{1, 1}},
		{in: "+5-1", want: StreamID{5, 1}},
		{in: " 6-1", want: StreamID{6, 1}},
		{in: "7-+1", want: StreamID{7, 1}},
		{in: "-0", bad: true},
		{in: "5- -1", want: StreamID{5, max}},
		{in: "5--1", bad: true},
		{in: "18446744073709551615-18446744073709551615", want: MaxStreamID},
		{in: "-", bad: true},
		{in: "+", bad: true},
		{in: "8-", bad: true},
		{in: "-8", bad: true},
		{in: "10.5", bad: true},
		{in: "0x10", bad: true},
		{in: "18446744073709551616-0", bad: true},
		{in: "", bad: true},
		{in: "1-*", bad: true},
		{in: "1-2-3", bad: true},
		{in: "1" + string(make([]byte, 127)), bad: true},
	}
	for _, c := range cases {
		got, err := ParseStreamID([]byte(c.in), c.missing)
		if c.bad {
			if err != ErrInvalidID {
				t.Errorf("ParseStreamID(%q) = %v, %v; want ErrInvalidID", c.in, got, err)
			}
			continue
		}
		if err != nil || got != c.want {
			t.Errorf("ParseStreamID(%q) = %v, %v; want %v", c.in, got, err, c.want)
		}
	}
}

func TestParseRangeID(t *testing.T) {
	cases := []struct {
		in   string
		want StreamID
		excl bool
		bad  bool
	}{
		{in: "-", want: StreamID{}},
		{in: "+", want: MaxStreamID},
		{in: "(5", want: StreamID{5, 0}, excl: true},
		{in: "(5-3", want: StreamID{5, 3}, excl: true},
		{in: "(", bad: true},
		{in: "(-", bad: true},
		{in: "(+", bad: true},
		{in: "x", bad: true},
	}
	for _, c := range cases {
		got, excl, err := parseRangeID([]byte(c.in), 0)
		if c.bad {
			if err != ErrInvalidID {
				t.Errorf("parseRangeID(%q) = %v, %v; want ErrInvalidID", c.in, got, err)
			}
			continue
		}
		if err != nil || got != c.want || excl != c.excl {
			t.Errorf("parseRangeID(%q) = %v, %v, %v; want %v, %v", c.in, got, excl, err, c.want, c.excl)
		}
	}
}

func TestParseXAddID(t *testing.T) {
	id, seqGiven, err := parseXAddID([]byte("5-*"))
	if err != nil || seqGiven || id != (StreamID{5, 0}) {
		t.Fatalf("5-*: %v %v %v", id, seqGiven, err)
	}
	id, seqGiven, err = parseXAddID([]byte("5"))
	if err != nil || !seqGiven || id != (StreamID{5, 0}) {
		t.Fatalf("5: %v %v %v", id, seqGiven, err)
	}
	if _, _, err := parseXAddID([]byte("*-1")); err != ErrInvalidID {
		t.Fatalf("*-1: %v", err)
	}
}

func TestStreamIDIncrDecr(t *testing.T) {
	if id, ok := (StreamID{1, math.MaxUint64}).Incr(); !ok || id != (StreamID{2, 0}) {
		t.Errorf("Incr wrap: %v %v", id, ok)
	}
	if _, ok := MaxStreamID.Incr(); ok {
		t.Errorf("Incr of max succeeded")
	}
	if id, ok := (StreamID{2, 0}).Decr(); !ok || id != (StreamID{1, math.MaxUint64}) {
		t.Errorf("Decr wrap: %v %v", id, ok)
	}
	if _, ok := (StreamID{}).Decr(); ok {
		t.Errorf("Decr of 0-0 succeeded")
	}
}

func FuzzStreamID(f *testing.F) {
	for _, s := range []string{"1-2", "5", "-", "+", "(5", " -1", "1-*", "18446744073709551615-18446744073709551615"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		id, err := ParseStreamID([]byte(s), 0)
		if err != nil {
			if err != ErrInvalidID {
				t.Fatalf("%q: unexpected error %v", s, err)
			}
			return
		}
		back, err := ParseStreamID(id.Append(nil), 0)
		if err != nil || back != id {
			t.Fatalf("%q: %v does not round-trip: %v %v", s, id, back, err)
		}
	})
}
