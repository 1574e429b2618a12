// Package server serves an engine over RESP2 and RESP3: connections,
// request parsing, dispatch, and the commands that need connection state
// (connection, server and transactions families).
package server

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/redcurrent/redcurrent/engine"
	"github.com/redcurrent/redcurrent/generated"
	"github.com/redcurrent/redcurrent/lua"
)

// Version is the Redis version redcurrent reports (HELLO, INFO
// redis_version). Clients pick features by it.
const Version = "8.12.0"

// RedcurrentVersion is redcurrent's own version (INFO redcurrent_version).
const RedcurrentVersion = "0.1.0"

// Config is the server's start-up configuration. Zero values take Redis's
// defaults. CONFIG SET changes the live values later.
type Config struct {
	// RequirePass is the default user's password; "" lets every client in.
	RequirePass string
	// Port and Bind are what CONFIG GET reports; the listener is the caller's.
	Port int
	Bind string
	// ProtoMaxBulkLen is the largest bulk argument accepted (default 512 MB).
	ProtoMaxBulkLen int64
	// ClientQueryBufferLimit closes a client whose pending request grows
	// beyond it (default 1 GB).
	ClientQueryBufferLimit int64
	// Logger receives internal errors (recovered panics). Nil discards them.
	Logger *slog.Logger
	// ScriptMemoryLimit stops a script whose run grows the heap by more
	// than this many bytes (lua.ScriptingConfig.MemoryLimit). Zero means the
	// default, 1 GiB; negative means no limit.
	ScriptMemoryLimit int64
	// ActiveExpireInterval is how often expired keys are swept (default
	// 100ms, Redis's hz 10). Negative disables the sweep.
	ActiveExpireInterval time.Duration
	// MaxClients is maxclients: a connection accepted while this many are
	// open is answered "-ERR max number of clients reached" and closed
	// (default 10000).
	MaxClients int
	// MaxClientsLimit, when set, is asked by CONFIG SET maxclients how many
	// clients the process can serve for the requested number (Redis's
	// adjustOpenFilesLimit; it may raise the descriptor limit). A smaller
	// answer fails the CONFIG SET with Redis's text. Nil accepts any number.
	MaxClientsLimit func(maxclients int) int
	// EnableDebugCommand is enable-debug-command: "no" (the default),
	// "yes", or "local" (from loopback and unix-socket connections only).
	EnableDebugCommand string
	// LuaEnableDeprecatedAPI is lua-enable-deprecated-api: scripts and
	// functions get getfenv, setfenv and newproxy back (removed in Redis
	// 8.2.2 and 8.4, CVE-2025-46818).
	LuaEnableDeprecatedAPI bool
}

// Server serves one engine. Create it with New, then call Serve.
type Server struct {
	e   *engine.Engine
	h   *handlers
	log *slog.Logger

	cfg     *config      // guarded by the engine lock
	maxBulk atomic.Int64 // proto-max-bulk-len, read by connection readers
	qbLimit atomic.Int64 // client-query-buffer-limit
	hasPass atomic.Bool  // requirepass != ""
	maxConn atomic.Int64 // maxclients, read by the accept loop

	// acceptWait waits d after an accept error, or until Close; tests
	// replace it.
	acceptWait func(d time.Duration)

	nextID    atomic.Int64
	startTime time.Time

	stats stats // guarded by the engine lock
	// INFO memory's used_memory_startup: the heap in use when the server
	// first started serving.
	memStartup     atomic.Uint64
	memStartupOnce sync.Once
	// The peak of used_memory seen by INFO and when it was seen
	// (used_memory_peak, used_memory_peak_time). Engine lock.
	memPeak     uint64
	memPeakTime time.Time
	// cur is the connection whose request runs now (server.current_client):
	// the commands it runs, a script's and EXEC's included, count toward
	// its tot-cmds. Engine lock.
	cur *conn

	// panicHook, when set by a test, runs before each handler (engine lock held).
	panicHook func(cmd *generated.Command)

	mu        sync.Mutex // guards the fields below; taken after the engine lock, never before
	listeners map[net.Listener]struct{}
	conns     map[int64]*conn
	closed    bool
	wg        sync.WaitGroup // connection and timer goroutines
	stop      chan struct{}
}

// stats are the counters INFO stats reports and CONFIG RESETSTAT clears.
type stats struct {
	// connectionsReceived is counted by a connection's goroutine before it
	// reads anything, without the engine lock: a script holding the lock
	// must not keep a new client from sending SCRIPT KILL.
	connectionsReceived atomic.Int64
	rejectedConnections atomic.Int64 // refused at accept: maxclients
	commandsProcessed   int64
	io                  ioCounters // counted by the connections' readers and writers
	// Clients closed for client-query-buffer-limit and for
	// client-output-buffer-limit (client_query_buffer_limit_disconnections,
	// client_output_buffer_limit_disconnections).
	qbufLimitDisconnections, obufLimitDisconnections atomic.Int64
	// expiredActive counts the keys the active expiry cycle deleted
	// (expired_keys_active, 8.6 #14727; a part of expired_keys).
	expiredActive int64
	// authFailures counts failed AUTH and HELLO AUTH (acl_access_denied_auth;
	// CONFIG RESETSTAT keeps it, as Redis's acl_info). Engine lock.
	authFailures int64
	errStats     // errors and command calls (errstats.go)
}

// ioCounters are the server-wide I/O counters of INFO threads and stats:
// socket reads and the bytes they brought (io_reads_processed,
// total_net_input_bytes), the requests parsed and the batches they came in
// (avg_pipeline_length_sum and _cnt), socket writes and the bytes they
// took (io_writes_processed, total_net_output_bytes).
type ioCounters struct {
	reads, netIn, batchCmds, batches, writes, netOut atomic.Int64
}

func (c *ioCounters) reset() {
	for _, v := range []*atomic.Int64{&c.reads, &c.netIn, &c.batchCmds, &c.batches, &c.writes, &c.netOut} {
		v.Store(0)
	}
}

// New returns a server for e. It does not listen: call Serve.
func New(cfg Config, e *engine.Engine) *Server {
	s := &Server{
		e:         e,
		log:       cfg.Logger,
		listeners: map[net.Listener]struct{}{},
		conns:     map[int64]*conn{},
		stop:      make(chan struct{}),
		startTime: time.Now(),
	}
	if s.log == nil {
		s.log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	s.acceptWait = func(d time.Duration) {
		t := time.NewTimer(d)
		defer t.Stop()
		select {
		case <-t.C:
		case <-s.stop:
		}
	}
	s.cfg = newConfig(cfg)
	s.applyConfig()
	s.h = &handlers{Engine: e, s: s}
	s.h.Scripting = lua.NewScripting(lua.ScriptingConfig{
		Caller:        s,
		Engine:        e,
		BusyThreshold: s.busyThreshold,
		Version:       Version,
		MemoryLimit:   scriptMemoryLimit(cfg.ScriptMemoryLimit),
		DeprecatedAPI: cfg.LuaEnableDeprecatedAPI,
	})
	interval := cfg.ActiveExpireInterval
	if interval == 0 {
		interval = 100 * time.Millisecond
	}
	if interval > 0 {
		s.wg.Add(1)
		go s.expireLoop(interval)
	}
	return s
}

// applyConfig publishes the values connection readers use without the
// engine lock. Engine lock held (or s not yet shared).
func (s *Server) applyConfig() {
	s.maxBulk.Store(s.cfg.protoMaxBulkLen)
	s.qbLimit.Store(s.cfg.queryBufferLimit)
	s.hasPass.Store(s.cfg.requirePass != "")
	s.maxConn.Store(s.cfg.maxClients)
}

// expireLoop sweeps expired keys, as Redis's serverCron does hz times a
// second. It uses a wall-clock ticker: the engine's clock decides what has
// expired, the ticker only how often to look.
func (s *Server) expireLoop(interval time.Duration) {
	defer s.wg.Done()
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-s.stop:
			return
		case <-t.C:
			s.e.Lock()
			// A no-op after DEBUG SET-ACTIVE-EXPIRE 0.
			s.stats.expiredActive += int64(s.e.ActiveExpireCycle())
			// An XREADGROUP blocked on a stream that expired fails now, as
			// beforeSleep's handleClientsBlockedOnKeys does.
			s.e.ServeReady()
			s.e.Unlock()
		}
	}
}

// ErrServerClosed is returned by Serve after Close.
var ErrServerClosed = errors.New("server: closed")

// Serve accepts connections on l until Close, serving each on its own
// goroutine. It returns ErrServerClosed after Close, or an accept error
// that is not temporary. After a temporary one (out of descriptors, a
// connection aborted before it was accepted) it logs it as Redis does and
// accepts again after a pause that doubles from 5ms to 1s while the errors
// go on, as net/http's Server does.
func (s *Server) Serve(l net.Listener) error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		l.Close()
		return ErrServerClosed
	}
	s.listeners[l] = struct{}{}
	s.mu.Unlock()
	s.memStartupOnce.Do(func() { s.memStartup.Store(heapInUse()) })
	defer func() {
		s.mu.Lock()
		delete(s.listeners, l)
		s.mu.Unlock()
	}()
	var delay time.Duration
	for {
		nc, err := l.Accept()
		if err != nil {
			s.mu.Lock()
			closed := s.closed
			s.mu.Unlock()
			if closed {
				return ErrServerClosed
			}
			if !temporaryAcceptError(err) {
				return err
			}
			s.log.Warn("Accepting client connection: " + acceptErrorText(err))
			if delay == 0 {
				delay = 5 * time.Millisecond
			} else if delay *= 2; delay > time.Second {
				delay = time.Second
			}
			s.acceptWait(delay)
			continue
		}
		delay = 0
		s.accept(nc)
	}
}

// temporaryAcceptError tells the accept errors that pass: EMFILE, ENFILE,
// ECONNABORTED, EAGAIN, EINTR and timeouts (Errno.Temporary), and ENOBUFS
// and ENOMEM, where memory for a socket was short for a moment.
func temporaryAcceptError(err error) bool {
	if errors.Is(err, net.ErrClosed) {
		return false
	}
	if errors.Is(err, syscall.ENOBUFS) || errors.Is(err, syscall.ENOMEM) {
		return true
	}
	var errno syscall.Errno
	if errors.As(err, &errno) {
		return errno.Temporary()
	}
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// acceptErrorText is anetGenericAccept's "accept: %s" with strerror's text
// (Go's errno texts are strerror's, lower-cased) when the error is one.
func acceptErrorText(err error) string {
	var errno syscall.Errno
	if errors.As(err, &errno) {
		msg := errno.Error()
		if msg != "" && msg[0] >= 'a' && msg[0] <= 'z' {
			msg = string(msg[0]-'a'+'A') + msg[1:]
		}
		return "accept: " + msg
	}
	return err.Error()
}

// ListenAndServe listens on the TCP address addr and calls Serve.
func (s *Server) ListenAndServe(addr string) error {
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	return s.Serve(l)
}

// maxClientsReached is what a connection beyond maxclients reads before it
// is closed (acceptCommonHandler).
const maxClientsReached = "-ERR max number of clients reached\r\n"

func (s *Server) accept(nc net.Conn) {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		nc.Close()
		return
	}
	if int64(len(s.conns)) >= s.maxConn.Load() {
		// Counted before the client is created, as Redis counts its
		// clients list; the write is best effort and must not hold up
		// the accept loop.
		s.stats.rejectedConnections.Add(1)
		s.wg.Add(1)
		s.mu.Unlock()
		go func() {
			defer s.wg.Done()
			nc.SetWriteDeadline(time.Now().Add(time.Second))
			nc.Write([]byte(maxClientsReached))
			nc.Close()
		}()
		return
	}
	s.mu.Unlock()
	cn := newConn(s, nc)
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		nc.Close()
		return
	}
	s.conns[cn.c.ID] = cn
	s.wg.Add(1)
	s.mu.Unlock()
	go cn.serve()
}

// Close stops accepting, closes every connection and waits for their
// goroutines (and a command running on them) to finish.
func (s *Server) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		s.wg.Wait()
		return nil
	}
	s.closed = true
	close(s.stop)
	for l := range s.listeners {
		l.Close()
	}
	for _, cn := range s.conns {
		cn.nc.Close()
	}
	s.mu.Unlock()
	s.wg.Wait()
	return nil
}

// removeConn forgets a closed connection.
func (s *Server) removeConn(cn *conn) {
	s.mu.Lock()
	delete(s.conns, cn.c.ID)
	s.mu.Unlock()
}

// ConnectedClients is the number of open connections.
func (s *Server) ConnectedClients() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.conns)
}

// BlockedClients is the number of clients waiting in a blocking command
// (INFO's blocked_clients). A client stops counting when the command that
// serves it finishes, before its own goroutine has woken, so a test that
// saw the count drop knows the next blocking command is a new one.
func (s *Server) BlockedClients() int { return s.e.BlockedClients() }

// now is the engine clock's time: client ages and idle times follow it.
func (s *Server) now() time.Time { return s.e.Clock().Now() }

// scriptMemoryLimit applies Config.ScriptMemoryLimit's default.
func scriptMemoryLimit(n int64) int64 {
	switch {
	case n == 0:
		return 1 << 30
	case n < 0:
		return 0
	}
	return n
}

// WaitBlocked waits until at least n clients are blocked in a command (INFO's
// blocked_clients), or ctx ends: Redis's wait_for_blocked_clients_count, for
// tests that must know a blocking read is in place before they write.
func (s *Server) WaitBlocked(ctx context.Context, n int) error {
	t := time.NewTicker(time.Millisecond)
	defer t.Stop()
	for s.BlockedClients() < n {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
		}
	}
	return nil
}
