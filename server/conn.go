package server

import (
	"errors"
	"net"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/redcurrent/redcurrent/engine"
	"github.com/redcurrent/redcurrent/internal/resp"
)

// flushThreshold bounds the output buffered for one batch of pipelined
// requests: past it the connection hands its replies over for writing
// before reading on.
const flushThreshold = 64 * 1024

// conn is one client connection. Its goroutine (serve) reads, dispatches
// and hands replies over for writing; it never waits for the client to read
// them (see outbuf). Fields other than nc, blocked and out are touched only
// by that goroutine while it holds the engine lock, or by other commands
// (CLIENT LIST, CLIENT KILL) holding the engine lock.
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

	raw *rawWriter // nil when nc is not a socket
	out outbuf

	// CLIENT LIST's tot-net-out (bytes the socket took, written by the
	// connection's goroutine and its writer) and tot-cmds (commands run,
	// call's current_client->commands_processed; engine lock).
	netOut atomic.Int64
	cmds   int64
}

// outbuf holds the replies handed over for writing that the socket has not
// taken yet: Redis's reply list. While it is not empty a writer goroutine
// writes it out, so the connection's goroutine reads on while a client that
// pipelines before reading has not read yet. Its size counts toward
// client-output-buffer-limit.
type outbuf struct {
	mu      sync.Mutex
	queue   [][]byte      // in order; the writer takes them all at once
	bytes   int64         // queued plus being written
	chunks  int           // likewise, in chunks (CLIENT LIST oll)
	writing bool          // the writer goroutine runs
	done    chan struct{} // closed when that goroutine ends
	err     error         // the connection failed or was closed for its output
	free    [][]byte      // written buffers for reuse

	softSince int64 // Unix seconds the soft limit was first exceeded, or 0
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
	cn.w.OnError = s.countError // errstats.go; also a protocol error on the first request
	cn.authenticated = !s.hasPass.Load()
	cn.rd = newReader(nc, cn)
	cn.rd.beforeRead = cn.flushBeforeRead
	cn.rd.total = &s.stats.io
	cn.raw = newRawWriter(nc)
	return cn
}

func (cn *conn) protoMaxBulkLen() int64  { return cn.s.maxBulk.Load() }
func (cn *conn) queryBufferLimit() int64 { return cn.s.qbLimit.Load() }
func (cn *conn) authRequired() bool      { return !cn.authenticated && cn.s.hasPass.Load() }

// serve runs the connection until the client leaves, a protocol error, or
// Close. The replies to the requests read so far go out before it waits for
// more input (reader.beforeRead), so a batch of pipelined requests is
// answered in one write, and a reply is never held back behind a partial
// request or an empty one.
func (cn *conn) serve() {
	s := cn.s
	defer s.wg.Done()
	defer func() {
		cn.drain()
		cn.nc.Close()
		s.e.Lock()
		s.h.unwatchAll(&cn.c)
		if s.cur == cn {
			s.cur = nil
		}
		s.e.Unlock()
		s.removeConn(cn)
	}()
	s.stats.connectionsReceived.Add(1)
	for {
		argv, err := cn.rd.next()
		if err != nil {
			if err == errQueryBufferLimit {
				s.stats.qbufLimitDisconnections.Add(1)
			}
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
		if cn.w.Len() > flushThreshold {
			if cn.flush() != nil {
				return
			}
		}
	}
}

func (cn *conn) flushBeforeRead() { cn.flush() }

// flush hands the buffered replies over for writing, without waiting for
// the client to read them: what the socket takes at once is written now,
// the rest is queued for the writer goroutine. Then it applies
// client-output-buffer-limit. It is called by the connection's goroutine,
// never with the engine lock held. An error means the connection is closed.
func (cn *conn) flush() error {
	b := cn.w.Bytes()
	if len(b) == 0 {
		return nil
	}
	o := &cn.out
	o.mu.Lock()
	if o.err != nil {
		err := o.err
		o.mu.Unlock()
		cn.w.Reset()
		return err
	}
	if !o.writing { // nothing queued: try the socket first
		o.mu.Unlock()
		n, err := cn.raw.tryWrite(b)
		cn.wrote(n)
		if err != nil {
			cn.w.Reset()
			return cn.fail(err)
		}
		if n == len(b) {
			cn.w.Reset()
			if cap(b) > 1<<20 {
				cn.w.Swap(nil) // drop a buffer a huge reply grew
			}
			return nil
		}
		b = b[n:]
		o.mu.Lock()
	}
	if k := len(o.queue); k > 0 && len(o.queue[k-1])+len(b) <= cap(o.queue[k-1]) {
		o.queue[k-1] = append(o.queue[k-1], b...)
		cn.w.Reset()
	} else {
		// Hand the buffer itself over and go on in a recycled one.
		o.queue = append(o.queue, b)
		o.chunks++
		var nb []byte
		if k := len(o.free); k > 0 {
			nb, o.free = o.free[k-1], o.free[:k-1]
		}
		cn.w.Swap(nb)
	}
	o.bytes += int64(len(b))
	used := o.bytes
	if !o.writing {
		o.writing = true
		o.done = make(chan struct{})
		go cn.writeLoop()
	}
	o.mu.Unlock()
	if cn.outputLimitReached(used) {
		cn.s.log.Warn("Client " + cn.describe() + " scheduled to be closed ASAP for overcoming of output buffer limits.")
		return cn.fail(errOutputLimit)
	}
	return nil
}

// wrote counts a write to the socket that took n bytes (tot-net-out, INFO
// threads' writes).
func (cn *conn) wrote(n int) {
	if n > 0 {
		cn.netOut.Add(int64(n))
		cn.s.stats.io.writes.Add(1)
		cn.s.stats.io.netOut.Add(int64(n))
	}
}

// errOutputLimit closes a client past client-output-buffer-limit.
var errOutputLimit = errors.New("output buffer limit reached")

// fail records why the connection ends, drops what it had still to write
// and closes the socket, which also ends its reader and writer.
func (cn *conn) fail(err error) error {
	o := &cn.out
	o.mu.Lock()
	if o.err == nil {
		o.err = err
		if err == errOutputLimit {
			cn.s.stats.obufLimitDisconnections.Add(1)
		}
	}
	clear(o.queue)
	o.queue = o.queue[:0]
	o.mu.Unlock()
	cn.nc.Close()
	return err
}

// writeLoop writes the queued replies until none are left or writing fails.
func (cn *conn) writeLoop() {
	o := &cn.out
	var batch [][]byte
	for {
		o.mu.Lock()
		if len(o.queue) == 0 || o.err != nil {
			o.writing = false
			o.bytes, o.chunks = 0, 0
			close(o.done)
			o.mu.Unlock()
			return
		}
		batch = append(batch[:0], o.queue...)
		clear(o.queue)
		o.queue = o.queue[:0]
		o.mu.Unlock()
		for i, b := range batch {
			n, err := cn.nc.Write(b)
			cn.wrote(n)
			o.mu.Lock()
			o.bytes -= int64(len(b))
			o.chunks--
			if len(o.free) < 2 && cap(b) <= 2*flushThreshold {
				o.free = append(o.free, b[:0])
			}
			o.mu.Unlock()
			batch[i] = nil
			if err != nil {
				cn.fail(err)
				break
			}
		}
	}
}

// drain waits until the writer goroutine, if any, has written everything
// or failed.
func (cn *conn) drain() {
	o := &cn.out
	o.mu.Lock()
	done, writing := o.done, o.writing
	o.mu.Unlock()
	if writing {
		<-done
	}
}

// outputStats are CLIENT LIST's oll and omem: the chunks and bytes handed
// over for writing and not written yet.
func (cn *conn) outputStats() (chunks, bytes int64) {
	o := &cn.out
	o.mu.Lock()
	defer o.mu.Unlock()
	return int64(o.chunks), o.bytes
}

// unauthOutputLimit is the output a client that has not authenticated may
// leave unread (checkClientOutputBufferLimits).
const unauthOutputLimit = 1024

// outputLimitReached is checkClientOutputBufferLimits for the normal class:
// the hard limit closes at once; past the soft limit, the client goes when
// it has stayed there for more than soft-seconds (whole seconds, as Redis
// counts them with server.unixtime).
func (cn *conn) outputLimitReached(used int64) bool {
	// 8.0 (CVE-2025-21605, redis/redis#13993): a client that must still
	// authenticate may have no more than 1024 bytes of output pending,
	// whatever the configured limits.
	if used > unauthOutputLimit && cn.authRequired() {
		return true
	}
	lim := cn.s.cfg.obufNormal()
	if lim.hard == 0 && lim.soft == 0 {
		return false
	}
	hard := lim.hard > 0 && used >= lim.hard
	soft := lim.soft > 0 && used >= lim.soft
	o := &cn.out
	if soft {
		now := time.Now().Unix()
		if o.softSince == 0 {
			o.softSince, soft = now, false // first time seen
		} else if now-o.softSince <= lim.softSeconds {
			soft = false
		}
	} else {
		o.softSince = 0
	}
	return hard || soft
}

// describe is the client as Redis's log lines show it (catClientInfoString
// is longer; the address and id identify it).
func (cn *conn) describe() string {
	return "id=" + strconv.FormatInt(cn.c.ID, 10) + " addr=" + cn.addr
}

// FlushReplies hands the replies buffered so far over for writing (see
// flush: it never waits for the client to read them). It must be called
// from the command's own goroutine, without the engine lock.
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
