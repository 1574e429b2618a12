package bench

import (
	"bytes"
	"crypto/sha1"
	"encoding/hex"
	"strconv"
	"testing"

	"github.com/redcurrent/redcurrent"
)

// runScript loads script, then sends b.N EVALSHA calls of it (one per
// round trip) and reads every reply.
func runScript(b *testing.B, script string, args ...string) {
	srv, err := redcurrent.Run(redcurrent.Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(srv.Close)
	c := dial(b, srv.Addr())
	c.c.Write(encode("SCRIPT", "LOAD", script))
	c.skipReply(b)
	sum := sha1.Sum([]byte(script))
	one := encode(append([]string{"EVALSHA", hex.EncodeToString(sum[:])}, args...)...)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := c.c.Write(one); err != nil {
			b.Fatal(err)
		}
		c.skipReply(b)
	}
}

// BenchmarkScript: EVALSHA of a script running one command.
func BenchmarkScript(b *testing.B) {
	b.Run("EVALSHA/SET", func(b *testing.B) {
		runScript(b, "return redis.call('set', KEYS[1], ARGV[1])", "1", "key", "value-of-sixteen")
	})
	b.Run("EVALSHA/INCR", func(b *testing.B) {
		runScript(b, "return redis.call('incr', KEYS[1])", "1", "counter")
	})
}

// BenchmarkScriptXADD: EVALSHA of a script calling XADD against the same
// XADD sent as a plain command, one round trip per op; both trim to about
// 10,000 entries so the stream stays the same size whatever b.N is.
func BenchmarkScriptXADD(b *testing.B) {
	b.Run("plain", func(b *testing.B) {
		run(b, 1, "XADD", "s", "MAXLEN", "~", "10000", "*", "field", "value")
	})
	b.Run("EVALSHA", func(b *testing.B) {
		runScript(b, "return redis.call('XADD', KEYS[1], 'MAXLEN', '~', 10000, '*', 'field', ARGV[1])", "1", "s", "value")
	})
}

// tenStreamScript does the ten commands of tenStreamCommands in one script:
// four XADDs, one XREADGROUP of them, four XACKs and an XTRIM. ARGV[1] is
// the first ID's millisecond part.
const tenStreamScript = `local ms = tonumber(ARGV[1])
for i = 0, 3 do redis.call('XADD', KEYS[1], (ms + i) .. '-0', 'field', 'value') end
redis.call('XREADGROUP', 'GROUP', 'g', 'c', 'COUNT', 4, 'STREAMS', KEYS[1], '>')
for i = 0, 3 do redis.call('XACK', KEYS[1], 'g', (ms + i) .. '-0') end
return redis.call('XTRIM', KEYS[1], 'MAXLEN', '~', 1000)`

// tenStreamCommands appends to dst the ten commands one op of tenStreamScript
// runs, op numbering the IDs; ids is scratch space, so that the client
// allocates nothing (allocs/op counts the whole process).
func tenStreamCommands(dst []byte, op int, ids *[4][]byte) []byte {
	for i := range ids {
		ids[i] = append(strconv.AppendInt(ids[i][:0], int64(op*4+i+1), 10), "-0"...)
	}
	for _, id := range ids {
		dst = appendCommand(dst, []byte("XADD"), []byte("s"), id, []byte("field"), []byte("value"))
	}
	dst = appendCommand(dst, []byte("XREADGROUP"), []byte("GROUP"), []byte("g"), []byte("c"), []byte("COUNT"), []byte("4"), []byte("STREAMS"), []byte("s"), []byte(">"))
	for _, id := range ids {
		dst = appendCommand(dst, []byte("XACK"), []byte("s"), []byte("g"), id)
	}
	return appendCommand(dst, []byte("XTRIM"), []byte("s"), []byte("MAXLEN"), []byte("~"), []byte("1000"))
}

// streamServer starts a server with stream s and group g, and a client.
func streamServer(b *testing.B) *conn {
	srv, err := redcurrent.Run(redcurrent.Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(srv.Close)
	c := dial(b, srv.Addr())
	c.c.Write(encode("XGROUP", "CREATE", "s", "g", "$", "MKSTREAM"))
	c.skipReply(b)
	return c
}

// BenchmarkScriptStreams10: ten stream commands (XADD x4, XREADGROUP, XACK
// x4, XTRIM) as one EVALSHA, as one pipelined batch, and one round trip each.
// ns/op and allocs/op are per ten commands.
func BenchmarkScriptStreams10(b *testing.B) {
	b.Run("script", func(b *testing.B) {
		c := streamServer(b)
		c.c.Write(encode("SCRIPT", "LOAD", tenStreamScript))
		c.skipReply(b)
		sum := sha1.Sum([]byte(tenStreamScript))
		sha := []byte(hex.EncodeToString(sum[:]))
		var buf, ms []byte
		b.ReportAllocs()
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			ms = strconv.AppendInt(ms[:0], int64(i*4+1), 10)
			buf = appendCommand(buf[:0], []byte("EVALSHA"), sha, []byte("1"), []byte("s"), ms)
			if _, err := c.c.Write(buf); err != nil {
				b.Fatal(err)
			}
			c.skipReply(b)
		}
	})
	b.Run("pipelined", func(b *testing.B) {
		c := streamServer(b)
		var buf []byte
		var ids [4][]byte
		b.ReportAllocs()
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			buf = tenStreamCommands(buf[:0], i, &ids)
			if _, err := c.c.Write(buf); err != nil {
				b.Fatal(err)
			}
			for j := 0; j < 10; j++ {
				c.skipAggregate(b)
			}
		}
	})
	b.Run("one-by-one", func(b *testing.B) {
		c := streamServer(b)
		var buf []byte
		var ids [4][]byte
		b.ReportAllocs()
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			buf = tenStreamCommands(buf[:0], i, &ids)
			for rest := buf; len(rest) > 0; {
				n := commandLen(rest)
				if _, err := c.c.Write(rest[:n]); err != nil {
					b.Fatal(err)
				}
				c.skipAggregate(b)
				rest = rest[n:]
			}
		}
	})
}

// BenchmarkScriptStrings10: ten string commands (INCR and GET, five times) as
// one EVALSHA, pipelined, and one round trip each. Per ten commands.
func BenchmarkScriptStrings10(b *testing.B) {
	ten := "for i = 1, 5 do redis.call('incr', KEYS[1]) redis.call('get', KEYS[1]) end return 1"
	b.Run("script", func(b *testing.B) { runScript(b, ten, "1", "counter") })
	pair := string(encode("INCR", "counter")) + string(encode("GET", "counter"))
	batch := bytes.Repeat([]byte(pair), 5)
	b.Run("pipelined", func(b *testing.B) {
		srv, err := redcurrent.Run(redcurrent.Options{})
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(srv.Close)
		c := dial(b, srv.Addr())
		b.ReportAllocs()
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			if _, err := c.c.Write(batch); err != nil {
				b.Fatal(err)
			}
			for j := 0; j < 10; j++ {
				c.skipReply(b)
			}
		}
	})
	b.Run("one-by-one", func(b *testing.B) {
		srv, err := redcurrent.Run(redcurrent.Options{})
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(srv.Close)
		c := dial(b, srv.Addr())
		b.ReportAllocs()
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			for rest := batch; len(rest) > 0; {
				n := commandLen(rest)
				if _, err := c.c.Write(rest[:n]); err != nil {
					b.Fatal(err)
				}
				c.skipReply(b)
				rest = rest[n:]
			}
		}
	})
}

// commandLen is the length of the first RESP multibulk request in buf.
func commandLen(buf []byte) int {
	i := bytes.IndexByte(buf, '\n') + 1
	n := 0
	for _, d := range buf[1 : i-2] {
		n = n*10 + int(d-'0')
	}
	for ; n > 0; n-- {
		j := i + bytes.IndexByte(buf[i:], '\n') + 1
		l := 0
		for _, d := range buf[i+1 : j-2] {
			l = l*10 + int(d-'0')
		}
		i = j + l + 2
	}
	return i
}
