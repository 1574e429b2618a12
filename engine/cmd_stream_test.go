package engine

import (
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
