package server

import "github.com/redcurrent/redcurrent/engine"

// Error texts the server itself sends, word for word as Redis 7 sends them.
// (engine/errors.go holds the engine's; these need connection state.)
var (
	errInternal        = &engine.Error{Code: "ERR", Msg: "internal error"}
	errNoAuth          = &engine.Error{Code: "NOAUTH", Msg: "Authentication required."}
	errWrongPass       = &engine.Error{Code: "WRONGPASS", Msg: "invalid username-password pair or user is disabled."}
	errAuthNoPass      = &engine.Error{Code: "ERR", Msg: "AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?"}
	errNoProto         = &engine.Error{Code: "NOPROTO", Msg: "unsupported protocol version"}
	errHelloNoAuth     = &engine.Error{Code: "NOAUTH", Msg: "HELLO must be called with the client already authenticated, otherwise the HELLO AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol version at the same time"}
	errMultiNested     = &engine.Error{Code: "ERR", Msg: "MULTI calls can not be nested"}
	errExecNoMulti     = &engine.Error{Code: "ERR", Msg: "EXEC without MULTI"}
	errDiscardNoMulti  = &engine.Error{Code: "ERR", Msg: "DISCARD without MULTI"}
	errWatchInMulti    = &engine.Error{Code: "ERR", Msg: "WATCH inside MULTI is not allowed"}
	errExecAbort       = &engine.Error{Code: "EXECABORT", Msg: "Transaction discarded because of previous errors."}
	errNotInMulti      = &engine.Error{Code: "ERR", Msg: "Command not allowed inside a transaction"}
	errClientName      = &engine.Error{Code: "ERR", Msg: "Client names cannot contain spaces, newlines or special characters."}
	errNoSuchClient    = &engine.Error{Code: "ERR", Msg: "No such client"}
	errUnblockReason   = &engine.Error{Code: "ERR", Msg: "CLIENT UNBLOCK reason should be TIMEOUT or ERROR"}
	errClientKillType  = &engine.Error{Code: "ERR", Msg: "Unknown client type '%s'"}
	errInvalidPort     = &engine.Error{Code: "ERR", Msg: "Invalid port"}
	errTimeoutNegative = &engine.Error{Code: "ERR", Msg: "timeout is negative"}
	errDBIndex         = &engine.Error{Code: "ERR", Msg: "DB index is out of range"}
)
