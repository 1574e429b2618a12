package server

import (
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/redcurrent/redcurrent/engine"
	"github.com/redcurrent/redcurrent/generated"
	"github.com/redcurrent/redcurrent/internal/resp"
)

// Error and command statistics: INFO errorstats, INFO commandstats and
// total_error_replies, counted as Redis 7+ does (afterErrorReply,
// incrementErrorCount, incrCommandStatsOnError in server.c and
// networking.c). Every error reply counts once, wherever it is written: a
// command's own, one inside EXEC's array or a script's reply, the error of
// a command a script called, a rejection before the call. A script's
// failure that repeats the error of a command it called is not counted
// again, but still fails the script's command.

// errorStatsLimit is ERROR_STATS_NUMBER: past this many distinct codes,
// errorstats is reset to the single code ERRORSTATS_DISABLED and stops
// counting until CONFIG RESETSTAT (total_error_replies goes on).
const errorStatsLimit = 128

// cmdStat is one command's line of INFO commandstats.
type cmdStat struct {
	calls, usec, rejected, failed int64
	lat                           *latencyHist // INFO latencystats; nil until a call is timed
	// Calls the slow log took, and their time in µs: sum and max (8.8,
	// #14896).
	slowCount, slowUsec, slowMax int64
}

// timed records a call's duration in cs's latency histogram.
func (cs *cmdStat) timed(d time.Duration) {
	if cs.lat == nil {
		cs.lat = new(latencyHist)
	}
	cs.lat.record(d)
}

// errStats are the counters behind errorstats, commandstats,
// latencystats and total_error_replies. They live in stats; mu guards
// them, as a command served while a script is busy (BUSY, SCRIPT KILL)
// counts while the script's own calls may.
type errStats struct {
	mu     sync.Mutex
	errors int64 // total_error_replies
	// slowlog_commands_count, _time_ms_sum and _time_ms_max, in µs.
	slowCount, slowUsec, slowMax int64
	codes                        map[string]int64
	disabled                     bool
	cmds                         map[*generated.Command]*cmdStat
	// prevErrors is errorReplies as the last call ended, and uncounted
	// whether an uncounted error was written since: a call fails if either
	// moved while it ran (incrCommandStatsOnError's prev_err_count).
	prevErrors int64
	uncounted  bool
}

// errorCode is the code an error reply counts under: its first word, if a
// space ends it within the first 32 bytes of "-text"; else ERR.
func errorCode(text []byte) string {
	n := min(len(text), 31)
	if i := slices.Index(text[:n], ' '); i >= 0 {
		return string(text[:i])
	}
	return "ERR"
}

// countError is the writers' OnError hook (afterErrorReply).
func (s *Server) countError(text []byte, counted bool) {
	st := &s.stats.errStats
	st.mu.Lock()
	defer st.mu.Unlock()
	if !counted {
		st.uncounted = true
		return
	}
	st.errors++
	if st.disabled {
		return
	}
	code := errorCode(text)
	if st.codes == nil {
		st.codes = map[string]int64{}
	}
	if _, ok := st.codes[code]; !ok && len(st.codes) >= errorStatsLimit {
		s.log.Warn("Errorstats stopped adding new errors because the number of errors reached the limit, may be misuse of lua error_reply, please check INFO ERRORSTATS, this can be re-enabled via CONFIG RESETSTAT.")
		st.codes = map[string]int64{"ERRORSTATS_DISABLED": 1}
		st.disabled = true
		return
	}
	st.codes[code]++
}

// writeError writes e to w and counts it: through w's hook if w is a
// connection's writer, else here (a script's writer).
func (s *Server) writeError(w engine.ReplyWriter, e *engine.Error) {
	if rw, ok := w.(*resp.Writer); ok {
		if rw.OnError == nil {
			rw.OnError = s.countError
		}
		rw.Error(e)
		return
	}
	w.Error(e)
	s.countErr(e)
}

// countErr counts e as an error reply written now.
func (s *Server) countErr(e *engine.Error) {
	text := e.Code
	if e.Msg != "" {
		text += " " + e.Msg
	}
	s.countError([]byte(text), true)
}

// rejected counts a command refused before it ran (rejectCommand); cmd is
// nil for an unknown command.
func (s *Server) rejected(cmd *generated.Command) {
	st := &s.stats.errStats
	st.mu.Lock()
	if cmd != nil {
		s.cmdStat(cmd).rejected++
	}
	st.mu.Unlock()
}

// cmdStat returns a command's counters. mu held.
func (s *Server) cmdStat(cmd *generated.Command) *cmdStat {
	st := &s.stats.errStats
	if st.cmds == nil {
		st.cmds = map[*generated.Command]*cmdStat{}
	}
	cs := st.cmds[cmd]
	if cs == nil {
		cs = &cmdStat{}
		st.cmds[cmd] = cs
	}
	return cs
}

// beginCall notes where the error counters stand as a command starts.
func (s *Server) beginCall() {
	st := &s.stats.errStats
	st.mu.Lock()
	st.prevErrors, st.uncounted = st.errors, false
	st.mu.Unlock()
}

// endCall counts a finished call of cmd that took d: a call (unless it
// blocked: it counts when its wait ends), and a failure if it wrote an
// error since beginCall or since the last nested call ended.
func (s *Server) endCall(cmd *generated.Command, d time.Duration, blocked bool) {
	st := &s.stats.errStats
	st.mu.Lock()
	defer st.mu.Unlock()
	cs := s.cmdStat(cmd)
	if !blocked {
		cs.calls++
		cs.usec += d.Microseconds()
		cs.timed(d)
		s.slowlogged(cmd, cs, d)
	}
	if st.errors > st.prevErrors || st.uncounted {
		cs.failed++
	}
	st.prevErrors, st.uncounted = st.errors, false
}

// slowlogged counts a call of cmd that took d toward INFO's slow log
// figures if the slow log would take it (slowlogPushCurrentCommand,
// slowlogPushEntryIfNeeded): the slow log itself is not kept. mu held.
func (s *Server) slowlogged(cmd *generated.Command, cs *cmdStat, d time.Duration) {
	limit := s.cfg.slowlogSlower.Load()
	us := d.Microseconds()
	if cmd.Flags&generated.FlagSkipSlowlog != 0 || limit < 0 || s.cfg.slowlogMaxLen.Load() == 0 || us < limit {
		return
	}
	st := &s.stats.errStats
	st.slowCount++
	st.slowUsec += us
	st.slowMax = max(st.slowMax, us)
	cs.slowCount++
	cs.slowUsec += us
	cs.slowMax = max(cs.slowMax, us)
}

// endWait counts the end of a wait in cn's blocking command
// (updateStatsOnUnblock): a call of it, and a command processed, for the
// server and for cn (tot-cmds). Engine lock held.
func (s *Server) endWait(cn *conn, failed bool) {
	s.stats.commandsProcessed++
	cn.cmds++
	cmd := generated.Lookup([]byte(cn.lastCmd)) // blocking commands are top-level
	if cmd == nil {
		return
	}
	st := &s.stats.errStats
	st.mu.Lock()
	defer st.mu.Unlock()
	cs := s.cmdStat(cmd)
	cs.calls++
	cs.timed(0) // the time blocked is not kept: Redis adds it (updateStatsOnUnblock)
	s.slowlogged(cmd, cs, 0)
	if failed {
		cs.failed++
	}
	st.prevErrors, st.uncounted = st.errors, false
}

// resetErrStats clears errorstats, commandstats and the error totals
// (CONFIG RESETSTAT).
func (s *Server) resetErrStats() {
	st := &s.stats.errStats
	st.mu.Lock()
	st.errors, st.prevErrors, st.uncounted = 0, 0, false
	st.slowCount, st.slowUsec, st.slowMax = 0, 0, 0
	st.codes, st.disabled, st.cmds = nil, false, nil
	st.mu.Unlock()
}

// errorTotal is total_error_replies; slow the slow log's count, and its
// time sum and max in µs.
func (s *Server) errorTotal() (errors int64, slow [3]int64) {
	st := &s.stats.errStats
	st.mu.Lock()
	defer st.mu.Unlock()
	return st.errors, [3]int64{st.slowCount, st.slowUsec, st.slowMax}
}

// infoErrorStats writes INFO errorstats' lines, codes in byte order.
func (s *Server) infoErrorStats(b *strings.Builder) {
	st := &s.stats.errStats
	st.mu.Lock()
	defer st.mu.Unlock()
	codes := make([]string, 0, len(st.codes))
	for c := range st.codes {
		codes = append(codes, c)
	}
	slices.Sort(codes)
	for _, c := range codes {
		fmt.Fprintf(b, "errorstat_%s:count=%d\r\n", infoSafe(c), st.codes[c])
	}
}

// commands lists the commands whose counters pass keep, by name. mu held.
func (st *errStats) commands(keep func(*cmdStat) bool) []*generated.Command {
	cmds := make([]*generated.Command, 0, len(st.cmds))
	for cmd, cs := range st.cmds {
		if keep(cs) {
			cmds = append(cmds, cmd)
		}
	}
	slices.SortFunc(cmds, func(a, b *generated.Command) int { return strings.Compare(a.Name, b.Name) })
	return cmds
}

// infoCommandStats writes INFO commandstats' lines for the commands called,
// failed or rejected since the last reset, by name (Redis's order is its
// command table's hash order).
func (s *Server) infoCommandStats(b *strings.Builder) {
	st := &s.stats.errStats
	st.mu.Lock()
	defer st.mu.Unlock()
	cmds := st.commands(func(cs *cmdStat) bool { return cs.calls != 0 || cs.failed != 0 || cs.rejected != 0 })
	for _, cmd := range cmds {
		cs, n := st.cmds[cmd], cmd.Name
		var per float32
		if cs.calls != 0 {
			per = float32(cs.usec) / float32(cs.calls)
		}
		fmt.Fprintf(b, "cmdstat_%s:calls=%d,usec=%d,usec_per_call=%.2f,rejected_calls=%d,failed_calls=%d",
			infoSafe(n), cs.calls, cs.usec, per, cs.rejected, cs.failed)
		if cs.slowCount > 0 { // 8.8 (#14896)
			fmt.Fprintf(b, ",slowlog_count=%d,slowlog_time_ms_sum=%.2f,slowlog_time_ms_max=%.2f",
				cs.slowCount, float64(cs.slowUsec)/1000, float64(cs.slowMax)/1000)
		}
		b.WriteString("\r\n")
	}
}

// infoSafe is getSafeInfoString: '#', ':', CR and LF become '_'.
func infoSafe(s string) string {
	return strings.NewReplacer("#", "_", ":", "_", "\r", "_", "\n", "_").Replace(s)
}
