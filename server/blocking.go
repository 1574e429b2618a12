package server

import (
	"time"

	"github.com/redcurrent/redcurrent/engine"
	"github.com/redcurrent/redcurrent/internal/resp"
)

// Waiting in a blocking command (the engine side is engine/blocked.go).
// The waiter's reply is written into its own buffer, under the engine
// lock, by whichever goroutine serves it; the connection's goroutine
// flushes its batch and parks outside the lock, then copies that reply
// into its writer. While it is parked, a helper reads ahead on the socket,
// so a client that goes away is noticed and leaves no waiter behind.

// block registers the blocking request of the command that just ran.
// Engine lock held.
func (cn *conn) block(req *engine.BlockRequest) *engine.Waiter {
	buf := resp.NewWriter(cn.w.Proto())
	wt := cn.s.e.Block(&cn.c, req, buf)
	cn.waitBuf = buf
	cn.SetUnblock(func(withError bool) {
		out := engine.TimedOut
		if withError {
			out = engine.UnblockedByError
		}
		if cn.s.e.Unblock(wt, out) && withError {
			// The error reply counts now, during CLIENT UNBLOCK, as
			// unblockClientOnError's does.
			cn.s.countErr(engine.ErrUnblocked)
		}
	})
	return wt
}

// wait parks until wt is over and writes its outcome. It returns where the
// outcome starts in the writer: the replies before it were flushed while it
// waited, so a suppressed reply (CLIENT REPLY OFF/SKIP) is cut from there.
func (cn *conn) wait(wt *engine.Waiter) (outcome int) {
	s := cn.s
	flushErr := cn.flush()
	gone := make(chan struct{})
	readDone := make(chan struct{})
	if flushErr == nil {
		go func() {
			defer close(readDone)
			for {
				select {
				case <-wt.Done():
					return
				default:
				}
				if err := cn.rd.fill(); err != nil {
					if ne, ok := err.(interface{ Timeout() bool }); ok && ne.Timeout() {
						return
					}
					if err == errQueryBufferLimit {
						s.stats.qbufLimitDisconnections.Add(1)
					}
					close(gone)
					return
				}
			}
		}()
	} else {
		close(gone)
		close(readDone)
	}
	select {
	case <-wt.Done():
	case <-gone:
		s.e.Lock()
		s.e.Unblock(wt, engine.Abandoned)
		s.e.Unlock()
		<-wt.Done()
	}
	// Stop the read-ahead: a deadline in the past ends its Read.
	cn.nc.SetReadDeadline(time.Unix(1, 0))
	<-readDone
	cn.nc.SetReadDeadline(time.Time{})

	s.e.Lock()
	cn.SetUnblock(nil)
	out, err := wt.Outcome()
	outcome = cn.w.Len()
	switch out {
	case engine.Served:
		cn.w.Raw(cn.waitBuf.Bytes())
	case engine.TimedOut:
		cn.w.NullArray()
	case engine.UnblockedByError:
		cn.w.ErrorNoStats(engine.ErrUnblocked) // counted by CLIENT UNBLOCK
	case engine.Failed:
		cn.w.Error(replyError(err, s, nil))
	case engine.Abandoned:
		cn.closeAfterReply = true
	}
	if out != engine.Abandoned {
		s.endWait(cn, out == engine.UnblockedByError || out == engine.Failed)
	}
	cn.waitBuf = nil
	s.e.Unlock()
	return outcome
}
