package server

import (
	"strconv"
	"time"

	"github.com/redcurrent/redcurrent/engine"
	"github.com/redcurrent/redcurrent/generated"
)

// Call runs one command for a script (lua.Caller; Redis's scriptCall). The
// engine lock is already held by EVAL or FCALL. Errors are written as
// elements through w, and the script raises them: an unknown command or
// subcommand, a wrong arity, a command not allowed from scripts (NOSCRIPT),
// and a write from a read-only run. Blocking commands take their
// non-blocking path: the script's client has NoBlock set.
func (s *Server) Call(c *engine.Client, argv [][]byte, w engine.ReplyWriter) {
	cmd := generated.Lookup(argv[0])
	if cmd != nil && len(cmd.Subcommands) > 0 {
		cmd = nil
		if len(argv) >= 2 {
			cmd = generated.Lookup(argv[0]).LookupSub(argv[1])
		}
	}
	// A refusal counts as an error reply and a rejected call, as
	// scriptCall's error path does; the script's failure that repeats it
	// is not counted again.
	if cmd == nil {
		s.rejectScriptCall(nil, engine.ErrScriptUnknownCmd, w)
		return
	}
	if !arityOK(cmd, len(argv)) {
		s.rejectScriptCall(cmd, engine.ErrScriptArity, w)
		return
	}
	if cmd.Flags&generated.FlagNoScript != 0 {
		s.rejectScriptCall(cmd, engine.ErrScriptNotAllowed, w)
		return
	}
	r := s.h.Scripting.Current()
	if r != nil && cmd.Flags&(generated.FlagWrite|generated.FlagMayReplicate) != 0 {
		if r.ReadOnly {
			s.rejectScriptCall(cmd, engine.ErrScriptWriteInRO, w)
			return
		}
		if cmd.Flags&generated.FlagWrite != 0 {
			r.Wrote = true // scriptCall: SCRIPT_WRITE_DIRTY, set before the call
		}
	}
	s.call(cmd, c, argv, w)
}

// rejectScriptCall refuses a script's call of cmd (nil: unknown) with e.
func (s *Server) rejectScriptCall(cmd *generated.Command, e *engine.Error, w engine.ReplyWriter) {
	s.writeError(w, e)
	s.rejected(cmd)
	s.beginCall()
}

// busyThreshold is busy-reply-threshold (lua-time-limit), in ms. Engine
// lock held.
func (s *Server) busyThreshold() time.Duration {
	ms, _ := strconv.ParseInt(s.cfg.values["busy-reply-threshold"], 10, 64)
	return time.Duration(ms) * time.Millisecond
}

// lockOrBusy takes the engine lock for cn's next command, or, if the script
// holding it turns busy first, serves argv right away (BUSY, or one of the
// ALLOW_BUSY commands such as SCRIPT KILL) under the busy lock and reports
// false. See the lua package comment.
func (cn *conn) lockOrBusy(argv [][]byte) bool {
	sc := cn.s.h.Scripting
	for {
		if cn.s.e.LockOr(sc.BusyChan()) {
			return true
		}
		served := sc.WhileBusy(func(function bool) {
			cn.busy = engine.ErrBusyScript
			if function {
				cn.busy = engine.ErrBusyFunction
			}
			cn.process(argv)
			cn.busy = nil
		})
		if served {
			return false
		}
		// The script ended between the two checks: take the lock again.
	}
}
