package engine

import (
	"runtime"
	"strconv"
	"testing"
)

// discard is a ReplyWriter that writes nothing, so that the benchmarks
// measure the engine and the parser, not a recorder.
type discard struct{}

func (discard) Simple(string)           {}
func (discard) Bulk([]byte)             {}
func (discard) BulkString(string)       {}
func (discard) Int(int64)               {}
func (discard) Double(float64)          {}
func (discard) Bool(bool)               {}
func (discard) BigNumber(string)        {}
func (discard) Verbatim(string, string) {}
func (discard) Array(int)               {}
func (discard) Set(int)                 {}
func (discard) Map(int)                 {}
func (discard) PairMap(int)             {}
func (discard) Pair()                   {}
func (discard) Push(int)                {}
func (discard) Null()                   {}
func (discard) NullArray()              {}
func (discard) Error(*Error)            {}

// BenchmarkXAdd appends entries with "*" IDs and two fields (parse plus
// handler). The clock stands still, so IDs differ by seq only. The
// allocations are the parser's: the Args value (bind's var escapes through
// the handler call) and the slice of field/value pairs; node blocks grow by
// append, amortised.
func BenchmarkXAdd(b *testing.B) {
	b.Run("fields=2", func(b *testing.B) {
		e, _ := newTestEngine()
		c := &Client{}
		xadd := commands["XADD"]
		argv := split("XADD s * temperature 21.5 humidity 40")
		b.ReportAllocs()
		b.ResetTimer()
		for range b.N {
			if err := xadd(e, c, argv, discard{}); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkXRange reads 10 entries from the middle of a 10000-entry
// stream: a tree descent to the node, then a linear decode within it (and
// a second pass, since the reply's length is written first).
func BenchmarkXRange(b *testing.B) {
	b.Run("count=10", func(b *testing.B) {
		e, _ := newTestEngine()
		c := &Client{}
		xadd := commands["XADD"]
		for i := 1; i <= 10000; i++ {
			if err := xadd(e, c, split("XADD s "+strconv.Itoa(i)+"-0 temperature 21.5 humidity 40"), discard{}); err != nil {
				b.Fatal(err)
			}
		}
		xrange := commands["XRANGE"]
		argv := split("XRANGE s 5000 + COUNT 10")
		b.ReportAllocs()
		b.ResetTimer()
		for range b.N {
			if err := xrange(e, c, argv, discard{}); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkStreamMemory appends 1M small entries (two fields, values of up
// to 7 bytes, consecutive IDs) and reports the heap bytes per entry: the
// node blocks (with their append slack), node headers and the btree.
func BenchmarkStreamMemory(b *testing.B) {
	b.Run("entries=1M", func(b *testing.B) {
		const n = 1_000_000
		fv := [][]byte{[]byte("temperature"), nil, []byte("humidity"), []byte("40")}
		var perEntry float64
		for range b.N {
			runtime.GC()
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			s := newStream()
			for i := 0; i < n; i++ {
				fv[1] = strconv.AppendInt(fv[1][:0], int64(i%100000), 10)
				s.append(StreamID{uint64(1700000000000 + i/8), uint64(i % 8)}, fv, defaultLimits)
			}
			runtime.GC()
			runtime.ReadMemStats(&after)
			perEntry = float64(after.HeapAlloc-before.HeapAlloc) / n
			runtime.KeepAlive(s)
		}
		b.ReportMetric(perEntry, "bytes/entry")
	})
}
