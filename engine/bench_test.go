package engine

import "testing"

// BenchmarkGetSet measures GET and SET (parse plus handler) on one existing
// key. SET allocates nothing: the value is copied into the key's existing
// buffer. GET's one allocation is the test recorder's string copy of the
// bulk reply; the engine allocates nothing.
func BenchmarkGetSet(b *testing.B) {
	e, _ := newTestEngine()
	c := &Client{}
	var r recorder
	r.ops = make([]op, 0, 4)
	set, get := commands["SET"], commands["GET"]
	argvSet, argvGet := split("SET key value"), split("GET key")
	_ = set(e, c, argvSet, &r)
	b.Run("op=SET", func(b *testing.B) {
		b.ReportAllocs()
		b.ResetTimer()
		for range b.N {
			r.ops = r.ops[:0]
			_ = set(e, c, argvSet, &r)
		}
	})
	b.Run("op=GET", func(b *testing.B) {
		b.ReportAllocs()
		b.ResetTimer()
		for range b.N {
			r.ops = r.ops[:0]
			_ = get(e, c, argvGet, &r)
		}
	})
}
