package server

import (
	"errors"
	"net"
	"sync/atomic"
	"time"

	"github.com/redcurrent/redcurrent/engine"
	"github.com/redcurrent/redcurrent/internal/resp"
)

// flushThreshold bounds the output buffered for one batch of pipelined
// requests: past it the connection writes before reading on.
const flushThreshold = 64 * 1024

// conn is one client connection. One goroutine (serve) reads, dispatches
// and writes; fields other than nc and blocked are touched only by that
// goroutine while it holds the engine lock, or by other commands (CLIENT
// LIST, CLIENT KILL) holding the engine lock.
type conn struct {
	s  *Server
	nc net.Conn
	c  engine.Client
	w  *resp.Writer
	rd *reader

	addr, laddr string

	authenticated bool // read without the lock by its own reader: only serve writes it

	// MULTI state (multiState in Redis).
	multi    bool
	queue    [][][]byte
	dirtyTx  bool // an error while queuing: EXEC answers EXECABORT
	queueMem int

	// CLIENT REPLY: off suppresses replies until ON; skipNext suppresses
	// the next command's reply (CLIENT_REPLY_OFF, CLIENT_REPLY_SKIP_NEXT).
	replyOff, skipNext, skip bool

	noEvict, noTouch bool
	argv             [][]byte // the command running now, for handlers that echo an argument as sent
	lastCmd          string
	lastInteraction  time.Time
	closeAfterReply  bool
	argvMem          int

	// busy is the BUSY error while this connection's command is served
	// during a busy script (lockOrBusy), nil otherwise.
	busy *engine.Error

	// blocked is set while a blocking command waits (see SetUnblock).
	blocked atomic.Pointer[func(withError bool)]
	// waitBuf receives the reply of the blocked command (blocking.go).
	waitBuf *resp.Writer
}

func newConn(s *Server, nc net.Conn) *conn {
	cn := &conn{
		s:     s,
		nc:    nc,
		w:     resp.NewWriter(2),
		addr:  nc.RemoteAddr().String(),
		laddr: nc.LocalAddr().String(),
	}
	now := s.now()
	cn.c = engine.Client{ID: s.nextID.Add(1), CreatedAt: now, Conn: cn}
	cn.lastInteraction = now
	cn.lastCmd = "NULL"
	cn.authenticated = !s.hasPass.Load()
	cn.rd = newReader(nc, cn)
	return cn
}

func (cn *conn) protoMaxBulkLen() int64  { return cn.s.maxBulk.Load() }
func (cn *conn) queryBufferLimit() int64 { return cn.s.qbLimit.Load() }
func (cn *conn) authRequired() bool      { return !cn.authenticated && cn.s.hasPass.Load() }

// serve runs the connection until the client leaves, a protocol error, or
// Close. Replies to a batch of pipelined requests go out in one write, as
// redcon does: the writer flushes only when no further request is buffered.
func (cn *conn) serve() {
	s := cn.s
	defer s.wg.Done()
	defer func() {
		cn.nc.Close()
		s.e.Lock()
		s.h.unwatchAll(&cn.c)
		s.e.Unlock()
		s.removeConn(cn)
	}()
	s.stats.connectionsReceived.Add(1)
	for {
		argv, err := cn.rd.next()
		if err != nil {
			var pe *protocolError
			if errors.As(err, &pe) {
				cn.w.ErrorText("ERR " + pe.msg)
			}
			cn.flush()
			return
		}
		cn.dispatch(argv)
		if cn.closeAfterReply {
			cn.flush()
			return
		}
		if !cn.rd.buffered() || cn.w.Len() > flushThreshold {
			if cn.flush() != nil {
				return
			}
		}
	}
}

// flush writes the buffered replies.
func (cn *conn) flush() error {
	if cn.w.Len() == 0 {
		return nil
	}
	_, err := cn.nc.Write(cn.w.Bytes())
	cn.w.Reset()
	if cn.w.Len() == 0 && cap(cn.w.Bytes()) > 1<<20 {
		cn.w = resp.NewWriter(cn.w.Proto()) // drop a buffer a huge reply grew
	}
	return err
}

// FlushReplies writes the replies buffered so far. A blocking command calls
// it (through engine.Client.Conn) before it waits, so that the replies to
// the requests before it in the batch are not held back. It must be called
// from the command's own goroutine.
func (cn *conn) FlushReplies() error { return cn.flush() }

// SetUnblock registers (f != nil) or clears (nil) the function CLIENT
// UNBLOCK calls to wake this client from a blocking command; withError
// selects the UNBLOCKED error over the timeout reply. f must not block and
// may be called with the engine lock held.
func (cn *conn) SetUnblock(f func(withError bool)) {
	if f == nil {
		cn.blocked.Store(nil)
		return
	}
	cn.blocked.Store(&f)
}

// proto is the connection's protocol, 2 or 3.
func (cn *conn) proto() int { return cn.w.Proto() }
