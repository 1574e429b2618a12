package engine

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"sort"
	"strings"
	"testing"
)

var defaultLimits = nodeLimits{maxEntries: 100, maxBytes: 4096}

// fill appends n entries 1-0..n-0 with one field "f" and a value of vlen bytes.
func fill(s *Stream, n int, vlen int, lim nodeLimits) {
	v := []byte(strings.Repeat("x", vlen))
	for i := 1; i <= n; i++ {
		s.append(StreamID{uint64(i), 0}, [][]byte{[]byte("f"), v}, lim)
	}
}

// TestStreamNodeSizes checks node boundaries against Redis's (measured on
// redis-server 7.0.15: 300 entries of one field "f").
func TestStreamNodeSizes(t *testing.T) {
	cases := []struct {
		vlen, perNode int
		trimmed       int64 // XTRIM MAXLEN ~ 1
	}{
		{1, 100, 200}, {10, 100, 200}, {40, 81, 243}, {100, 36, 288},
	}
	for _, c := range cases {
		t.Run(fmt.Sprintf("value=%d", c.vlen), func(t *testing.T) {
			s := newStream()
			fill(s, 300, c.vlen, defaultLimits)
			first, _ := s.nodes.Min()
			if first.count != c.perNode {
				t.Fatalf("first node holds %d entries, want %d", first.count, c.perNode)
			}
			got := s.trim(trimArgs{strategy: trimMaxLen, maxLen: 1, approx: true, limit: 10000})
			if got != c.trimmed {
				t.Fatalf("MAXLEN ~ 1 trimmed %d, want %d", got, c.trimmed)
			}
			if err := s.check(); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestStreamTrim(t *testing.T) {
	cases := []struct {
		name string
		n    int
		args trimArgs
		want int64
	}{
		{"MAXLEN ~ within one node", 100, trimArgs{strategy: trimMaxLen, maxLen: 50, approx: true, limit: 10000}, 0},
		{"MINID ~ within one node", 100, trimArgs{strategy: trimMinID, minID: StreamID{60, 0}, approx: true, limit: 10000}, 0},
		{"MAXLEN ~ 0", 100, trimArgs{strategy: trimMaxLen, maxLen: 0, approx: true, limit: 10000}, 100},
		{"MAXLEN ~ 50 of 250", 250, trimArgs{strategy: trimMaxLen, maxLen: 50, approx: true, limit: 10000}, 200},
		{"MAXLEN ~ with LIMIT", 300, trimArgs{strategy: trimMaxLen, maxLen: 0, approx: true, limit: 150}, 100},
		{"MAXLEN = 50", 100, trimArgs{strategy: trimMaxLen, maxLen: 50}, 50},
		{"MINID = 60", 250, trimArgs{strategy: trimMinID, minID: StreamID{60, 0}}, 59},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := newStream()
			fill(s, c.n, 1, defaultLimits)
			if got := s.trim(c.args); got != c.want {
				t.Fatalf("trimmed %d, want %d", got, c.want)
			}
			if s.Len() != int64(c.n)-c.want {
				t.Fatalf("length %d, want %d", s.Len(), int64(c.n)-c.want)
			}
			if err := s.check(); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestStreamRaxNodes(t *testing.T) {
	s := newStream()
	if got := s.raxNodes(); got != 1 {
		t.Fatalf("empty: %d nodes", got)
	}
	fill(s, 1, 1, defaultLimits)
	if got := s.raxNodes(); got != 2 {
		t.Fatalf("one key: %d nodes", got)
	}
}

// model is the reference the randomized test compares with: live entries
// in order.
type modelEntry struct {
	id StreamID
	fv [][]byte
}

// TestStreamRandom applies random appends, deletions and trims to a Stream
// and to a plain slice, and checks that they agree and that s.check()
// passes after every step.
func TestStreamRandom(t *testing.T) {
	const seed = 20261124
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, seed))
	for round := 0; round < 20; round++ {
		lim := nodeLimits{maxEntries: int64(rng.IntN(12)), maxBytes: int64(rng.IntN(300))}
		s := newStream()
		var model []modelEntry
		ms := uint64(1)
		for step := 0; step < 400; step++ {
			var what string
			switch r := rng.IntN(10); {
			case r < 6:
				ms += uint64(rng.IntN(3))
				id, err := s.nextID(ms, nil, true)
				if err != nil {
					t.Fatalf("seed %d round %d step %d: nextID: %v", seed, round, step, err)
				}
				fv := randomFields(rng)
				s.append(id, fv, lim)
				model = append(model, modelEntry{id, fv})
				what = "append " + id.String()
			case r < 8:
				if len(model) == 0 {
					continue
				}
				id := model[rng.IntN(len(model))].id
				if rng.IntN(4) == 0 {
					id.Seq++
				}
				got := s.delete(id)
				i := sort.Search(len(model), func(i int) bool { return !model[i].id.Less(id) })
				want := i < len(model) && model[i].id == id
				if want {
					model = append(model[:i], model[i+1:]...)
				}
				if got != want {
					t.Fatalf("seed %d round %d step %d: delete %s = %v, want %v", seed, round, step, id, got, want)
				}
				s.refreshFirstID()
				what = "delete " + id.String()
			default:
				a := trimArgs{approx: rng.IntN(2) == 0}
				if a.approx {
					a.limit = int64(rng.IntN(20))
				}
				if rng.IntN(2) == 0 {
					a.strategy, a.maxLen = trimMaxLen, int64(rng.IntN(len(model)+1))
				} else {
					a.strategy, a.minID = trimMinID, StreamID{uint64(rng.IntN(int(ms) + 2)), 0}
				}
				n := s.trim(a)
				if !a.approx && n != 0 {
					// Exact trimming meets the target exactly.
					if a.strategy == trimMaxLen && s.Len() != a.maxLen {
						t.Fatalf("seed %d round %d step %d: MAXLEN = %d left %d", seed, round, step, a.maxLen, s.Len())
					}
				}
				model = model[int(n):]
				what = fmt.Sprintf("trim %+v: %d", a, n)
			}
			if err := s.check(); err != nil {
				t.Fatalf("seed %d round %d step %d (%s): %v", seed, round, step, what, err)
			}
			if err := sameEntries(s, model); err != nil {
				t.Fatalf("seed %d round %d step %d (%s): %v", seed, round, step, what, err)
			}
		}
	}
}

func randomFields(rng *rand.Rand) [][]byte {
	names := [][]string{{"a"}, {"a", "b"}, {"b"}}[rng.IntN(3)]
	var fv [][]byte
	for _, n := range names {
		v := []byte(strings.Repeat("v", rng.IntN(70)))
		if rng.IntN(3) == 0 {
			v = []byte(fmt.Sprint(rng.IntN(100000) - 50000))
		}
		fv = append(fv, []byte(n), v)
	}
	return fv
}

func sameEntries(s *Stream, model []modelEntry) error {
	if s.Len() != int64(len(model)) {
		return fmt.Errorf("length %d, model %d", s.Len(), len(model))
	}
	i := 0
	var err error
	s.ascend(StreamID{}, MaxStreamID, func(n *streamNode, e *streamEntry) bool {
		m := model[i]
		var fv [][]byte
		n.pairs(e, func(f, v []byte) { fv = append(fv, f, v) })
		if e.id != m.id || len(fv) != len(m.fv) {
			err = fmt.Errorf("entry %d: %s with %d, model %s with %d", i, e.id, len(fv), m.id, len(m.fv))
			return false
		}
		for k := range fv {
			if !bytes.Equal(fv[k], m.fv[k]) {
				err = fmt.Errorf("entry %s: %q, model %q", e.id, fv[k], m.fv[k])
				return false
			}
		}
		i++
		return true
	})
	if err != nil {
		return err
	}
	j := len(model)
	s.descend(StreamID{}, MaxStreamID, func(n *streamNode, e *streamEntry) bool {
		j--
		if e.id != model[j].id {
			err = fmt.Errorf("reverse entry %d: %s, model %s", j, e.id, model[j].id)
			return false
		}
		return true
	})
	return err
}
