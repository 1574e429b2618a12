// Package redcurrent runs a Redis-compatible server (streams, Lua scripting,
// strings and the keyspace) inside a Go program or test.
//
//	srv := redcurrent.RunT(t)                        // 127.0.0.1 on a free port, closed at t.Cleanup
//	rdb := redis.NewClient(&redis.Options{Addr: srv.Addr()})
//	srv.FastForward(10 * time.Second)                // TTLs, TIME and timeouts all move
//
// The server's clock follows the wall clock until a test moves it (SetTime,
// FastForward); every time-derived behaviour reads that one clock. The
// helpers (Keys, Type, Get, Set, TTL, FlushAll, ...) run the same engine code
// the commands run, under the same lock, on database 0 unless Select says
// otherwise, as miniredis's do.
package redcurrent

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/redcurrent/redcurrent/engine"
	"github.com/redcurrent/redcurrent/server"
)

// Version is redcurrent's own version, reported in INFO as redcurrent_version.
const Version = server.RedcurrentVersion

// Options configure Run. The zero value serves on a free loopback port with 16
// databases and no password.
type Options struct {
	// Addr is the address to listen on; "" means 127.0.0.1:0 (a free port).
	Addr string
	// Password is requirepass: clients must AUTH before other commands.
	Password string
	// Databases is the number of databases (default 16).
	Databases int
	// ScriptMemoryLimit stops a Lua script whose run grows the heap by more
	// than this many bytes, with "not enough memory". Growth is the live
	// heap (as of the last GC) beyond every heap object when the run began,
	// garbage included, so that nothing written before the run counts: a
	// script may retain up to the garbage present then on top of the limit
	// before it is stopped. Zero: 1 GiB; negative: no limit.
	ScriptMemoryLimit int64
	// Logger receives the server's log lines; nil discards them.
	Logger *slog.Logger
	// MaxClients is maxclients: connections beyond it are answered "-ERR
	// max number of clients reached" and closed. Zero: 10000, Redis's
	// default. Run never changes the process's descriptor limit.
	MaxClients int
	// MaxClientsLimit, when set, tells CONFIG SET maxclients how many clients
	// the process can serve for the number asked (it may raise the
	// descriptor limit); a smaller answer fails the CONFIG SET with Redis's
	// text. Nil accepts any number. cmd/redcurrent sets it.
	MaxClientsLimit func(maxclients int) int
	// EnableDebugCommand is enable-debug-command: "no", "yes" or "local"
	// (loopback and unix-socket clients only). "" means "local", so tests
	// can use DEBUG SLEEP and DEBUG SET-ACTIVE-EXPIRE; Redis's default is
	// "no".
	EnableDebugCommand string
	// LuaEnableDeprecatedAPI is lua-enable-deprecated-api: scripts and
	// functions get the globals getfenv, setfenv and newproxy, which Redis
	// 8.2.2 and 8.4 removed (CVE-2025-46818). Off by default, as in Redis.
	LuaEnableDeprecatedAPI bool
}

// Server is a running redcurrent server.
type Server struct {
	srv   *server.Server
	eng   *engine.Engine
	clock *engine.TestClock
	ln    net.Listener
	done  chan struct{}

	mu sync.Mutex // guards db
	db int        // the database the helpers act on
}

// Run starts a server and returns once it accepts connections.
func Run(opts Options) (*Server, error) {
	switch opts.EnableDebugCommand {
	case "", "no", "yes", "local":
	default:
		return nil, fmt.Errorf("redcurrent: EnableDebugCommand %q: want no, yes or local", opts.EnableDebugCommand)
	}
	addr := opts.Addr
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	return serve(ln, opts), nil
}

func serve(ln net.Listener, opts Options) *Server {
	logger := opts.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	clock := engine.NewTestClock()
	eng := engine.New(engine.Options{Databases: opts.Databases, Clock: clock})
	debug := opts.EnableDebugCommand
	if debug == "" {
		debug = "local"
	}
	port := 0 // server.New's default, 6379
	if a, ok := ln.Addr().(*net.TCPAddr); ok {
		port = a.Port // what INFO's tcp_port and CONFIG GET port report
	}
	srv := server.New(server.Config{
		Port:               port,
		RequirePass:        opts.Password,
		Logger:             logger,
		ScriptMemoryLimit:  opts.ScriptMemoryLimit,
		MaxClients:         opts.MaxClients,
		MaxClientsLimit:    opts.MaxClientsLimit,
		EnableDebugCommand: debug,

		LuaEnableDeprecatedAPI: opts.LuaEnableDeprecatedAPI,
	}, eng)
	s := &Server{srv: srv, eng: eng, clock: clock, ln: ln, done: make(chan struct{})}
	go func() {
		defer close(s.done)
		if err := srv.Serve(ln); err != nil && !errors.Is(err, net.ErrClosed) && !errors.Is(err, server.ErrServerClosed) {
			logger.Error("serve", "err", err)
		}
	}()
	return s
}

// RunT starts a server on a free loopback port and closes it when the test
// ends. It fails the test if the server cannot start.
func RunT(t testing.TB) *Server {
	t.Helper()
	s, err := Run(Options{})
	if err != nil {
		t.Fatalf("redcurrent: %v", err)
	}
	t.Cleanup(s.Close)
	return s
}

// Addr is the host:port the server listens on, for any Redis client.
func (s *Server) Addr() string { return s.ln.Addr().String() }

// Close stops accepting, closes every connection and waits for them.
func (s *Server) Close() {
	s.srv.Close()
	<-s.done
}

// SetTime stops the server's clock at t. Expiry, TIME, stream IDs, idle times
// and blocking timeouts all read this clock; what t makes due happens before
// SetTime returns.
func (s *Server) SetTime(t time.Time) { s.clock.Set(t) }

// FastForward moves the server's clock forward by d and stops it there;
// keys whose TTL has passed are gone and timed-out blocked reads have
// returned by the time it returns.
func (s *Server) FastForward(d time.Duration) { s.clock.Advance(d) }

// ResumeTime lets a clock stopped by SetTime or FastForward follow the wall
// clock again, from the time it shows.
func (s *Server) ResumeTime() { s.clock.Run() }

// Now is the server's time.
func (s *Server) Now() time.Time { return s.clock.Now() }

// WaitBlocked waits until at least n clients are blocked in a command (as
// INFO's blocked_clients counts them), or ctx ends. Tests use it to know a
// blocking read is in place before they write what wakes it.
func (s *Server) WaitBlocked(ctx context.Context, n int) error { return s.srv.WaitBlocked(ctx, n) }
