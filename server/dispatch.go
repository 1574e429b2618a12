package server

import (
	"bytes"
	"errors"
	"net"
	"runtime/debug"
	"strings"
	"time"

	"github.com/redcurrent/redcurrent/engine"
	"github.com/redcurrent/redcurrent/generated"
)

// dispatch runs one request and leaves its reply in the connection's
// writer. It follows Redis 7.0's processCommand: existence, arity, auth, the
// MULTI checks, then the call. This file is the only place that turns
// errors into bytes.
func (cn *conn) dispatch(argv [][]byte) {
	// CLIENT REPLY: whether this command's reply is sent is decided before
	// it runs, except that CLIENT REPLY ON re-enables its own +OK.
	cn.skip, cn.skipNext = cn.skipNext, false
	suppress := cn.replyOff || cn.skip
	mark := cn.w.Len()

	s := cn.s
	// While a script runs past busy-reply-threshold, lockOrBusy answers
	// this command without the engine lock (BUSY, or SCRIPT KILL and the
	// other ALLOW_BUSY commands) and returns false.
	if cn.lockOrBusy(argv) {
		// One time snapshot per command, as Redis 7.2+'s
		// commandTimeSnapshot: expiry checks and "*" IDs inside one command
		// agree, and the clock is read once instead of at every key lookup.
		s.e.FixTime()
		cn.process(argv)
		s.e.ReleaseTime()
		var wt *engine.Waiter
		if req := cn.c.TakeBlock(); req != nil {
			wt = cn.block(req)
		}
		// Clients blocked on keys this command changed are served now that
		// it has finished, never in the middle of it (or of EXEC or a script).
		s.e.ServeReady()
		s.e.Unlock()
		if wt != nil {
			mark = cn.wait(wt) // the replies before it are flushed by now
		}
	}

	if suppress && (cn.replyOff || cn.skip) {
		cn.w.Truncate(mark)
	}
	cn.skip = false
}

// process is dispatch under the engine lock.
func (cn *conn) process(argv [][]byte) {
	s := cn.s
	w := cn.w
	c := &cn.c
	// The current client, as Redis's current_client: a command answered
	// while a script is busy must not leave the script's calls counted
	// for its own connection.
	prevCur := s.cur
	s.cur = cn
	defer func() { s.cur = prevCur }()
	cn.lastInteraction = s.now()

	cmd := generated.Lookup(argv[0])
	if cmd == nil {
		cn.reject(nil, unknownCommand(argv))
		return
	}
	if len(cmd.Subcommands) > 0 && len(argv) >= 2 {
		sub := cmd.LookupSub(argv[1])
		if sub == nil {
			cn.lastCmd = cmd.Name
			// No command is known: nothing counts the rejection.
			cn.reject(nil, &engine.Error{Code: "ERR", Msg: "unknown subcommand '" + cString(argv[1], 128) +
				"'. Try " + strings.ToUpper(cString(argv[0], -1)) + " HELP."})
			return
		}
		cmd = sub
	}
	cn.lastCmd = cmd.Name
	if !arityOK(cmd, len(argv)) {
		cn.reject(cmd, &engine.Error{Code: "ERR", Msg: "wrong number of arguments for '" + cmd.Name + "' command"})
		return
	}
	if cmd.Name == "debug" && !cn.allowProtected(s.cfg.debugCommand) {
		cn.reject(cmd, errDebugNotAllowed)
		return
	}
	if cn.authRequired() && cmd.Flags&generated.FlagNoAuth == 0 {
		cn.reject(cmd, engine.ErrNoAuth)
		return
	}
	if cn.busy != nil && cmd.Flags&generated.FlagAllowBusy == 0 {
		cn.reject(cmd, cn.busy)
		return
	}
	if cn.multi {
		if cmd.Flags&generated.FlagNoMulti != 0 {
			cn.reject(cmd, engine.ErrNotInMulti)
			return
		}
		if !runsInMulti(cmd) {
			cn.queueCommand(argv)
			w.Simple("QUEUED")
			return
		}
	}
	cn.argv = argv
	s.call(cmd, c, argv, w)
	cn.argv = nil
}

// errDebugNotAllowed refuses DEBUG where enable-debug-command does not allow
// it (processCommand).
var errDebugNotAllowed = &engine.Error{Code: "ERR", Msg: "DEBUG command not allowed. If the enable-debug-command " +
	"option is set to \"local\", you can run it from a local connection, otherwise you need to set this option " +
	"in the configuration file, and then restart the server."}

// allowProtected is allowProtectedAction: "yes", or "local" on a
// connection from a loopback address (127.0.0.0/8 or ::1, as connIsLocal
// compares the peer's text) or a unix socket.
func (cn *conn) allowProtected(setting string) bool {
	switch setting {
	case "yes":
		return true
	case "local":
		if _, ok := cn.nc.LocalAddr().(*net.UnixAddr); ok {
			return true
		}
		if a, ok := cn.nc.RemoteAddr().(*net.TCPAddr); ok {
			return a.IP.Equal(net.IPv6loopback) || (a.IP.To4() != nil && a.IP.To4()[0] == 127)
		}
	}
	return false
}

// runsInMulti lists the commands that run at once inside MULTI instead of
// being queued (processCommand in Redis 7.0).
func runsInMulti(cmd *generated.Command) bool {
	switch cmd.Name {
	case "exec", "discard", "multi", "watch", "quit", "reset":
		return true
	}
	return false
}

// reject answers a command refused before running: inside MULTI it also
// dooms the transaction (rejectCommand and flagTransaction in Redis). A
// refused EXEC aborts the transaction, if any, and says so even outside
// MULTI (execCommandAbort): "EXECABORT Transaction discarded because of: "
// and the error, whose ERR prefix rejectCommandFormat never had.
func (cn *conn) reject(cmd *generated.Command, e *engine.Error) {
	cn.s.rejected(cmd)
	if cmd != nil && cmd.Name == "exec" {
		cn.discard(cn.s.h, &cn.c) // unwatches even outside MULTI
		cn.w.Error(engine.ErrExecAbortBecause(e))
		return
	}
	if cn.multi {
		cn.dirtyTx = true
	}
	cn.w.Error(e)
}

// queueCommand keeps a copy of argv for EXEC: argv aliases the read buffer.
func (cn *conn) queueCommand(argv [][]byte) {
	n := 0
	for _, a := range argv {
		n += len(a)
	}
	buf := make([]byte, 0, n)
	q := make([][]byte, len(argv))
	for i, a := range argv {
		buf = append(buf, a...)
		q[i] = buf[len(buf)-len(a) : len(buf) : len(buf)]
	}
	cn.queue = append(cn.queue, q)
	cn.queueMem += n
}

func arityOK(cmd *generated.Command, argc int) bool {
	if cmd.Arity > 0 {
		return argc == cmd.Arity
	}
	return argc >= -cmd.Arity
}

// call runs a command whose existence, arity and permissions are checked,
// and writes its reply or its error. Engine lock held. A panic in the
// handler is logged and answered "ERR internal error"; the partial reply it
// may have written to a connection's writer is dropped.
func (s *Server) call(cmd *generated.Command, c *engine.Client, argv [][]byte, w engine.ReplyWriter) {
	type truncater interface {
		Len() int
		Truncate(int)
	}
	tw, canTruncate := w.(truncater)
	mark := 0
	if canTruncate {
		mark = tw.Len()
	}
	if cn, ok := c.Conn.(*conn); ok {
		// A script's calls (its own client has no conn) keep the
		// caller's CLIENT NO-TOUCH mode, as Redis's current_client.
		prev := s.e.SetNoTouch(cn.noTouch)
		defer s.e.SetNoTouch(prev)
	}
	s.beginCall()
	start := time.Now()
	err := s.invoke(cmd, c, argv, w)
	if err != nil {
		if err == engine.ErrInternal && canTruncate {
			tw.Truncate(mark)
		}
		s.writeError(w, replyError(err, s, cmd))
	}
	blocked := c.BlockPending()
	s.endCall(cmd, time.Since(start), blocked)
	if !blocked { // call: stat_numcommands and commands_processed
		s.stats.commandsProcessed++
		if s.cur != nil {
			s.cur.cmds++
		}
	}
}

// invoke calls the handler, turning a panic into engine.ErrInternal.
func (s *Server) invoke(cmd *generated.Command, c *engine.Client, argv [][]byte, w engine.ReplyWriter) (err error) {
	defer func() {
		if r := recover(); r != nil {
			s.log.Error("panic in command", "command", cmd.Name, "panic", r, "stack", string(debug.Stack()))
			err = engine.ErrInternal
		}
	}()
	if s.panicHook != nil {
		s.panicHook(cmd)
	}
	return generated.Invoke[*engine.Client, engine.ReplyWriter](s.h, cmd, c, argv, w)
}

// replyError maps a handler's error to its wire form: an ArgError's text
// already holds its code; an engine.Error is sent as is; anything else is a
// bug, logged and answered generically.
func replyError(err error, s *Server, cmd *generated.Command) *engine.Error {
	var ee *engine.Error
	if errors.As(err, &ee) {
		return ee
	}
	var ae *generated.ArgError
	if errors.As(err, &ae) {
		code, msg, _ := strings.Cut(ae.Msg, " ")
		return &engine.Error{Code: code, Msg: msg}
	}
	s.log.Error("unexpected error from command", "command", cmd.Name, "error", err)
	return engine.ErrInternal
}

// unknownCommand is Redis 7.0's commandCheckExistence text: the name and up
// to 128 bytes of arguments, each quoted and followed by a space. Arguments
// are C strings there, so each ends at its first NUL byte.
func unknownCommand(argv [][]byte) *engine.Error {
	var b strings.Builder
	b.WriteString("unknown command '")
	b.WriteString(cString(argv[0], 128))
	b.WriteString("', with args beginning with: ")
	n := 0
	for i := 1; i < len(argv) && n < 128; i++ {
		a := cString(argv[i], 128-n)
		b.WriteByte('\'')
		b.WriteString(a)
		b.WriteString("' ")
		n += len(a) + 3
	}
	return &engine.Error{Code: "ERR", Msg: b.String()}
}

// cString is printf's "%.*s" of b: up to max bytes (max < 0: no limit),
// stopping at a NUL byte.
func cString(b []byte, max int) string {
	if i := bytes.IndexByte(b, 0); i >= 0 {
		b = b[:i]
	}
	if max >= 0 && len(b) > max {
		b = b[:max]
	}
	return string(b)
}
