package engine

import (
	"testing"
	"time"
)

func TestServerCommands(t *testing.T) {
	runScripts(t, []scriptCase{
		{"DBSIZE FLUSHDB FLUSHALL", []step{
			{cmd: "DBSIZE", resp2: in(0)},
			{cmd: "MSET a 1 b 2", resp2: ok},
			{cmd: "SET c 3 PX 10", resp2: ok},
			{cmd: "DBSIZE", resp2: in(3)},
			{cmd: "DBSIZE", advance: 11 * time.Millisecond, resp2: in(2)},
			{cmd: "FLUSHDB", resp2: ok},
			{cmd: "DBSIZE", resp2: in(0)},
			{cmd: "SET a 1", resp2: ok},
			{cmd: "FLUSHDB ASYNC", resp2: ok},
			{cmd: "FLUSHDB SYNC", resp2: ok},
			{cmd: "SELECT 3", resp2: ok},
			{cmd: "SET a 1", resp2: ok},
			{cmd: "FLUSHALL", resp2: ok},
			{cmd: "DBSIZE", resp2: in(0)},
			{cmd: "FLUSHALL SYNC", resp2: ok},
			{cmd: "FLUSHALL ASYNC", resp2: ok},
		}},
		{"SELECT SWAPDB", []step{
			{cmd: "SET a 0", resp2: ok},
			{cmd: "SELECT 16", resp2: "-ERR DB index is out of range\r\n"},
			{cmd: "SELECT -1", resp2: "-ERR DB index is out of range\r\n"},
			{cmd: "SELECT 1099511627776", resp2: "-ERR value is out of range, value must between -2147483648 and 2147483647\r\n"},
			{cmd: "SELECT x", resp2: notInt},
			{cmd: "SELECT 1", resp2: ok},
			{cmd: "SET b 1", resp2: ok},
			{cmd: "SWAPDB 0 1", resp2: ok},
			{cmd: "KEYS *", resp2: bulks("a")},
			{cmd: "SELECT 0", resp2: ok},
			{cmd: "KEYS *", resp2: bulks("b")},
			{cmd: "SWAPDB 0 0", resp2: ok},
			{cmd: "SWAPDB 0 16", resp2: "-ERR DB index is out of range\r\n"},
			{cmd: "SWAPDB 0 -1", resp2: "-ERR DB index is out of range\r\n"},
			{cmd: "SWAPDB 1099511627776 0", resp2: "-ERR invalid first DB index\r\n"},
			{cmd: "SWAPDB 0 1099511627776", resp2: "-ERR invalid second DB index\r\n"},
		}},
		{"TIME", []step{
			{cmd: "TIME", resp2: bulks("1767225600", "500000")},
			{cmd: "TIME", advance: 1500*time.Millisecond + 7*time.Microsecond, resp2: bulks("1767225602", "7")},
		}},
	})
}
