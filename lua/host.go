// Package lua runs Redis scripts on gopher-lua with Redis's sandbox, its
// redis.* API, its reply conversions and its bundled libraries (cjson,
// cmsgpack, struct, bit).
//
// gopher-lua is used unmodified. Where it differs from Redis's Lua 5.1 this
// package fixes it from outside: replacement library functions, an AST pass
// before compiling, and proxies for read-only tables.
//
// # Long-running scripts (BUSY)
//
// A script runs atomically: EVAL and FCALL hold the engine lock for the whole
// run. Other clients must not simply queue on that lock, or they could never
// be told BUSY nor send SCRIPT KILL. So the engine lock is a channel
// (engine.LockOr) and the dispatcher waits for either the lock or
// Scripting.BusyChan, a channel closed when the running script turns busy.
// A timer on the engine clock, armed at the start of each run for
// busy-reply-threshold (lua-time-limit), marks the run busy and closes the
// channel; gopher-lua has no instruction hook, so the script itself never
// polls the time. A client woken that way is served under Scripting's busy
// lock instead of the engine lock (WhileBusy): commands without the
// ALLOW_BUSY flag answer BUSY; SCRIPT KILL and FUNCTION KILL cancel the run's
// context (gopher-lua checks it before every instruction, and our pcall and
// xpcall re-raise a kill); FUNCTION STATS reads the running function. The
// script takes the busy lock around each redis.call, so a command served
// while busy never overlaps one of the script's own commands. When the run
// ends, a fresh channel replaces the closed one.
package lua

import "github.com/redcurrent/redcurrent/engine"

// Caller runs one command for a script. EVAL already holds the engine lock.
// Call writes exactly one complete reply to w, an error reply (w.Error)
// included: unknown command, arity, commands not allowed from scripts, and
// every command error.
type Caller interface {
	Call(c *engine.Client, argv [][]byte, w engine.ReplyWriter)
}
