package server

import (
	"github.com/redcurrent/redcurrent/engine"
	"github.com/redcurrent/redcurrent/generated"
)

// Transactions family: MULTI, EXEC, DISCARD, WATCH, UNWATCH (multi.c).
// Queuing itself happens in the dispatcher.

// MULTI starts queuing. Nested MULTI is an error that does not doom the
// transaction (multiCommand).
func (h *handlers) Multi(c *engine.Client, a generated.MultiArgs, w engine.ReplyWriter) error {
	cn := connOf(c)
	if cn.multi {
		return engine.ErrMultiNested
	}
	cn.multi = true
	w.Simple("OK")
	return nil
}

// EXEC runs the queued commands under the one engine lock the dispatcher
// already holds, their replies (errors included) as one array. A
// transaction doomed by a queuing error answers EXECABORT; one whose
// watched keys changed answers the null array. Either way it ends.
func (h *handlers) Exec(c *engine.Client, a generated.ExecArgs, w engine.ReplyWriter) error {
	cn := connOf(c)
	if !cn.multi {
		return engine.ErrExecNoMulti
	}
	if cn.dirtyTx {
		cn.discard(h, c)
		return engine.ErrExecAbort
	}
	if h.WatchDirty(c) {
		cn.discard(h, c)
		w.NullArray()
		return nil
	}
	queue := cn.queue
	h.Engine.Unwatch(c) // as Redis: unwatch before running, the keys no longer matter
	noBlock := c.NoBlock
	c.NoBlock = true
	h.FixTime()
	w.Array(len(queue))
	for _, argv := range queue {
		cmd := generated.Lookup(argv[0])
		if len(cmd.Subcommands) > 0 && len(argv) >= 2 {
			cmd = cmd.LookupSub(argv[1])
		}
		cn.argv = argv
		h.s.call(cmd, c, argv, w)
	}
	cn.argv = nil
	h.ReleaseTime()
	c.NoBlock = noBlock
	// The transaction ends only now: while it runs, CLIENT INFO shows the
	// x flag and multi=<queued count>, as execCommand leaves discarding to
	// its end.
	cn.multi, cn.queue, cn.queueMem = false, nil, 0
	return nil
}

// DISCARD drops the queue and unwatches.
func (h *handlers) Discard(c *engine.Client, a generated.DiscardArgs, w engine.ReplyWriter) error {
	cn := connOf(c)
	if !cn.multi {
		return engine.ErrDiscardNoMulti
	}
	cn.discard(h, c)
	w.Simple("OK")
	return nil
}

// discard ends the transaction, if any, and unwatches (discardTransaction).
func (cn *conn) discard(h *handlers, c *engine.Client) {
	cn.multi, cn.dirtyTx, cn.queue, cn.queueMem = false, false, nil, 0
	h.Engine.Unwatch(c)
}

// WATCH key [key ...]; not allowed inside MULTI (watchCommand).
func (h *handlers) Watch(c *engine.Client, a generated.WatchArgs, w engine.ReplyWriter) error {
	if connOf(c).multi {
		return engine.ErrWatchInMulti
	}
	for _, k := range a.Key {
		h.Engine.Watch(c, k)
	}
	w.Simple("OK")
	return nil
}

// UNWATCH forgets every watched key.
func (h *handlers) Unwatch(c *engine.Client, a generated.UnwatchArgs, w engine.ReplyWriter) error {
	h.Engine.Unwatch(c)
	w.Simple("OK")
	return nil
}

// unwatchAll is engine.Unwatch for a closing connection. Engine lock held.
func (h *handlers) unwatchAll(c *engine.Client) { h.Engine.Unwatch(c) }
