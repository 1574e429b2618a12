package server

import (
	"testing"
	"time"

	"github.com/redcurrent/redcurrent/engine"
)

// CLIENT NO-TOUCH (7.2): the client's commands leave a key's access time
// alone, in MULTI and in scripts too (Redis's lookupKey reads the flag of
// current_client, the caller), except TOUCH, which updates it also when a
// script calls it (8.0-M02, redis/redis#13512: the command checked is the
// executing client's, not the caller's EVAL).
func TestClientNoTouch(t *testing.T) {
	clk := engine.NewManualClock(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	s := startEngine(t, Config{}, engine.New(engine.Options{Clock: clk}))
	c := dial(t, s)
	other := dial(t, s)
	c.must("+OK\r\n", "SET", "k", "v")
	c.must("+OK\r\n", "CLIENT", "NO-TOUCH", "ON")
	clk.Advance(5 * time.Second)
	c.must("$1\r\nv\r\n", "GET", "k")
	c.must("$1\r\nv\r\n", "EVAL", "return redis.call('GET', KEYS[1])", "1", "k")
	c.must("+OK\r\n", "MULTI")
	c.must("+QUEUED\r\n", "GET", "k")
	c.must("*1\r\n$1\r\nv\r\n", "EXEC")
	c.must(":5\r\n", "OBJECT", "IDLETIME", "k")
	c.must(":1\r\n", "EVAL", "return redis.call('TOUCH', KEYS[1])", "1", "k")
	c.must(":0\r\n", "OBJECT", "IDLETIME", "k")
	clk.Advance(3 * time.Second)
	c.must(":1\r\n", "TOUCH", "k")
	c.must(":0\r\n", "OBJECT", "IDLETIME", "k")
	// Another client's reads still touch; the mode is per connection.
	clk.Advance(2 * time.Second)
	other.must("$1\r\nv\r\n", "GET", "k")
	c.must(":0\r\n", "OBJECT", "IDLETIME", "k")
	clk.Advance(2 * time.Second)
	c.must("+OK\r\n", "CLIENT", "NO-TOUCH", "OFF")
	c.must("$1\r\nv\r\n", "GET", "k")
	c.must(":0\r\n", "OBJECT", "IDLETIME", "k")
}
