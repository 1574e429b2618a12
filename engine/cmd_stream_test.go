package engine

import (
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redcurrent/redcurrent/generated"
)

func init() {
	commands["XADD"] = bind(generated.ParseXAdd, (*Engine).XAdd)
	commands["XLEN"] = bind(generated.ParseXLen, (*Engine).XLen)
	commands["XRANGE"] = bind(generated.ParseXRange, (*Engine).XRange)
	commands["XREVRANGE"] = bind(generated.ParseXRevRange, (*Engine).XRevRange)
	commands["XDEL"] = bind(generated.ParseXDel, (*Engine).XDel)
	commands["XTRIM"] = bind(generated.ParseXTrim, (*Engine).XTrim)
	commands["XSETID"] = bind(generated.ParseXSetID, (*Engine).XSetID)
	commands["XINFO STREAM"] = bind(generated.ParseXInfoStream, (*Engine).XInfoStream)
	commands["XINFO HELP"] = bind(generated.ParseXInfoHelp, (*Engine).XInfoHelp)
}

// t0ms is t0 in unix milliseconds, the ms part of the first "*" ID.
const t0ms = "1767225600500"

func TestXAdd(t *testing.T) {
	runScripts(t, []scriptCase{
		{"auto IDs read the clock", []step{
			{cmd: "XADD s * f v", resp2: bulk(t0ms + "-0")},
			{cmd: "XADD s * f v", resp2: bulk(t0ms + "-1")},
			{advance: time.Millisecond, cmd: "XADD s * f v", resp2: bulk("1767225600501-0")},
		}},
		{"clock going backwards keeps the last ms", []step{
			{cmd: "XADD s * f v", resp2: bulk(t0ms + "-0")},
			{advance: -time.Second, cmd: "XADD s * f v", resp2: bulk(t0ms + "-1")},
		}},
		{"ms-* and explicit IDs", []step{
			{cmd: "XADD s 5-* f v", resp2: bulk("5-0")},
			{cmd: "XADD s 5-* f v", resp2: bulk("5-1")},
			{cmd: "XADD s 5 f v", resp2: "-ERR The ID specified in XADD is equal or smaller than the target stream top item\r\n"},
			{cmd: "XADD s 0-0 f v", resp2: "-ERR The ID specified in XADD must be greater than 0-0\r\n"},
			{cmd: "XADD s 18446744073709551615-18446744073709551615 f v", resp2: bulk("18446744073709551615-18446744073709551615")},
			{cmd: "XADD s * f v", resp2: "-ERR The stream has exhausted the last possible ID, unable to add more items\r\n"},
		}},
		{"sequence exhausted for ms-*", []step{
			{cmd: "XADD s 1-18446744073709551615 f v", resp2: bulk("1-18446744073709551615")},
			{cmd: "XADD s 1-* f v", resp2: "-ERR The ID specified in XADD is equal or smaller than the target stream top item\r\n"},
		}},
		{"NOMKSTREAM and wrong type", []step{
			{cmd: "XADD s NOMKSTREAM * f v", resp2: null2, resp3: null3},
			{cmd: "EXISTS s", resp2: in(0)},
			{cmd: "SET k v", resp2: ok},
			{cmd: "XADD k * f v", resp2: wrongT},
			{cmd: "XADD s 1-1 f v", resp2: bulk("1-1")},
			{cmd: "GET s", resp2: wrongT},
			{cmd: "TYPE s", resp2: "+stream\r\n"},
			{cmd: "OBJECT ENCODING s", resp2: bulk("stream")},
		}},
		{"trim options", []step{
			{cmd: "XADD s LIMIT 10 * f v", resp2: "-ERR syntax error, LIMIT cannot be used without specifying a trimming strategy\r\n"},
			{cmd: "XADD s MAXLEN 1 LIMIT 10 * f v", resp2: "-ERR syntax error, LIMIT cannot be used without the special ~ option\r\n"},
			{cmd: "XADD s MAXLEN 1 MINID 1 * f v", resp2: "-ERR syntax error, MAXLEN and MINID options at the same time are not compatible\r\n"},
			{cmd: "XADD s MAXLEN -1 * f v", resp2: "-ERR The MAXLEN argument must be >= 0.\r\n"},
			{cmd: "XADD s KEEPREF MAXLEN 1 1-1 f v", resp2: bulk("1-1")},
			{cmd: "XADD s DELREF MAXLEN 1 2-1 f v", resp2: bulk("2-1")},
			{cmd: "XADD s ACKED MAXLEN = 1 3-1 f v", resp2: bulk("3-1")},
			{cmd: "XLEN s", resp2: in(1)},
		}},
		{"odd field count", []step{
			{cmd: "XADD s * f v g", resp2: "-ERR wrong number of arguments for 'xadd' command\r\n"},
		}},
	})
}

func TestXRangeAndXDel(t *testing.T) {
	e1 := arr(bulk("1-1"), arr(bulk("f"), bulk("a")))
	e2 := arr(bulk("1-2"), arr(bulk("f"), bulk("b"), bulk("g"), bulk("c")))
	runScripts(t, []scriptCase{
		{"ranges", []step{
			{cmd: "XADD s 1-1 f a", resp2: bulk("1-1")},
			{cmd: "XADD s 1-2 f b g c", resp2: bulk("1-2")},
			{cmd: "XRANGE s - +", resp2: arr(e1, e2)},
			{cmd: "XREVRANGE s + -", resp2: arr(e2, e1)},
			{cmd: "XRANGE s (1-1 +", resp2: arr(e2)},
			{cmd: "XRANGE s - + COUNT 1", resp2: arr(e1)},
			{cmd: "XRANGE s - + COUNT 0", resp2: "*-1\r\n", resp3: null3},
			{cmd: "XRANGE s - (0-0", resp2: "-ERR invalid end ID for the interval\r\n"},
			{cmd: "XRANGE missing - +", resp2: "*0\r\n"},
		}},
		{"XDEL", []step{
			{cmd: "XADD s 1-1 f a", resp2: bulk("1-1")},
			{cmd: "XADD s 1-2 f b g c", resp2: bulk("1-2")},
			{cmd: "XDEL s 1-1 1-1 9", resp2: in(1)},
			{cmd: "XRANGE s - +", resp2: arr(e2)},
			{cmd: "XDEL s foo", resp2: "-ERR Invalid stream ID specified as stream command argument\r\n"},
			{cmd: "XDEL missing foo", resp2: in(0)},
			{cmd: "XDEL s 1-2", resp2: in(1)},
			{cmd: "XLEN s", resp2: in(0)},
			{cmd: "EXISTS s", resp2: in(1)},
		}},
	})
}

func TestXTrimAndXSetID(t *testing.T) {
	runScripts(t, []scriptCase{
		{"XTRIM", []step{
			{cmd: "XADD s 1-1 f a"}, {cmd: "XADD s 2-1 f a"}, {cmd: "XADD s 3-1 f a"},
			{cmd: "XTRIM s MAXLEN ~ 1", resp2: in(0)},
			{cmd: "XTRIM s MAXLEN 1", resp2: in(2)},
			{cmd: "XTRIM s MINID 4", resp2: in(1)},
			{cmd: "XTRIM missing MAXLEN 1", resp2: in(0)},
			{cmd: "XTRIM s MAXLEN 1 LIMIT 1", resp2: "-ERR syntax error, LIMIT cannot be used without the special ~ option\r\n"},
		}},
		{"XSETID", []step{
			{cmd: "XSETID s 1-1", resp2: "-ERR no such key\r\n"},
			{cmd: "XADD s 5-1 f a"},
			{cmd: "XSETID s 5-0", resp2: "-ERR The ID specified in XSETID is smaller than the target stream top item\r\n"},
			{cmd: "XSETID s 9-0 ENTRIESADDED 0", resp2: "-ERR The entries_added specified in XSETID is smaller than the target stream length\r\n"},
			{cmd: "XSETID s 9-0 ENTRIESADDED -1", resp2: "-ERR entries_added must be positive\r\n"},
			{cmd: "XSETID s 9-0 MAXDELETEDID 10-0", resp2: "-ERR The ID specified in XSETID is smaller than the provided max_deleted_entry_id\r\n"},
			{cmd: "XSETID s 9-0 ENTRIESADDED 7 MAXDELETEDID 8-0", resp2: ok},
			{cmd: "XSETID s 7-5", resp2: "-ERR The ID specified in XSETID is smaller than current max_deleted_entry_id\r\n"},
			{cmd: "XADD s 9-0 f v", resp2: "-ERR The ID specified in XADD is equal or smaller than the target stream top item\r\n"},
			{cmd: "XADD s 9-* f v", resp2: bulk("9-1")},
		}},
		{"XSETID below a stored deleted entry", []step{
			{cmd: "XADD w 1-0 f v"}, {cmd: "XADD w 2-0 f v"}, {cmd: "XADD w 3-0 f v"},
			{cmd: "XDEL w 3-0", resp2: in(1)},
			{cmd: "XSETID w 3-0 MAXDELETEDID 0-1", resp2: ok},
			{cmd: "XSETID w 2-5", resp2: ok},
			{cmd: "XADD w 2-6 f v", resp2: bulk("2-6")},
			{cmd: "XRANGE w 2-6 2-6", resp2: arr(arr(bulk("2-6"), arr(bulk("f"), bulk("v"))))},
			{cmd: "XDEL w 2-6", resp2: in(1)},
			{cmd: "XLEN w", resp2: in(2)},
		}},
	})
}

func TestXInfoStream(t *testing.T) {
	e1 := arr(bulk("1-1"), arr(bulk("f"), bulk("a")))
	fields := func() []string {
		return []string{bulk("length"), in(1), bulk("radix-tree-keys"), in(1), bulk("radix-tree-nodes"), in(2),
			bulk("last-generated-id"), bulk("1-1"), bulk("max-deleted-entry-id"), bulk("0-0"),
			bulk("entries-added"), in(1), bulk("recorded-first-entry-id"), bulk("1-1")}
	}
	summary := append(fields(), bulk("groups"), in(0), bulk("first-entry"), e1, bulk("last-entry"), e1)
	full := append(fields(), bulk("entries"), arr(e1), bulk("groups"), "*0\r\n")
	runScripts(t, []scriptCase{
		{"summary and FULL", []step{
			{cmd: "XINFO STREAM s", resp2: "-ERR no such key\r\n"},
			{cmd: "XADD s 1-1 f a"},
			{cmd: "XINFO STREAM s", resp2: "*20\r\n" + strings.Join(summary, ""), resp3: "%10\r\n" + strings.Join(summary, "")},
			{cmd: "XINFO STREAM s FULL", resp2: "*18\r\n" + strings.Join(full, ""), resp3: "%9\r\n" + strings.Join(full, "")},
			{cmd: "XINFO STREAM s FOO", resp2: "-ERR unknown subcommand or wrong number of arguments for 'STREAM'. Try XINFO HELP.\r\n"},
		}},
	})
}

// TestStreamCommandsRandom runs random stream commands, valid and not, on
// two keys with small node limits. run checks after every command that
// exactly one reply was written (or an error returned with nothing
// written) and that e.check(), which includes every stream's check,
// passes.
func TestStreamCommandsRandom(t *testing.T) {
	const seed = 7
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, seed))
	// The clock starts near the explicit IDs' ms, so "*" and explicit IDs mix.
	clk := NewManualClock(time.UnixMilli(20))
	e := New(Options{Clock: clk, Seed: 1})
	c := &Client{ID: 1}
	pick := func(xs ...string) string { return xs[rng.IntN(len(xs))] }
	base := 0
	id := func() string {
		ms := strconv.Itoa(base + rng.IntN(40))
		switch rng.IntN(8) {
		case 0:
			return ms
		case 1:
			return ms + "-*"
		case 2:
			return pick("-", "+", "("+ms, "foo", "18446744073709551615-18446744073709551615")
		}
		return ms + "-" + strconv.Itoa(rng.IntN(4))
	}
	trim := func() string {
		s := pick("MAXLEN", "MINID") + " " + pick("", "= ", "~ ")
		if strings.HasPrefix(s, "MAXLEN") {
			s += strconv.Itoa(rng.IntN(12) - 1)
		} else {
			s += id()
		}
		if rng.IntN(3) == 0 {
			s += " LIMIT " + strconv.Itoa(rng.IntN(6)-1)
		}
		return s
	}
	added := 0
	for i := 0; i < 5000; i++ {
		if rng.IntN(50) == 0 {
			e.SetStreamNodeMaxEntries(int64(rng.IntN(6)))
			e.SetStreamNodeMaxBytes(int64(rng.IntN(200)))
		}
		if rng.IntN(10) == 0 {
			base++
			clk.Advance(time.Duration(rng.IntN(3)-1) * time.Millisecond)
		}
		if rng.IntN(200) == 0 {
			run(t, e, c, "DEL s t") // an exhausted stream stays exhausted
		}
		key := pick("s", "t")
		var cmd string
		switch rng.IntN(9) {
		case 0, 1, 2:
			opts := ""
			if rng.IntN(3) == 0 {
				opts = trim() + " "
			}
			if rng.IntN(5) == 0 {
				opts += "NOMKSTREAM "
			}
			fv := pick("f v", "f 1 g 2", "g 2 f 1", "f "+strings.Repeat("x", rng.IntN(80)), "f")
			cmd = "XADD " + key + " " + opts + pick("*", "*", id()) + " " + fv
		case 3:
			cmd = "XDEL " + key + " " + id() + " " + id()
		case 4:
			cmd = "XTRIM " + key + " " + trim()
		case 5:
			cmd = "XRANGE " + key + " " + id() + " " + id() + pick("", " COUNT 2", " COUNT 0")
		case 6:
			cmd = "XREVRANGE " + key + " " + id() + " " + id() + pick("", " COUNT 3")
		case 7:
			cmd = "XSETID " + key + " " + id() + pick("", " ENTRIESADDED 50", " MAXDELETEDID "+id())
		default:
			cmd = "XINFO STREAM " + key + pick("", " FULL", " FULL COUNT 1")
		}
		if r2, _ := run(t, e, c, cmd); strings.HasPrefix(cmd, "XADD") && strings.HasPrefix(r2, "$") {
			added++
		}
	}
	// Guard against a generator that only produces errors.
	if added < 500 {
		t.Fatalf("seed %d: only %d XADDs succeeded", seed, added)
	}
	t.Logf("%d XADDs succeeded", added)
}
