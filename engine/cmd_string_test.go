package engine

import (
	"strings"
	"testing"
	"time"
)

// fakeStream is a non-string value for WRONGTYPE cases.
type fakeStream struct{}

func (fakeStream) Type() string     { return "stream" }
func (fakeStream) Encoding() string { return "stream" }
func (fakeStream) Clone() Value     { return fakeStream{} }

func init() {
	// XFAKE key: a test-only command creating a non-string key.
	commands["XFAKE"] = func(e *Engine, c *Client, argv [][]byte, w ReplyWriter) error {
		if ent := e.lookup(c.DB, argv[1], false); ent != nil {
			e.remove(c.DB, ent)
		}
		ent := e.add(c.DB, string(argv[1]), fakeStream{})
		e.signal(c.DB, ent.key)
		w.Simple("OK")
		return nil
	}
}

func TestStringCommands(t *testing.T) {
	big := strings.Repeat("a", 45)
	runScripts(t, []scriptCase{
		{"GET and SET", []step{
			{cmd: "GET k", resp2: null2, resp3: null3},
			{cmd: "SET k v", resp2: ok},
			{cmd: "GET k", resp2: bulk("v")},
			{cmd: "SET k ''", resp2: ok},
			{cmd: "GET k", resp2: bulk("")},
			{cmd: "XFAKE s"},
			{cmd: "GET s", resp2: wrongT},
			{cmd: "SET s v", resp2: ok},
			{cmd: "GET s", resp2: bulk("v")},
		}},
		{"SET NX XX GET", []step{
			{cmd: "SET k v NX", resp2: ok},
			{cmd: "SET k w NX", resp2: null2, resp3: null3},
			{cmd: "SET n w XX", resp2: null2, resp3: null3},
			{cmd: "SET k w XX GET", resp2: bulk("v")},
			{cmd: "SET k x NX GET", resp2: bulk("w")},
			{cmd: "GET k", resp2: bulk("w")},
			{cmd: "SET n x GET", resp2: null2, resp3: null3},
			{cmd: "SET m x XX GET", resp2: null2, resp3: null3},
			{cmd: "EXISTS m", resp2: in(0)},
			{cmd: "XFAKE s"},
			{cmd: "SET s x GET", resp2: wrongT},
			{cmd: "TYPE s", resp2: "+stream\r\n"},
			{cmd: "SET k v NX XX", resp2: syntax},
		}},
		{"SET expiry options", []step{
			{cmd: "SET k v EX 10", resp2: ok},
			{cmd: "PTTL k", resp2: in(10000)},
			{cmd: "SET k v PX 1500", resp2: ok},
			{cmd: "TTL k", resp2: in(2)},
			{cmd: "SET k v KEEPTTL", resp2: ok},
			{cmd: "PTTL k", resp2: in(1500)},
			{cmd: "SET k v", resp2: ok},
			{cmd: "TTL k", resp2: in(-1)},
			{cmd: "SET k v EXAT 1767225610", resp2: ok},
			{cmd: "PTTL k", resp2: in(9500)},
			{cmd: "SET k v PXAT 1767225600600", resp2: ok},
			{cmd: "PTTL k", resp2: in(100)},
			{cmd: "GET k", advance: 100 * time.Millisecond, resp2: bulk("v")},
			{cmd: "GET k", advance: time.Millisecond, resp2: null2, resp3: null3},
			{cmd: "SET k v PXAT 1", resp2: ok},
			{cmd: "EXISTS k", resp2: in(0)},
			{cmd: "SET k v EX 0", resp2: "-ERR invalid expire time in 'set' command\r\n"},
			{cmd: "SET k v EX -1", resp2: "-ERR invalid expire time in 'set' command\r\n"},
			{cmd: "SET k v PX 0", resp2: "-ERR invalid expire time in 'set' command\r\n"},
			{cmd: "SET k v EX 9223372036854775", resp2: "-ERR invalid expire time in 'set' command\r\n"},
			{cmd: "SET k v EX 9223372036854", resp2: ok},
			{cmd: "SET k v PX 9223372036854775807", resp2: "-ERR invalid expire time in 'set' command\r\n"},
			{cmd: "SET k v EXAT 9223372036854775807", resp2: "-ERR invalid expire time in 'set' command\r\n"},
			{cmd: "SET k v PXAT 9223372036854775807", resp2: ok},
			{cmd: "SET k v EX abc", resp2: notInt},
		}},
		{"SETNX SETEX PSETEX", []step{
			{cmd: "SETNX k v", resp2: in(1)},
			{cmd: "SETNX k w", resp2: in(0)},
			{cmd: "SETEX k 5 x", resp2: ok},
			{cmd: "TTL k", resp2: in(5)},
			{cmd: "PSETEX k 1234 y", resp2: ok},
			{cmd: "PTTL k", resp2: in(1234)},
			{cmd: "GET k", resp2: bulk("y")},
			{cmd: "SETEX k 0 v", resp2: "-ERR invalid expire time in 'setex' command\r\n"},
			{cmd: "SETEX k -5 v", resp2: "-ERR invalid expire time in 'setex' command\r\n"},
			{cmd: "SETEX k 9223372036854775807 v", resp2: "-ERR invalid expire time in 'setex' command\r\n"},
			{cmd: "PSETEX k 0 v", resp2: "-ERR invalid expire time in 'psetex' command\r\n"},
		}},
		{"GETDEL GETEX", []step{
			{cmd: "SET k v", resp2: ok},
			{cmd: "GETDEL k", resp2: bulk("v")},
			{cmd: "GETDEL k", resp2: null2, resp3: null3},
			{cmd: "SET a 1", resp2: ok},
			{cmd: "GETEX a EX 100", resp2: bulk("1")},
			{cmd: "TTL a", resp2: in(100)},
			{cmd: "GETEX a", resp2: bulk("1")},
			{cmd: "TTL a", resp2: in(100)},
			{cmd: "GETEX a PERSIST", resp2: bulk("1")},
			{cmd: "TTL a", resp2: in(-1)},
			{cmd: "GETEX a PX 20", resp2: bulk("1")},
			{cmd: "PTTL a", resp2: in(20)},
			{cmd: "GETEX a EXAT 1767225700", resp2: bulk("1")},
			{cmd: "EXPIRETIME a", resp2: in(1767225700)},
			{cmd: "GETEX a PXAT 1767225700123", resp2: bulk("1")},
			{cmd: "PEXPIRETIME a", resp2: in(1767225700123)},
			{cmd: "GETEX a EX 0", resp2: "-ERR invalid expire time in 'getex' command\r\n"},
			{cmd: "GETEX a EXAT 9223372036854775807", resp2: "-ERR invalid expire time in 'getex' command\r\n"},
			{cmd: "GETEX a EX 100 PERSIST", resp2: syntax},
			{cmd: "GETEX a FOO", resp2: syntax},
			{cmd: "GETEX nokey EX 10", resp2: null2, resp3: null3},
			{cmd: "GETEX a PXAT 1", resp2: bulk("1")},
			{cmd: "EXISTS a", resp2: in(0)},
			{cmd: "XFAKE s"},
			{cmd: "GETEX s", resp2: wrongT},
			{cmd: "GETDEL s", resp2: wrongT},
		}},
		{"MGET MSET MSETNX", []step{
			{cmd: "MSET a 1 b 2 a 3", resp2: ok},
			{cmd: "XFAKE s"},
			{cmd: "MGET a b nokey s", resp2: "*4\r\n$1\r\n3\r\n$1\r\n2\r\n$-1\r\n$-1\r\n", resp3: "*4\r\n$1\r\n3\r\n$1\r\n2\r\n_\r\n_\r\n"},
			{cmd: "MSETNX a 1 c 2", resp2: in(0)},
			{cmd: "EXISTS c", resp2: in(0)},
			{cmd: "MSETNX c 1 d 2", resp2: in(1)},
			{cmd: "MGET c d", resp2: bulks("1", "2")},
			{cmd: "SET e v EX 10", resp2: ok},
			{cmd: "MSET e w", resp2: ok},
			{cmd: "TTL e", resp2: in(-1)},
		}},
		{"INCR DECR", []step{
			{cmd: "INCR n", resp2: in(1)},
			{cmd: "INCRBY n 10", resp2: in(11)},
			{cmd: "DECR n", resp2: in(10)},
			{cmd: "DECRBY n 20", resp2: in(-10)},
			{cmd: "GET n", resp2: bulk("-10")},
			{cmd: "SET n 5 EX 100", resp2: ok},
			{cmd: "INCR n", resp2: in(6)},
			{cmd: "TTL n", resp2: in(100)},
			{cmd: "SET i 9223372036854775807", resp2: ok},
			{cmd: "INCR i", resp2: "-ERR increment or decrement would overflow\r\n"},
			{cmd: "INCRBY i 1", resp2: "-ERR increment or decrement would overflow\r\n"},
			{cmd: "SET i -9223372036854775808", resp2: ok},
			{cmd: "DECR i", resp2: "-ERR increment or decrement would overflow\r\n"},
			{cmd: "DECRBY i -9223372036854775808", resp2: "-ERR decrement would overflow\r\n"},
			{cmd: "DECRBY i 9223372036854775807", resp2: "-ERR increment or decrement would overflow\r\n"},
			{cmd: "SET i '1 '", resp2: ok},
			{cmd: "INCR i", resp2: notInt},
			{cmd: "SET i 010", resp2: ok},
			{cmd: "INCR i", resp2: notInt},
			{cmd: "SET i +5", resp2: ok},
			{cmd: "INCR i", resp2: notInt},
			{cmd: "SET i abc", resp2: ok},
			{cmd: "INCR i", resp2: notInt},
			{cmd: "INCRBY i x", resp2: notInt},
			{cmd: "XFAKE s"},
			{cmd: "INCR s", resp2: wrongT},
		}},
		{"INCRBYFLOAT", []step{
			{cmd: "SET f 10.50", resp2: ok},
			{cmd: "INCRBYFLOAT f 0.1", resp2: bulk("10.6")},
			{cmd: "SET f 0.1", resp2: ok},
			{cmd: "INCRBYFLOAT f 0.2", resp2: bulk("0.3")},
			{cmd: "SET f 3.0e3", resp2: ok},
			{cmd: "INCRBYFLOAT f 0", resp2: bulk("3000")},
			{cmd: "SET f 5", resp2: ok},
			{cmd: "INCRBYFLOAT f -5", resp2: bulk("0")},
			{cmd: "SET f 1", resp2: ok},
			{cmd: "INCRBYFLOAT f 1e20", resp2: bulk("100000000000000000000")},
			{cmd: "INCRBYFLOAT f 1e-20", resp2: bulk("100000000000000000000")},
			{cmd: "INCRBYFLOAT nf 1", resp2: bulk("1")},
			{cmd: "OBJECT ENCODING nf", resp2: bulk("embstr")},
			{cmd: "SET f 1e308", resp2: ok},
			{cmd: "INCRBYFLOAT f 1e308", resp2: bulk("199999999999999999993371759311691291321120199694831134415594095989843469737676123744200253843777078640893494450108026446304269499187921167194841628860392837535918200039206381557326219209014213335878306791577877829121087126122536729803237260434173178506889763247582601711514636284849020905456510092687857156096")},
			{cmd: "SET f 1e400", resp2: ok},
			{cmd: "INCRBYFLOAT f 1", resp2: bulk("10000000000000000000281880683947586514586453433629052038625910693539685534008629862039363994848324160522094053927317616200295822777259255734023828976593340661017797447434546173917862448116674971723778943824391593338047470675026246684401359237513603830343735485505244955964979021825038280091068414947402456898653040951017512658092615827588920183472511643316591362664138176309734806343732497430221946880")},
			{cmd: "OBJECT ENCODING f", resp2: bulk("raw")},
			{cmd: "SET f abc", resp2: ok},
			{cmd: "INCRBYFLOAT f 1", resp2: "-ERR value is not a valid float\r\n"},
			{cmd: "SET f inf", resp2: ok},
			{cmd: "INCRBYFLOAT f 1", resp2: "-ERR increment would produce NaN or Infinity\r\n"},
			{cmd: "SET f ' 1'", resp2: ok},
			{cmd: "INCRBYFLOAT f 1", resp2: "-ERR value is not a valid float\r\n"},
			{cmd: "SET f 1e5000", resp2: ok},
			{cmd: "INCRBYFLOAT f 1", resp2: "-ERR value is not a valid float\r\n"},
			{cmd: "SET f 2 EX 10", resp2: ok},
			{cmd: "INCRBYFLOAT f .5", resp2: bulk("2.5")},
			{cmd: "TTL f", resp2: in(10)},
			{cmd: "XFAKE s"},
			{cmd: "INCRBYFLOAT s 1", resp2: wrongT},
		}},
		{"APPEND STRLEN", []step{
			{cmd: "APPEND k 123", resp2: in(3)},
			{cmd: "OBJECT ENCODING k", resp2: bulk("int")},
			{cmd: "APPEND k 4", resp2: in(4)},
			{cmd: "OBJECT ENCODING k", resp2: bulk("raw")},
			{cmd: "GET k", resp2: bulk("1234")},
			{cmd: "STRLEN k", resp2: in(4)},
			{cmd: "STRLEN nokey", resp2: in(0)},
			{cmd: "APPEND e ''", resp2: in(0)},
			{cmd: "EXISTS e", resp2: in(1)},
			{cmd: "OBJECT ENCODING e", resp2: bulk("embstr")},
			{cmd: "XFAKE s"},
			{cmd: "APPEND s x", resp2: wrongT},
			{cmd: "STRLEN s", resp2: wrongT},
		}},
		{"GETRANGE", []step{
			{cmd: "SET s hello", resp2: ok},
			{cmd: "GETRANGE s 0 -1", resp2: bulk("hello")},
			{cmd: "GETRANGE s -3 -1", resp2: bulk("llo")},
			{cmd: "GETRANGE s 10 20", resp2: bulk("")},
			{cmd: "GETRANGE s 3 1", resp2: bulk("")},
			{cmd: "GETRANGE s -100 -50", resp2: bulk("h")},
			{cmd: "GETRANGE s -1 -100", resp2: bulk("")},
			{cmd: "GETRANGE s 0 9223372036854775807", resp2: bulk("hello")},
			{cmd: "GETRANGE nokey 0 -1", resp2: bulk("")},
			{cmd: "GETRANGE s a 1", resp2: notInt},
			{cmd: "SET n 12345", resp2: ok},
			{cmd: "GETRANGE n 1 2", resp2: bulk("23")},
		}},
		{"SETRANGE", []step{
			{cmd: "SET s hello", resp2: ok},
			{cmd: "SETRANGE s 1 a", resp2: in(5)},
			{cmd: "SETRANGE s 7 x", resp2: in(8)},
			{cmd: "GET s", resp2: bulk("hallo\x00\x00x")},
			{cmd: "SETRANGE s 1 ''", resp2: in(8)},
			{cmd: "SETRANGE nk 5 ''", resp2: in(0)},
			{cmd: "EXISTS nk", resp2: in(0)},
			{cmd: "SETRANGE nk 2 ab", resp2: in(4)},
			{cmd: "GET nk", resp2: bulk("\x00\x00ab")},
			{cmd: "OBJECT ENCODING nk", resp2: bulk("raw")},
			{cmd: "SETRANGE s -1 x", resp2: "-ERR offset is out of range\r\n"},
			{cmd: "SETRANGE s 536870912 x", resp2: "-ERR string exceeds maximum allowed size (proto-max-bulk-len)\r\n"},
			{cmd: "SETRANGE s 536870911 xy", resp2: "-ERR string exceeds maximum allowed size (proto-max-bulk-len)\r\n"},
			// offset+len wraps past MaxInt64: still too long, not a panic.
			{cmd: "SETRANGE s 9223372036854775807 x", resp2: "-ERR string exceeds maximum allowed size (proto-max-bulk-len)\r\n"},
			{cmd: "SETRANGE nk2 9223372036854775806 xyz", resp2: "-ERR string exceeds maximum allowed size (proto-max-bulk-len)\r\n"},
			{cmd: "EXISTS nk2", resp2: in(0)},
			{cmd: "XFAKE x"},
			{cmd: "SETRANGE x 0 a", resp2: wrongT},
			{cmd: "SETRANGE x -1 a", resp2: "-ERR offset is out of range\r\n"},
		}},
		{"OBJECT ENCODING and REFCOUNT", []step{
			{cmd: "SET k 12345", resp2: ok},
			{cmd: "OBJECT ENCODING k", resp2: bulk("int")},
			{cmd: "OBJECT REFCOUNT k", resp2: in(1)},
			{cmd: "SET k 123", resp2: ok},
			{cmd: "OBJECT REFCOUNT k", resp2: in(2147483647)},
			{cmd: "COPY k k2", resp2: in(1)},
			{cmd: "OBJECT REFCOUNT k2", resp2: in(1)},
			{cmd: "OBJECT ENCODING k2", resp2: bulk("int")},
			{cmd: "SET k 12345678901234567890", resp2: ok},
			{cmd: "OBJECT ENCODING k", resp2: bulk("embstr")},
			{cmd: "SET k -9223372036854775808", resp2: ok},
			{cmd: "OBJECT ENCODING k", resp2: bulk("int")},
			{cmd: "SET k 01", resp2: ok},
			{cmd: "OBJECT ENCODING k", resp2: bulk("embstr")},
			{cmd: "SET k " + big[:44], resp2: ok},
			{cmd: "OBJECT ENCODING k", resp2: bulk("embstr")},
			{cmd: "SET k " + big, resp2: ok},
			{cmd: "OBJECT ENCODING k", resp2: bulk("raw")},
			{cmd: "OBJECT REFCOUNT k", resp2: in(1)},
			{cmd: "INCR c", resp2: in(1)},
			{cmd: "OBJECT REFCOUNT c", resp2: in(2147483647)},
			{cmd: "OBJECT ENCODING nokey", resp2: null2, resp3: null3},
			{cmd: "OBJECT REFCOUNT nokey", resp2: null2, resp3: null3},
		}},
	})
}

// TestSetAllocs checks that GET allocates nothing and that SET over an
// existing key allocates nothing once the buffer fits.
func TestSetAllocs(t *testing.T) {
	e, _ := newTestEngine()
	c := &Client{}
	var r recorder
	r.ops = make([]op, 0, 4)
	argvSet := split("SET key value")
	argvGet := split("GET key")
	set, get := commands["SET"], commands["GET"]
	if err := set(e, c, argvSet, &r); err != nil {
		t.Fatal(err)
	}
	n := testing.AllocsPerRun(100, func() {
		r.ops = r.ops[:0]
		_ = get(e, c, argvGet, &r)
	})
	if n > 1 { // the recorder's string copy of the bulk
		t.Errorf("GET allocates %v times per run", n)
	}
	n = testing.AllocsPerRun(100, func() {
		r.ops = r.ops[:0]
		_ = set(e, c, argvSet, &r)
	})
	if n > 1 { // the Args struct escaping through the handler call
		t.Errorf("SET over an existing key allocates %v times per run", n)
	}
}
