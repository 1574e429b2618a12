package engine

import (
	"math"
	"strconv"

	"github.com/redcurrent/redcurrent/generated"
)

// The server command group's keyspace commands. Every handler assumes e.mu
// is held.

// DBSize counts the live keys of the selected database.
func (e *Engine) DBSize(c *Client, a generated.DBSizeArgs, w ReplyWriter) error {
	w.Int(int64(e.dbSize(c.DB)))
	return nil
}

// FlushDB empties the selected database. ASYNC and SYNC behave alike: the
// old contents are simply dropped.
func (e *Engine) FlushDB(c *Client, a generated.FlushDBArgs, w ReplyWriter) error {
	e.flushDB(c.DB)
	w.Simple("OK")
	return nil
}

// FlushAll empties every database.
func (e *Engine) FlushAll(c *Client, a generated.FlushAllArgs, w ReplyWriter) error {
	e.flushAll()
	w.Simple("OK")
	return nil
}

func (e *Engine) flushAll() {
	for i := range e.dbs {
		e.flushDB(i)
	}
}

// SwapDB exchanges two databases' contents; clients stay on their index.
func (e *Engine) SwapDB(c *Client, a generated.SwapDBArgs, w ReplyWriter) error {
	if a.Index1 < math.MinInt32 || a.Index1 > math.MaxInt32 {
		return ErrFirstDBIndex
	}
	if a.Index2 < math.MinInt32 || a.Index2 > math.MaxInt32 {
		return ErrSecondDBIndex
	}
	if !e.validDB(a.Index1) || !e.validDB(a.Index2) {
		return ErrDBIndex
	}
	e.swapDB(int(a.Index1), int(a.Index2))
	e.dirty++
	w.Simple("OK")
	return nil
}

// Time replies with the clock's unix time as [seconds, microseconds], both
// bulk strings.
func (e *Engine) Time(c *Client, a generated.TimeArgs, w ReplyWriter) error {
	now := e.clock.Now()
	var buf [20]byte
	w.Array(2)
	w.Bulk(strconv.AppendInt(buf[:0], now.Unix(), 10))
	w.Bulk(strconv.AppendInt(buf[:0], int64(now.Nanosecond()/1000), 10))
	return nil
}
