package engine

import (
	"math/rand/v2"
	"testing"
	"time"
)

func TestGlobMatch(t *testing.T) {
	cases := []struct {
		pattern, s string
		want       bool
	}{
		{"*", "", false}, // stringmatchlen itself; KEYS and SCAN short-cut "*"
		{"*", "abc", true},
		{"a*", "a", true},
		{"a**b", "axxb", true},
		{"?", "", false},
		{"?", "x", true},
		{"h?llo", "hello", true},
		{"h[ae]llo", "hallo", true},
		{"h[^e]llo", "hello", false},
		{"h[^e]llo", "hallo", true},
		{"h[a-c]llo", "hbllo", true},
		{"h[c-a]llo", "hbllo", true},
		{"h[a-c]llo", "hdllo", false},
		{`h\*llo`, "h*llo", true},
		{`h\*llo`, "hello", false},
		{`[\]]`, "]", true},
		{`[\-]`, "-", true},
		{"[abc", "a", true}, // unterminated class: matches what it has seen
		{"[abc", "ab", false},
		{"[]", "x", false},
		{`ab\`, `ab\`, true}, // a trailing backslash is literal
		{"a*b*c", "aXbYc", true},
		{"a*b*c", "aXbY", false},
		{"*a*a*a*a*a*a*a*a*a*a*b", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", false},
		{"[\x80-\xff]", "\x90", true},
		{"[a-\xff]", "b", false}, // signed char: 0xff is -1, so the range is -1..'a'
	}
	for _, tc := range cases {
		if got := GlobMatch([]byte(tc.pattern), []byte(tc.s), false); got != tc.want {
			t.Errorf("GlobMatch(%q, %q) = %v, want %v", tc.pattern, tc.s, got, tc.want)
		}
	}
}

// TestScanGuarantee interleaves SCAN calls with random inserts and deletes:
// every key present for the whole iteration must come back exactly once,
// and each iteration must end.
func TestScanGuarantee(t *testing.T) {
	const seed = 20260101
	t.Logf("seed %d", seed)
	rnd := rand.New(rand.NewPCG(seed, seed))
	e, _ := newTestEngine()
	name := func(i int) string { return "k" + string(rune('a'+i%26)) + string(formatInt(int64(i))) }
	live := map[string]bool{}
	next := 0
	for ; next < 500; next++ {
		e.SetString(0, name(next), []byte("v"))
		live[name(next)] = true
	}
	for round := 0; round < 50; round++ {
		stable := map[string]bool{} // present throughout: never deleted this round
		for k := range live {
			stable[k] = true
		}
		seen := map[string]int{}
		cursor := uint64(0)
		calls := 0
		for {
			count := 1 + rnd.IntN(20)
			cursor = e.scan(0, cursor, count, nil, func(ent *entry) { seen[ent.key]++ })
			calls++
			for j := rnd.IntN(8); j > 0; j-- {
				if rnd.IntN(2) == 0 {
					e.SetString(0, name(next), []byte("v"))
					live[name(next)] = true
					next++
				} else {
					for k := range live {
						e.DelKey(0, k)
						delete(live, k)
						delete(stable, k)
						break
					}
				}
			}
			if err := e.check(); err != nil {
				t.Fatalf("seed %d round %d: %v", seed, round, err)
			}
			if cursor == 0 {
				break
			}
			if calls > 10000 {
				t.Fatalf("seed %d round %d: SCAN did not end", seed, round)
			}
		}
		for k := range stable {
			if seen[k] != 1 {
				t.Fatalf("seed %d round %d: key %q returned %d times", seed, round, k, seen[k])
			}
		}
		for k, n := range seen {
			if n != 1 {
				t.Fatalf("seed %d round %d: key %q returned %d times", seed, round, k, n)
			}
		}
	}
}

func TestActiveExpire(t *testing.T) {
	e, clk := newTestEngine()
	var changed []string
	e.hooks = append(e.hooks, func(db int, key string) { changed = append(changed, key) })
	e.SetString(0, "a", []byte("1"))
	e.SetString(2, "b", []byte("2"))
	e.SetString(0, "c", []byte("3"))
	e.SetTTL(0, "a", 10*time.Millisecond)
	e.SetTTL(2, "b", 20*time.Millisecond)
	changed = nil
	clk.Advance(15 * time.Millisecond)
	if n := e.ActiveExpireCycle(); n != 1 {
		t.Fatalf("first cycle deleted %d keys, want 1", n)
	}
	if len(changed) != 1 || changed[0] != "a" {
		t.Fatalf("hooks saw %q, want [a]", changed)
	}
	e.SetActiveExpire(false)
	clk.Advance(10 * time.Millisecond)
	if n := e.ActiveExpireCycle(); n != 0 {
		t.Fatalf("disabled cycle deleted %d keys", n)
	}
	if got := len(e.dbs[2].keys); got != 1 {
		t.Fatalf("db 2 has %d keys physically, want 1 (expired, not yet deleted)", got)
	}
	if e.ExistsIn(2, "b") {
		t.Fatal("expired key b visible")
	}
	e.SetActiveExpire(true)
	if err := e.check(); err != nil {
		t.Fatal(err)
	}
	if got := e.KeyspaceInfo(); len(got) != 1 || got[0] != "db0:keys=1,expires=0,avg_ttl=0,subexpiry=0" {
		t.Fatalf("KeyspaceInfo = %q", got)
	}
	e.SetTTL(0, "c", 3*time.Second)
	if got := e.KeyspaceInfo(); got[0] != "db0:keys=1,expires=1,avg_ttl=3000,subexpiry=0" {
		t.Fatalf("KeyspaceInfo = %q", got)
	}
}

func TestWatch(t *testing.T) {
	type tcase struct {
		name  string
		setup []string // run by another client after WATCH k
		db    int      // the watcher's database
		dirty bool
		adv   time.Duration
	}
	cases := []tcase{
		{name: "untouched", setup: []string{"SET other 1"}},
		{name: "SET", setup: []string{"SET k 2"}, dirty: true},
		{name: "SET NX fails", setup: []string{"SET k 2 NX"}},
		{name: "DEL", setup: []string{"DEL k"}, dirty: true},
		{name: "DEL missing", setup: []string{"DEL nokey"}},
		{name: "EXPIRE", setup: []string{"EXPIRE k 100"}, dirty: true},
		{name: "EXPIRE NX fails", setup: []string{"EXPIRE k 100", "SET x 1"}, dirty: true},
		{name: "PERSIST without TTL", setup: []string{"PERSIST k"}},
		{name: "GETEX without options", setup: []string{"GETEX k"}},
		{name: "SETRANGE empty", setup: []string{"SETRANGE k 0 ''"}},
		{name: "APPEND empty", setup: []string{"APPEND k ''"}, dirty: true},
		{name: "RENAME from", setup: []string{"RENAME k j"}, dirty: true},
		{name: "RENAME to", setup: []string{"SET j 1", "RENAME j k"}, dirty: true},
		{name: "MOVE", setup: []string{"MOVE k 1"}, dirty: true},
		{name: "COPY onto", setup: []string{"SET j 1", "COPY j k REPLACE"}, dirty: true},
		{name: "FLUSHDB", setup: []string{"FLUSHDB"}, dirty: true},
		{name: "FLUSHALL", setup: []string{"FLUSHALL"}, dirty: true},
		{name: "FLUSHDB other db", setup: []string{"SELECT 1", "FLUSHDB"}},
		{name: "SWAPDB with empty", setup: []string{"SWAPDB 0 1"}, dirty: true},
		{name: "SWAPDB unrelated", setup: []string{"SWAPDB 2 3"}},
		{name: "expiry by time", setup: []string{"PEXPIRE k 10"}, dirty: true},
		{name: "INCR", setup: []string{"INCR k"}, dirty: true},
		{name: "watch in db 1, write db 0", db: 1, setup: []string{"SET k 5"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e, _ := newTestEngine()
			other := &Client{ID: 2}
			watcher := &Client{ID: 1, DB: tc.db}
			mustRun(t, e, other, "SET k 1")
			e.Watch(watcher, []byte("k"))
			e.Watch(watcher, []byte("k"))
			if e.Watching(watcher) != 1 {
				t.Fatalf("watching %d keys", e.Watching(watcher))
			}
			for _, l := range tc.setup {
				mustRun(t, e, other, l)
			}
			if got := e.WatchDirty(watcher); got != tc.dirty {
				t.Fatalf("dirty = %v, want %v", got, tc.dirty)
			}
			e.Unwatch(watcher)
			if e.WatchDirty(watcher) || e.Watching(watcher) != 0 {
				t.Fatal("still dirty or watching after Unwatch")
			}
			if err := e.check(); err != nil {
				t.Fatal(err)
			}
		})
	}

	t.Run("expires between WATCH and EXEC", func(t *testing.T) {
		e, clk := newTestEngine()
		c := &Client{ID: 1}
		mustRun(t, e, c, "SET k 1 PX 10")
		e.Watch(c, []byte("k"))
		clk.Advance(11 * time.Millisecond)
		if !e.WatchDirty(c) {
			t.Fatal("expired watched key not dirty")
		}
	})
	t.Run("expired before WATCH, then deleted", func(t *testing.T) {
		e, clk := newTestEngine()
		c := &Client{ID: 1}
		mustRun(t, e, c, "SET k 1 PX 10")
		clk.Advance(11 * time.Millisecond)
		e.Watch(c, []byte("k"))
		e.ActiveExpireCycle()
		if e.WatchDirty(c) {
			t.Fatal("deleting an already expired key counted as a change")
		}
		mustRun(t, e, c, "SET k 2")
		if !e.WatchDirty(c) {
			t.Fatal("SET after WATCH not dirty")
		}
	})
}

func TestOnKeyChange(t *testing.T) {
	e, _ := newTestEngine()
	c := &Client{}
	type ev struct {
		db  int
		key string
	}
	var got []ev
	e.OnKeyChange(func(db int, key string) { got = append(got, ev{db, key}) })
	for _, l := range []string{"SET a 1", "RENAME a b", "MOVE b 1", "GET x", "SWAPDB 0 1", "FLUSHALL"} {
		mustRun(t, e, c, l)
	}
	want := []ev{{0, "a"}, {0, "a"}, {0, "b"}, {0, "b"}, {1, "b"}, {0, "b"}, {1, "b"}, {0, "b"}}
	if len(got) != len(want) {
		t.Fatalf("events %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("events %v, want %v", got, want)
		}
	}
}

func TestDirect(t *testing.T) {
	e, clk := newTestEngine()
	e.SetString(0, "a", []byte("1"))
	if v, ok, err := e.GetString(0, "a"); string(v) != "1" || !ok || err != nil {
		t.Fatalf("GetString = %q %v %v", v, ok, err)
	}
	if _, ok, _ := e.GetString(0, "nokey"); ok {
		t.Fatal("missing key found")
	}
	if e.TypeOf(0, "a") != "string" || e.TypeOf(0, "b") != "none" {
		t.Fatal("TypeOf")
	}
	e.SetTTL(0, "a", time.Second)
	if d, ok := e.TTLOf(0, "a"); !ok || d != time.Second {
		t.Fatalf("TTLOf = %v %v", d, ok)
	}
	clk.Advance(1001 * time.Millisecond)
	if e.KeyCount(0) != 0 || len(e.KeysIn(0)) != 0 {
		t.Fatal("expired key counted")
	}
	e.SetString(3, "x", []byte("y"))
	e.FlushEverything()
	if e.KeyCount(3) != 0 {
		t.Fatal("FlushEverything left keys")
	}
}
