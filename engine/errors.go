package engine

import "fmt"

// Error is an error reply. Code is the first word on the wire ("ERR",
// "WRONGTYPE", ...), Msg the rest; the wire form is "-Code Msg\r\n".
type Error struct{ Code, Msg string }

func (e *Error) Error() string { return e.Code + " " + e.Msg }

// Every fixed error text redcurrent sends lives in this block, so grepping for
// a text finds exactly one line. Texts are Redis's, word for word.
var (
	ErrWrongType = &Error{"WRONGTYPE", "Operation against a key holding the wrong kind of value"}
	ErrSyntax    = &Error{"ERR", "syntax error"}
	// ErrNumIDsMismatch is XDELEX's and XACKDEL's reply to fewer IDs than numids.
	ErrNumIDsMismatch = &Error{"ERR", "The `numids` parameter must match the number of arguments"}
	ErrNotInteger     = &Error{"ERR", "value is not an integer or out of range"}
	ErrNotFloat       = &Error{"ERR", "value is not a valid float"}
	ErrNoSuchKey      = &Error{"ERR", "no such key"}
	ErrOverflow       = &Error{"ERR", "increment or decrement would overflow"}
	ErrDBIndex        = &Error{"ERR", "DB index is out of range"}
	ErrInvalidCursor  = &Error{"ERR", "invalid cursor"}
	ErrSameObject     = &Error{"ERR", "source and destination objects are the same"}
	ErrIntRange       = &Error{"ERR", "value is out of range, value must between -2147483648 and 2147483647"}
	ErrFirstDBIndex   = &Error{"ERR", "invalid first DB index"}
	ErrSecondDBIndex  = &Error{"ERR", "invalid second DB index"}
	ErrDecrOverflow   = &Error{"ERR", "decrement would overflow"}
	ErrNaNInfinity    = &Error{"ERR", "increment would produce NaN or Infinity"}
	ErrOffsetRange    = &Error{"ERR", "offset is out of range"}
	ErrStringTooLong  = &Error{"ERR", "string exceeds maximum allowed size (proto-max-bulk-len)"}
	ErrNoLFU          = &Error{"ERR", "An LFU maxmemory policy is not selected, access frequency not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust."}
	ErrExpireNXXX     = &Error{"ERR", "NX and XX, GT or LT options at the same time are not compatible"}
	ErrExpireGTLT     = &Error{"ERR", "GT and LT options at the same time are not compatible"}

	// Server, connection and transaction errors (server package).
	ErrGetKeysInvalidCommand = &Error{"ERR", "Invalid command specified"}
	ErrGetKeysNoKeys         = &Error{"ERR", "The command has no key arguments"}
	ErrGetKeysArity          = &Error{"ERR", "Invalid number of arguments specified for command"}
	ErrInternal              = &Error{"ERR", "internal error"}
	ErrNoAuth                = &Error{"NOAUTH", "Authentication required."}
	ErrWrongPass             = &Error{"WRONGPASS", "invalid username-password pair or user is disabled."}
	ErrAuthNoPass            = &Error{"ERR", "AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?"}
	ErrNoProto               = &Error{"NOPROTO", "unsupported protocol version"}
	ErrHelloNoAuth           = &Error{"NOAUTH", "HELLO must be called with the client already authenticated, otherwise the HELLO <proto> AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol version at the same time"}
	ErrMultiNested           = &Error{"ERR", "MULTI calls can not be nested"}
	ErrExecNoMulti           = &Error{"ERR", "EXEC without MULTI"}
	ErrDiscardNoMulti        = &Error{"ERR", "DISCARD without MULTI"}
	ErrWatchInMulti          = &Error{"ERR", "WATCH inside MULTI is not allowed"}
	ErrExecAbort             = &Error{"EXECABORT", "Transaction discarded because of previous errors."}
	ErrNotInMulti            = &Error{"ERR", "Command not allowed inside a transaction"}
	ErrClientName            = &Error{"ERR", "Client names cannot contain spaces, newlines or special characters."}
	ErrNoSuchClient          = &Error{"ERR", "No such client"}

	// Streams (t_stream.c).
	ErrInvalidID          = &Error{"ERR", "Invalid stream ID specified as stream command argument"}
	ErrIDTooSmall         = &Error{"ERR", "The ID specified in XADD is equal or smaller than the target stream top item"}
	ErrIDZero             = &Error{"ERR", "The ID specified in XADD must be greater than 0-0"}
	ErrStreamExhausted    = &Error{"ERR", "The stream has exhausted the last possible ID, unable to add more items"}
	ErrXAddArity          = &Error{"ERR", "wrong number of arguments for 'xadd' command"}
	ErrMaxLenNegative     = &Error{"ERR", "The MAXLEN argument must be >= 0."}
	ErrLimitNegative      = &Error{"ERR", "The LIMIT argument must be >= 0."}
	ErrTrimBoth           = &Error{"ERR", "syntax error, MAXLEN and MINID options at the same time are not compatible"}
	ErrLimitNoStrategy    = &Error{"ERR", "syntax error, LIMIT cannot be used without specifying a trimming strategy"}
	ErrLimitNoApprox      = &Error{"ERR", "syntax error, LIMIT cannot be used without the special ~ option"}
	ErrXTrimNoStrategy    = &Error{"ERR", "syntax error, XTRIM must be called with a trimming strategy"}
	ErrIntervalStart      = &Error{"ERR", "invalid start ID for the interval"}
	ErrIntervalEnd        = &Error{"ERR", "invalid end ID for the interval"}
	ErrXSetIDSmall        = &Error{"ERR", "The ID specified in XSETID is smaller than the target stream top item"}
	ErrXSetIDMaxDeleted   = &Error{"ERR", "The ID specified in XSETID is smaller than current max_deleted_entry_id"}
	ErrXSetIDProvidedMax  = &Error{"ERR", "The ID specified in XSETID is smaller than the provided max_deleted_entry_id"}
	ErrXSetIDEntriesAdded = &Error{"ERR", "The entries_added specified in XSETID is smaller than the target stream length"}
	ErrXInfoStreamArgs    = &Error{"ERR", "unknown subcommand or wrong number of arguments for 'STREAM'. Try XINFO HELP."}

	// Consumer groups (t_stream.c).
	ErrBusyGroup         = &Error{"BUSYGROUP", "Consumer Group name already exists"}
	ErrXGroupKeyMissing  = &Error{"ERR", "The XGROUP subcommand requires the key to exist. Note that for CREATE you may want to use the MKSTREAM option to create an empty stream automatically."}
	ErrMissingGroup      = &Error{"ERR", "Missing GROUP option for XREADGROUP"}
	ErrXReadGT           = &Error{"ERR", "The > ID can be specified only when calling XREADGROUP using the GROUP <group> <consumer> option."}
	ErrXReadGroupDollar  = &Error{"ERR", "The $ ID is meaningless in the context of XREADGROUP: you want to read the history of this consumer by specifying a proper ID, or use the > ID to get new messages. The $ ID would just return an empty result set."}
	ErrXReadGroupPlus    = &Error{"ERR", "The + ID is meaningless in the context of XREADGROUP: you want to read the history of this consumer by specifying a proper ID, or use the > ID to get new messages. The + ID would just return an empty result set."}
	ErrXClaimMinIdle     = &Error{"ERR", "Invalid min-idle-time argument for XCLAIM"}
	ErrXAutoClaimMinIdle = &Error{"ERR", "Invalid min-idle-time argument for XAUTOCLAIM"}
	ErrCountPositive     = &Error{"ERR", "COUNT must be > 0"}
	ErrUnblocked         = &Error{"UNBLOCKED", "client unblocked via CLIENT UNBLOCK"}
)

// ErrNoGroup is the reply of XPENDING, XCLAIM and XAUTOCLAIM to a missing
// key or group.
func ErrNoGroup(key, group []byte) *Error {
	return Errorf("NOGROUP", "No such key '%s' or consumer group '%s'", key, group)
}

// ErrNoGroupRead is XREADGROUP's reply to a missing key or group, also
// when either goes away while it is blocked (Redis 8.x).
func ErrNoGroupRead(key, group []byte) *Error {
	return Errorf("NOGROUP", "No such key '%s' or consumer group '%s' in XREADGROUP with GROUP option", key, group)
}

// ErrNoGroupForKey is the reply of XGROUP and XINFO CONSUMERS to a missing group.
func ErrNoGroupForKey(key, group []byte) *Error {
	return Errorf("NOGROUP", "No such consumer group '%s' for key name '%s'", group, key)
}

// Scripting errors (lua package: eval.c, script.c, functions.c).
var (
	ErrNoScript            = &Error{"NOSCRIPT", "No matching script. Please use EVAL."}
	ErrNumKeysTooMany      = &Error{"ERR", "Number of keys can't be greater than number of args"}
	ErrNumKeysNegative     = &Error{"ERR", "Number of keys can't be negative"}
	ErrFCallNumKeys        = &Error{"ERR", "Bad number of keys provided"}
	ErrScriptWriteFlagRO   = &Error{"ERR", "Can not execute a script with write flag using *_ro command."}
	ErrScriptWriteInRO     = &Error{"ERR", "Write commands are not allowed from read-only scripts."}
	ErrScriptUnknownCmd    = &Error{"ERR", "Unknown Redis command called from script"}
	ErrScriptArity         = &Error{"ERR", "Wrong number of args calling Redis command from script"}
	ErrScriptNotAllowed    = &Error{"ERR", "This Redis command is not allowed from script"}
	ErrScriptShebang       = &Error{"ERR", "Invalid script shebang"}
	ErrScriptShebangEngine = &Error{"ERR", "Invalid engine in script shebang"}
	ErrScriptKilled        = &Error{"ERR", "Script killed by user with SCRIPT KILL..."}
	ErrNotBusy             = &Error{"NOTBUSY", "No scripts in execution right now."}
	ErrUnkillable          = &Error{"UNKILLABLE", "Sorry the script already executed write commands against the dataset. You can either wait the script termination or kill the server in a hard way using the SHUTDOWN NOSAVE command."}
	ErrBusyScript          = &Error{"BUSY", "Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE."}
	ErrBusyFunction        = &Error{"BUSY", "Redis is busy running a script. You can only call FUNCTION KILL or SHUTDOWN NOSAVE."}
	ErrFunctionNotFound    = &Error{"ERR", "Function not found"}
	ErrLibraryNotFound     = &Error{"ERR", "Library not found"}
	ErrNoFunctions         = &Error{"ERR", "No functions registered"}
	ErrFunctionLoadTimeout = &Error{"ERR", "FUNCTION LOAD timeout"}
	ErrMissingLibMetadata  = &Error{"ERR", "Missing library metadata"}
	ErrInvalidLibMetadata  = &Error{"ERR", "Invalid library metadata"}
	ErrLibNameTwice        = &Error{"ERR", "Invalid metadata value, name argument was given multiple times"}
	ErrLibNameMissing      = &Error{"ERR", "Library name was not given"}
	ErrLibName             = &Error{"ERR", "Library names can only contain letters, numbers, or underscores(_) and must be at least one character long"}
	ErrDumpPayload         = &Error{"ERR", "DUMP payload version or checksum are wrong"}
)

// ErrInvalidExpireTime is the reply to an expiry that is not positive or
// would overflow; cmd is the command name in lower case ("set", "expire").
func ErrInvalidExpireTime(cmd string) *Error {
	return &Error{"ERR", "invalid expire time in '" + cmd + "' command"}
}

// ErrExecAbortBecause is the reply to an EXEC refused before it ran
// (execCommandAbort): e's text, without its code when that is ERR.
func ErrExecAbortBecause(e *Error) *Error {
	msg := e.Msg
	if e.Code != "ERR" {
		msg = e.Code + " " + msg
	}
	return &Error{"EXECABORT", "Transaction discarded because of: " + msg}
}

// Errorf builds an error reply whose text depends on arguments (command
// names, key names). Code is the first word.
func Errorf(code, format string, args ...any) *Error {
	return &Error{code, fmt.Sprintf(format, args...)}
}
