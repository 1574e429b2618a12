package redcurrent_test

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"regexp"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/redcurrent/redcurrent"
	"github.com/redcurrent/redcurrent/internal/difftest"
)

var (
	randomSeed  = flag.Uint64("stream.seed", 20261125, "seed for TestRandomStreamOps (0: a new one, logged)")
	randomSteps = flag.Int("stream.steps", 3000, "commands per run of TestRandomStreamOps")
)

// TestRandomStreamOps sends the same seeded random sequence of stream
// commands (adds with explicit and ms-* IDs, deletes, both kinds of trim
// with and without LIMIT, groups, group reads, acks, claims, SETID) to
// redis-server and to redcurrent, and requires every reply to be byte for
// byte the same, then the final state (stream, entries, groups, pending
// entries, and the whole of XINFO STREAM FULL in RESP2 and RESP3). Masked:
// times and idle values, which differ between two servers by nature, and
// entries-read and lag (see maskedFields and normalizeFull).
//
//	go test -run TestRandomStreamOps -stream.steps=100000 -stream.seed=42 .
func TestRandomStreamOps(t *testing.T) {
	ep, err := ref.Endpoint()
	if err != nil {
		if errors.Is(err, difftest.ErrNoRedis) && os.Getenv("REDCURRENT_REQUIRE_REDIS") != "1" {
			t.Skipf("skipped, %v (set REDCURRENT_REQUIRE_REDIS=1 to fail instead)", err)
		}
		t.Fatal(err)
	}
	seed := *randomSeed
	if seed == 0 {
		seed = uint64(time.Now().UnixNano())
	}
	t.Logf("seed %d, %d steps (rerun: -stream.seed=%d)", seed, *randomSteps, seed)

	srv := redcurrent.RunT(t)
	conns := make([]*difftest.Conn, 2)
	for i, addr := range []string{ep.Addr, srv.Addr()} {
		c, err := difftest.Dial(addr, 10*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		if _, err := c.Do("FLUSHALL"); err != nil {
			t.Fatal(err)
		}
		conns[i] = c
	}
	// Small nodes so trims cross node boundaries often; restored at the end.
	for _, c := range conns {
		mustDoRaw(t, c, "CONFIG", "SET", "stream-node-max-entries", "8")
	}
	defer func() {
		for _, c := range conns {
			c.Do("CONFIG", "SET", "stream-node-max-entries", "100")
			c.Do("FLUSHALL")
		}
	}()

	g := &streamGen{rnd: rand.New(rand.NewPCG(seed, seed^0x5bd1e995)), groups: map[string]bool{}, consumers: map[string][]string{}}
	var history [][]string // every command sent, for the failure report
	compare := func(step int, argv []string) {
		t.Helper()
		history = append(history, argv)
		var replies [2][]byte
		for i, c := range conns {
			r, err := c.Do(argv...)
			if err != nil {
				t.Fatalf("seed %d step %d %q: %v", seed, step, argv, err)
			}
			replies[i] = maskTimes(r)
		}
		if !bytes.Equal(replies[0], replies[1]) {
			var past bytes.Buffer
			for i, h := len(history)-2, 0; i >= 0 && h < 25; i-- {
				if h2 := history[i]; slices.Contains(h2, streamKeyOf(argv)) {
					fmt.Fprintf(&past, "\n  %q", h2)
					h++
				}
			}
			t.Fatalf("seed %d step %d: %q\n redis-server: %q\n redcurrent:   %q\nearlier commands on the same key, newest first:%s",
				seed, step, argv, replies[0], replies[1], past.String())
		}
	}
	for step := 0; step < *randomSteps; step++ {
		compare(step, g.next())
	}
	// The final state: the replies both versions shape alike, then XINFO
	// STREAM FULL (every entry, group PEL and consumer PEL with COUNT 0, and
	// the default COUNT 10) in RESP2 and RESP3, normalized by normalizeFull.
	for _, key := range g.keys {
		compare(*randomSteps, []string{"XINFO", "STREAM", key})
		compare(*randomSteps, []string{"XRANGE", key, "-", "+"})
		compare(*randomSteps, []string{"XINFO", "GROUPS", key})
		for _, grp := range genGroups {
			compare(*randomSteps, []string{"XPENDING", key, grp})
			compare(*randomSteps, []string{"XPENDING", key, grp, "-", "+", "1000"})
		}
	}
	conns3 := make([]*difftest.Conn, 2)
	for i, addr := range []string{ep.Addr, srv.Addr()} {
		c, err := difftest.Dial(addr, 10*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		mustDoRaw(t, c, "HELLO", "3")
		conns3[i] = c
	}
	for _, key := range g.keys {
		for _, pc := range []struct {
			proto int
			cs    []*difftest.Conn
		}{{2, conns}, {3, conns3}} {
			proto, cs := pc.proto, pc.cs
			for _, argv := range [][]string{
				{"XINFO", "STREAM", key, "FULL", "COUNT", "0"},
				{"XINFO", "STREAM", key, "FULL"},
			} {
				var replies [2][]byte
				for i, c := range cs {
					r, err := c.Do(argv...)
					if err != nil {
						t.Fatalf("seed %d final %q (RESP%d): %v", seed, argv, proto, err)
					}
					if replies[i], err = normalizeFull(r); err != nil {
						t.Fatalf("seed %d final %q (RESP%d): %v", seed, argv, proto, err)
					}
				}
				if !bytes.Equal(replies[0], replies[1]) {
					t.Fatalf("seed %d, %d steps, final %q (RESP%d, normalized):\n redis-server: %q\n redcurrent:   %q",
						seed, *randomSteps, argv, proto, replies[0], replies[1])
				}
			}
		}
	}
}

// normalizeFull rewrites an XINFO STREAM FULL reply so that the 7.0
// reference and redcurrent (8.x) can be compared byte for byte; everything
// else in the reply (entries, IDs, counters, groups, PELs and their owners,
// delivery counts, consumers and their PELs) must be equal. It changes only:
//   - a consumer's active-time field, which Redis 7.2 added (7.0 has name,
//     seen-time, pel-count, pending): dropped, key and value, where present;
//   - the times, which two servers' clocks cannot share: a consumer's
//     seen-time (and active-time had it stayed), the delivery time of each
//     group PEL entry [id, consumer, delivery-time, count] and of each
//     consumer PEL entry [id, delivery-time, count];
//   - a group's entries-read and lag, which Redis 8.x computes differently
//     from 7.0 after deletes and trims (maskedFields says the same for the
//     per-step replies).
//
// Masked values become the simple string "T". An error reply (no such key)
// is left as it is.
func normalizeFull(raw []byte) ([]byte, error) {
	v, err := difftest.ParseReply(raw)
	if err != nil {
		return nil, err
	}
	mask := func(x *difftest.Value) { *x = difftest.Value{Type: '+', Str: "T"} }
	if groups := kvField(&v, "groups"); groups != nil {
		for i := range groups.Elems {
			grp := &groups.Elems[i]
			for _, f := range []string{"entries-read", "lag"} {
				if x := kvField(grp, f); x != nil {
					mask(x)
				}
			}
			if pel := kvField(grp, "pending"); pel != nil {
				for j := range pel.Elems {
					if e := &pel.Elems[j]; len(e.Elems) == 4 {
						mask(&e.Elems[2])
					}
				}
			}
			consumers := kvField(grp, "consumers")
			if consumers == nil {
				continue
			}
			for j := range consumers.Elems {
				c := &consumers.Elems[j]
				kvDrop(c, "active-time")
				if x := kvField(c, "seen-time"); x != nil {
					mask(x)
				}
				if pel := kvField(c, "pending"); pel != nil {
					for k := range pel.Elems {
						if e := &pel.Elems[k]; len(e.Elems) == 3 {
							mask(&e.Elems[1])
						}
					}
				}
			}
		}
	}
	return v.Encode(nil), nil
}

// kvField is the value of key name in a RESP3 map or a RESP2 flat
// key/value array, or nil.
func kvField(v *difftest.Value, name string) *difftest.Value {
	if v.Type != '%' && v.Type != '*' {
		return nil
	}
	for i := 0; i+1 < len(v.Elems); i += 2 {
		if k := v.Elems[i]; (k.Type == '$' || k.Type == '+') && k.Str == name {
			return &v.Elems[i+1]
		}
	}
	return nil
}

// kvDrop removes key name and its value from a map or flat key/value array.
func kvDrop(v *difftest.Value, name string) {
	if v.Type != '%' && v.Type != '*' {
		return
	}
	for i := 0; i+1 < len(v.Elems); i += 2 {
		if k := v.Elems[i]; (k.Type == '$' || k.Type == '+') && k.Str == name {
			v.Elems = slices.Delete(v.Elems, i, i+2)
			return
		}
	}
}

// streamKeyOf is the stream key a generated command names: the argument
// after STREAMS, or after XINFO's subcommand, or the first one.
func streamKeyOf(argv []string) string {
	for i, a := range argv {
		if a == "STREAMS" && i+1 < len(argv) {
			return argv[i+1]
		}
	}
	if argv[0] == "XINFO" || argv[0] == "XGROUP" {
		return argv[2]
	}
	return argv[1]
}

func mustDoRaw(t *testing.T, c *difftest.Conn, args ...string) {
	t.Helper()
	r, err := c.Do(args...)
	if err != nil || bytes.HasPrefix(r, []byte("-")) {
		t.Fatalf("%q: %q %v", args, r, err)
	}
}

// maskedFields are the XINFO fields whose values differ by design: times
// and durations (two servers, two clocks), and entries-read and lag, which
// Redis 8.x computes differently from the 7.0 reference after trims and
// deletes (streams-reference section 3; @since cases in
// testdata/diff/stream_groups_v8.txt pin the 8.x values). The value after
// each (an integer, or a null) is masked.
var maskedFields = regexp.MustCompile(`(\$(?:9\r\nseen-time|11\r\nactive-time|4\r\nidle|8\r\ninactive|14\r\ndelivery-time|12\r\nentries-read|3\r\nlag)\r\n)(?::-?\d+|\$-1|_)\r\n`)

// pendingIdle is the idle time in an extended XPENDING entry: [id, consumer, idle, deliveries].
var pendingIdle = regexp.MustCompile(`(\*4\r\n\$\d+\r\n\d+-\d+\r\n\$\d+\r\n[a-z]+\r\n):\d+\r\n`)

func maskTimes(r []byte) []byte {
	r = maskedFields.ReplaceAll(r, []byte("${1}:T\r\n"))
	return pendingIdle.ReplaceAll(r, []byte("${1}:T\r\n"))
}

// streamGen draws commands over a few keys, groups and consumers. IDs are
// explicit (or ms-*) so both servers see the same ones; claims use
// JUSTID and min-idle 0 so no time shows in their replies, and only
// consumers that exist: from 7.2 a claim creates its consumer even when it
// claims nothing, which the 7.0 reference does not (stream_groups_v8.txt).
type streamGen struct {
	rnd       *rand.Rand
	keys      []string
	ms        int64           // the ms part of the next explicit ID
	groups    map[string]bool // "key/group" that exist
	consumers map[string][]string
}

// claimer is a consumer of key/group that exists, or "" when none does.
func (g *streamGen) claimer(kg string) string {
	cs := g.consumers[kg]
	if len(cs) == 0 {
		return ""
	}
	return cs[g.rnd.IntN(len(cs))]
}

func (g *streamGen) addConsumer(kg, c string) {
	if !g.groups[kg] {
		return // NOGROUP: nothing is created
	}
	for _, x := range g.consumers[kg] {
		if x == c {
			return
		}
	}
	g.consumers[kg] = append(g.consumers[kg], c)
}

func (g *streamGen) delConsumer(kg, c string) {
	cs := g.consumers[kg]
	for i, x := range cs {
		if x == c {
			g.consumers[kg] = append(cs[:i:i], cs[i+1:]...)
			return
		}
	}
}

var (
	genGroups    = []string{"g1", "g2"}
	genConsumers = []string{"alice", "bob", "carol"}
)

func (g *streamGen) key() string {
	if len(g.keys) < 3 && g.rnd.IntN(4) == 0 || len(g.keys) == 0 {
		g.keys = append(g.keys, "s"+strconv.Itoa(len(g.keys)))
	}
	return g.keys[g.rnd.IntN(len(g.keys))]
}

// id is a plausible ID near the ones in use: mostly existing or recent
// ones, sometimes past the end or before the start.
func (g *streamGen) id() string {
	ms := g.rnd.Int64N(g.ms + 3)
	return fmt.Sprintf("%d-%d", ms, g.rnd.IntN(3))
}

func (g *streamGen) pick(xs ...string) string { return xs[g.rnd.IntN(len(xs))] }

func (g *streamGen) next() []string {
	k := g.key()
	switch n := g.rnd.IntN(100); {
	case n < 30: // XADD, sometimes with a trim
		g.ms += int64(g.rnd.IntN(2))
		argv := []string{"XADD", k}
		if g.rnd.IntN(5) == 0 {
			argv = append(argv, g.pick("MAXLEN", "MINID"), g.pick("=", "~"))
			if argv[2] == "MAXLEN" {
				argv = append(argv, strconv.Itoa(g.rnd.IntN(20)))
			} else {
				argv = append(argv, g.id())
			}
			if argv[3] == "~" && g.rnd.IntN(2) == 0 {
				argv = append(argv, "LIMIT", strconv.Itoa(g.rnd.IntN(20)))
			}
		}
		if g.rnd.IntN(3) == 0 {
			argv = append(argv, fmt.Sprintf("%d-*", g.ms))
		} else {
			argv = append(argv, fmt.Sprintf("%d-%d", g.ms, g.rnd.IntN(3)))
		}
		for f := 0; f <= g.rnd.IntN(3); f++ {
			argv = append(argv, g.pick("f", "field", "x"), strconv.Itoa(g.rnd.IntN(1000)))
		}
		return argv
	case n < 36:
		return []string{"XDEL", k, g.id(), g.id()}
	case n < 42:
		argv := []string{"XTRIM", k, g.pick("MAXLEN", "MINID"), g.pick("=", "~")}
		if argv[2] == "MAXLEN" {
			argv = append(argv, strconv.Itoa(g.rnd.IntN(30)))
		} else {
			argv = append(argv, g.id())
		}
		if argv[3] == "~" && g.rnd.IntN(2) == 0 {
			argv = append(argv, "LIMIT", strconv.Itoa(g.rnd.IntN(20)))
		}
		return argv
	case n < 48:
		return []string{g.pick("XRANGE", "XREVRANGE"), k, "-", "+", "COUNT", strconv.Itoa(g.rnd.IntN(10))}
	case n < 52:
		return []string{"XLEN", k}
	case n < 57:
		grp := g.pick(genGroups...)
		g.groups[k+"/"+grp] = true // created, or BUSYGROUP: it exists
		argv := []string{"XGROUP", "CREATE", k, grp, g.pick("0", "$", g.id()), "MKSTREAM"}
		if g.rnd.IntN(3) == 0 {
			argv = append(argv, "ENTRIESREAD", strconv.Itoa(g.rnd.IntN(20)))
		}
		return argv
	case n < 59:
		return []string{"XGROUP", "SETID", k, g.pick(genGroups...), g.pick("0", "$", g.id())}
	case n < 75:
		return g.readGroup(k)
	case n < 83:
		return []string{"XACK", k, g.pick(genGroups...), g.id(), g.id(), g.id()}
	case n < 87:
		grp := g.pick(genGroups...)
		c := g.claimer(k + "/" + grp)
		if c == "" {
			return g.readGroup(k)
		}
		return []string{"XCLAIM", k, grp, c, "0", g.id(), g.id(), "JUSTID"}
	case n < 91:
		grp := g.pick(genGroups...)
		c := g.claimer(k + "/" + grp)
		if c == "" {
			return g.readGroup(k)
		}
		return []string{"XAUTOCLAIM", k, grp, c, "0", g.pick("0", g.id()),
			"COUNT", strconv.Itoa(1 + g.rnd.IntN(5)), "JUSTID"}
	case n < 94:
		return []string{"XPENDING", k, g.pick(genGroups...)}
	case n < 96:
		return []string{"XINFO", "GROUPS", k}
	case n < 98:
		return []string{"XINFO", "STREAM", k}
	default:
		grp, c := g.pick(genGroups...), g.pick(genConsumers...)
		g.delConsumer(k+"/"+grp, c)
		return []string{"XGROUP", "DELCONSUMER", k, grp, c}
	}
}

// readGroup is an XREADGROUP. A consumer's first read is a history read:
// that creates it on both servers, where a ">" read that finds nothing
// creates it in Redis 8.x (and redcurrent) but not in the 7.0 reference.
func (g *streamGen) readGroup(k string) []string {
	grp, c := g.pick(genGroups...), g.pick(genConsumers...)
	id := g.pick(">", ">", "0")
	if !slices.Contains(g.consumers[k+"/"+grp], c) {
		id = "0"
	}
	g.addConsumer(k+"/"+grp, c)
	return []string{"XREADGROUP", "GROUP", grp, c,
		"COUNT", strconv.Itoa(1 + g.rnd.IntN(5)), "STREAMS", k, id}
}
