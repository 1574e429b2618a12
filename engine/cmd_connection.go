package engine

import (
	"math"

	"github.com/redcurrent/redcurrent/generated"
)

// Select switches the client's database. e.mu held.
func (e *Engine) Select(c *Client, a generated.SelectArgs, w ReplyWriter) error {
	if a.Index < math.MinInt32 || a.Index > math.MaxInt32 {
		return ErrIntRange
	}
	if !e.validDB(a.Index) {
		return ErrDBIndex
	}
	c.DB = int(a.Index)
	w.Simple("OK")
	return nil
}
