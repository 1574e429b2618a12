package bench

import (
	"bytes"
	"crypto/sha1"
	"encoding/hex"
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

// BenchmarkScript: EVALSHA of one command, and ten string commands in one
// script against the same ten commands pipelined (one round trip each way).
func BenchmarkScript(b *testing.B) {
	b.Run("EVALSHA/SET", func(b *testing.B) {
		runScript(b, "return redis.call('set', KEYS[1], ARGV[1])", "1", "key", "value-of-sixteen")
	})
	b.Run("EVALSHA/INCR", func(b *testing.B) {
		runScript(b, "return redis.call('incr', KEYS[1])", "1", "counter")
	})
	ten := "for i = 1, 5 do redis.call('incr', KEYS[1]) redis.call('get', KEYS[1]) end return 1"
	b.Run("cmds=10/script", func(b *testing.B) { runScript(b, ten, "1", "counter") })
	b.Run("cmds=10/pipelined", func(b *testing.B) {
		srv, err := redcurrent.Run(redcurrent.Options{})
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(srv.Close)
		c := dial(b, srv.Addr())
		batch := bytes.Repeat([]byte(string(encode("INCR", "counter"))+string(encode("GET", "counter"))), 5)
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
}
