// Package lua runs Redis scripts on gopher-lua with Redis's sandbox, its
// redis.* API, its reply conversions and its bundled libraries (cjson,
// cmsgpack, struct, bit).
//
// gopher-lua is used unmodified. Where it differs from Redis's Lua 5.1 this
// package fixes it from outside: replacement library functions, an AST pass
// before compiling, and proxies for read-only tables.
package lua

import "github.com/redcurrent/redcurrent/engine"

// Caller runs one command for a script. EVAL already holds the engine lock.
// Call writes exactly one complete reply to w, an error reply (w.Error)
// included: unknown command, arity, commands not allowed from scripts, and
// every command error.
type Caller interface {
	Call(c *engine.Client, argv [][]byte, w engine.ReplyWriter)
}
