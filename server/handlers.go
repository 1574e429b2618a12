package server

import (
	"github.com/redcurrent/redcurrent/engine"
	"github.com/redcurrent/redcurrent/generated"
	"github.com/redcurrent/redcurrent/lua"
)

// handlers is the complete command set: the engine's keyspace commands,
// promoted from *engine.Engine, and the server's own commands (connection,
// server and transactions families) defined on it in cmd_*.go. Every
// method runs with the engine lock held.
type handlers struct {
	*engine.Engine
	*lua.Scripting
	s *Server
}

// A command added to commands.json does not compile until it is implemented.
var _ generated.Handlers[*engine.Client, engine.ReplyWriter] = (*handlers)(nil)

// connOf is the connection a client belongs to. A client without one (a
// script's, or one built by a test) gets a detached connection, so that
// connection commands still have state to read and write.
func connOf(c *engine.Client) *conn {
	if cn, ok := c.Conn.(*conn); ok {
		return cn
	}
	return &conn{lastCmd: "NULL", authenticated: true}
}
