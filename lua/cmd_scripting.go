package lua

import (
	"bytes"
	"container/list"
	"context"
	"crypto/sha1"
	"encoding/hex"
	"errors"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/redcurrent/redcurrent/engine"
	"github.com/redcurrent/redcurrent/generated"
)

// Scripting family: EVAL, EVALSHA, EVAL_RO, EVALSHA_RO, SCRIPT *, FUNCTION *,
// FCALL, FCALL_RO (eval.c, functions.c, script.c).

// maxEvalScripts is how many EVAL-created scripts the cache keeps before
// evicting the least recently used (Redis 7.4+, LRU_LIST_LENGTH in eval.c).
// SCRIPT LOAD'ed scripts are never evicted.
const maxEvalScripts = 500

// functionLoadTimeout bounds a library's load-time run (FUNCTION LOAD).
const functionLoadTimeout = 500 * time.Millisecond

// ScriptingConfig wires Scripting to its server.
type ScriptingConfig struct {
	// Caller runs the commands scripts call; the server's dispatcher.
	Caller Caller
	// Engine gives the clock and the script time snapshot (FixTime).
	Engine *engine.Engine
	// BusyThreshold is busy-reply-threshold (lua-time-limit): after it a
	// running script makes other clients' commands answer BUSY. Zero or
	// negative: never. Called with the engine lock held.
	BusyThreshold func() time.Duration
	// Version is redis.REDIS_VERSION.
	Version string
	// Log receives redis.log lines.
	Log func(level int, msg string)
	// MemoryLimit stops a script or function whose run grows the Go heap
	// by more than this many bytes, with "not enough memory" (a table
	// growing without bound, which no library function sees). Zero: no
	// limit. Redis has no such cap (its Lua allocator grows until the
	// kernel says no); an embedded server must not take its host down.
	MemoryLimit int64
	// DeprecatedAPI is lua-enable-deprecated-api (Options.DeprecatedAPI).
	DeprecatedAPI bool
}

// errScriptMemory is the cause of a run stopped by MemoryLimit (see
// watchdog).
var errScriptMemory = errors.New("script memory limit")

// Scripting holds the EVAL state, the script cache, the function libraries
// and the running script. The server embeds it; its command methods run
// with the engine lock held, except SCRIPT KILL, FUNCTION KILL and
// FUNCTION STATS, which also run while a script is busy (see WhileBusy).
type Scripting struct {
	cfg  ScriptingConfig
	rand *Rand

	eval    *State
	scripts map[string]*cachedScript // by lower-case SHA1
	lru     *list.List               // EVAL-created scripts, least recently used first
	evicted int64

	fn    *State
	libs  map[string]*Library
	funcs map[string]*Function // by lower-case name: FCALL names are case-insensitive

	client engine.Client // the script's own client (Redis's lua_client)

	// busyMu guards run while a script is running: the script's goroutine
	// holds it around each redis.call, busy-time commands while they run.
	busyMu sync.Mutex
	run    *Run
	// busyCh is closed when the running script turns busy, and replaced
	// once that script ends. The dispatcher waits on it beside the lock.
	busyCh atomic.Pointer[chan struct{}]

	// The context runs share until one is cancelled (see execute), its
	// cancel function, and SCRIPT KILL's use of it. Engine lock held.
	ctx         context.Context
	cancelCause context.CancelCauseFunc
	killRun     context.CancelFunc
	// watch marks the running script busy and enforces MemoryLimit.
	watch *watchdog
}

type cachedScript struct {
	sha      string
	body     []byte
	sc       *Script
	noWrites bool // #!lua flags=no-writes
	compat   bool // no shebang: may write, checked per command
	elem     *list.Element
}

// Run describes the script or function running now.
type Run struct {
	Function bool   // FCALL / FCALL_RO
	Name     string // the SHA1, or the function name
	Argv     [][]byte
	Start    time.Time
	// ReadOnly refuses write commands (EVAL_RO, FCALL_RO, no-writes).
	ReadOnly bool
	// Wrote is set once a write command ran: the run can no longer be
	// killed (UNKILLABLE).
	Wrote  bool
	busy   bool
	cancel context.CancelFunc
}

// NewScripting returns empty caches and fresh Lua states.
func NewScripting(cfg ScriptingConfig) *Scripting {
	sc := &Scripting{cfg: cfg, rand: NewRand(), client: engine.Client{ID: -1, NoBlock: true}}
	sc.watch = newWatchdog(sc.markBusy)
	ch := make(chan struct{})
	sc.busyCh.Store(&ch)
	sc.resetEval()
	sc.resetFunctions()
	return sc
}

func (sc *Scripting) options() Options {
	return Options{Caller: scriptCaller{sc}, Rand: sc.rand, Version: sc.cfg.Version, Log: sc.cfg.Log,
		DeprecatedAPI: sc.cfg.DeprecatedAPI}
}

func (sc *Scripting) resetEval() {
	if sc.eval != nil {
		sc.eval.Close()
	}
	sc.eval = NewState(sc.options())
	sc.scripts = map[string]*cachedScript{}
	sc.lru = list.New()
}

func (sc *Scripting) resetFunctions() {
	if sc.fn != nil {
		sc.fn.Close()
	}
	sc.fn = NewFunctionState(sc.options())
	sc.libs = map[string]*Library{}
	sc.funcs = map[string]*Function{}
}

// scriptCaller runs a script's commands under busyMu, so that they never
// overlap a command served while the script is busy.
type scriptCaller struct{ sc *Scripting }

func (c scriptCaller) Call(cl *engine.Client, argv [][]byte, w engine.ReplyWriter) {
	c.sc.busyMu.Lock()
	defer c.sc.busyMu.Unlock()
	if c.sc.cfg.Caller == nil {
		w.Error(engine.ErrScriptUnknownCmd)
		return
	}
	c.sc.cfg.Caller.Call(cl, argv, w)
}

// Current is the running script, nil when none. For the dispatcher's
// Caller (engine lock held, inside the script's own redis.call).
func (sc *Scripting) Current() *Run { return sc.run }

// BusyChan is closed once the running script turns busy. Safe without any
// lock.
func (sc *Scripting) BusyChan() <-chan struct{} { return *sc.busyCh.Load() }

// markBusy marks r busy (other clients now get BUSY) if it is still the
// running script; the watchdog calls it once busy-reply-threshold has
// passed.
func (sc *Scripting) markBusy(r *Run) {
	sc.busyMu.Lock()
	defer sc.busyMu.Unlock()
	if sc.run == r && !r.busy {
		r.busy = true
		close(*sc.busyCh.Load())
	}
}

// WhileBusy runs f, with the busy lock held, if a script is busy; it
// reports whether it did. f serves another client's command while the
// script holds the engine lock: function tells which BUSY text applies.
func (sc *Scripting) WhileBusy(f func(function bool)) bool {
	sc.busyMu.Lock()
	defer sc.busyMu.Unlock()
	if sc.run == nil || !sc.run.busy {
		return false
	}
	f(sc.run.Function)
	return true
}

// execute runs one script or function for c: the script's client starts
// in c's database and never blocks, time is frozen for the run, and a
// timer on the engine clock marks the run busy after the threshold.
// Engine lock held.
func (sc *Scripting) execute(c *engine.Client, r *Run, body func(ctx context.Context, cl *engine.Client)) {
	// Runs share one context until something cancels it (SCRIPT KILL,
	// FUNCTION KILL, the memory limit); the next run then gets a new one.
	// Nothing cancels it once the run is over: kill needs the run current,
	// and the watchdog stops looking at a run when it ends.
	if sc.ctx == nil || sc.ctx.Err() != nil {
		ctx, cancelCause := context.WithCancelCause(context.Background())
		sc.ctx, sc.cancelCause = ctx, cancelCause
		sc.killRun = func() { cancelCause(context.Canceled) }
	}
	clock := sc.cfg.Engine.Clock()
	r.cancel, r.Start = sc.killRun, clock.Now()
	sc.busyMu.Lock()
	sc.run = r
	sc.busyMu.Unlock()
	var busyAfter time.Duration
	if sc.cfg.BusyThreshold != nil {
		busyAfter = sc.cfg.BusyThreshold()
	}
	sc.watch.begin(r, clock, r.Start, busyAfter, sc.cfg.MemoryLimit, sc.cancelCause)
	cl := &sc.client
	cl.DB, cl.Name = c.DB, c.Name
	sc.cfg.Engine.FixTime()
	body(sc.ctx, cl)
	sc.cfg.Engine.ReleaseTime()
	sc.watch.end()
	sc.busyMu.Lock()
	if r.busy {
		ch := make(chan struct{})
		sc.busyCh.Store(&ch)
	}
	sc.run = nil
	sc.busyMu.Unlock()
}

func sha1hex(b []byte) string {
	sum := sha1.Sum(b)
	return hex.EncodeToString(sum[:])
}

// splitKeys checks numkeys against the arguments (evalGenericCommand).
func splitKeys(numkeys int64, rest [][]byte) ([][]byte, [][]byte, error) {
	if numkeys > int64(len(rest)) {
		return nil, nil, engine.ErrNumKeysTooMany
	}
	if numkeys < 0 {
		return nil, nil, engine.ErrNumKeysNegative
	}
	return rest[:numkeys], rest[numkeys:], nil
}

// parseShebang is evalExtractShebangFlags: "#!lua [flags=a,b]" on the
// first line. It returns the body with the shebang blanked (the newline
// stays, so line numbers do not move).
func parseShebang(body []byte) (code []byte, compat, noWrites bool, err error) {
	if !bytes.HasPrefix(body, []byte("#!")) {
		return body, true, false, nil
	}
	end := bytes.IndexByte(body, '\n')
	if end < 0 {
		return nil, false, false, engine.ErrScriptShebang
	}
	parts := strings.Fields(string(body[:end]))
	if len(parts) == 0 {
		return nil, false, false, engine.ErrScriptShebangEngine
	}
	if parts[0] != "#!lua" {
		return nil, false, false, engine.Errorf("ERR", "Unexpected engine in script shebang: %s", parts[0])
	}
	for _, p := range parts[1:] {
		flags, ok := strings.CutPrefix(p, "flags=")
		if !ok {
			return nil, false, false, engine.Errorf("ERR", "Unknown lua shebang option: %s", p)
		}
		for _, f := range strings.Split(flags, ",") {
			if f == "" {
				continue
			}
			known := false
			for _, name := range functionFlags {
				known = known || name == f
			}
			if !known {
				return nil, false, false, engine.Errorf("ERR", "Unexpected flag in script shebang: %s", f)
			}
			noWrites = noWrites || f == "no-writes"
		}
	}
	return body[end:], false, noWrites, nil
}

// compileScript compiles body into the cache (luaCreateFunction); evalMade
// marks a script EVAL created, which the LRU may evict.
func (sc *Scripting) compileScript(sha string, body []byte, evalMade bool) (*cachedScript, error) {
	if cs, ok := sc.scripts[sha]; ok {
		return cs, nil
	}
	code, compat, noWrites, err := parseShebang(body)
	if err != nil {
		return nil, err
	}
	s, err := sc.eval.Compile(sha, "user_script", code)
	if err != nil {
		return nil, &engine.Error{Code: "ERR", Msg: "Error compiling script (new function): " + err.Error()}
	}
	cs := &cachedScript{sha: sha, body: bytes.Clone(body), sc: s, noWrites: noWrites, compat: compat}
	if evalMade {
		if sc.lru.Len() >= maxEvalScripts {
			old := sc.lru.Remove(sc.lru.Front()).(*cachedScript)
			delete(sc.scripts, old.sha)
			sc.evicted++
		}
		cs.elem = sc.lru.PushBack(cs)
	}
	sc.scripts[sha] = cs
	return cs, nil
}

func (sc *Scripting) evalGeneric(c *engine.Client, script, sha []byte, numkeys int64, rest [][]byte, ro bool, argv0 string, w engine.ReplyWriter) error {
	keys, args, err := splitKeys(numkeys, rest)
	if err != nil {
		return err
	}
	var cs *cachedScript
	if script != nil {
		h := sha1hex(script)
		if cs, err = sc.compileScript(h, script, true); err != nil {
			return err
		}
	} else {
		if len(sha) != 40 {
			return engine.ErrNoScript
		}
		var ok bool
		if cs, ok = sc.scripts[string(sha)]; !ok { // lower case: no copy
			if cs, ok = sc.scripts[strings.ToLower(string(sha))]; !ok {
				return engine.ErrNoScript
			}
		}
	}
	if cs.elem != nil {
		sc.lru.MoveToBack(cs.elem)
	}
	if ro && !cs.compat && !cs.noWrites {
		return engine.ErrScriptWriteFlagRO
	}
	r := &Run{Name: cs.sha, ReadOnly: ro || cs.noWrites}
	sc.execute(c, r, func(ctx context.Context, cl *engine.Client) {
		sc.eval.Run(ctx, cl, cs.sc, keys, args, w)
	})
	return nil
}

// EVAL script numkeys [key ...] [arg ...]: compiles (and caches) the script
// and runs it.
func (sc *Scripting) Eval(c *engine.Client, a generated.EvalArgs, w engine.ReplyWriter) error {
	return sc.evalGeneric(c, a.Script, nil, a.Numkeys, append(a.Key, a.Arg...), false, "eval", w)
}

// EVAL_RO: EVAL refusing write commands.
func (sc *Scripting) EvalRO(c *engine.Client, a generated.EvalROArgs, w engine.ReplyWriter) error {
	return sc.evalGeneric(c, a.Script, nil, a.Numkeys, append(a.Key, a.Arg...), true, "eval_ro", w)
}

// EVALSHA sha1 numkeys ...: runs a cached script; a SHA1 of another length
// than 40, or unknown, is NOSCRIPT. Case-insensitive.
func (sc *Scripting) EvalSHA(c *engine.Client, a generated.EvalSHAArgs, w engine.ReplyWriter) error {
	return sc.evalGeneric(c, nil, a.SHA1, a.Numkeys, append(a.Key, a.Arg...), false, "evalsha", w)
}

// EVALSHA_RO: EVALSHA refusing write commands.
func (sc *Scripting) EvalSHARO(c *engine.Client, a generated.EvalSHAROArgs, w engine.ReplyWriter) error {
	return sc.evalGeneric(c, nil, a.SHA1, a.Numkeys, append(a.Key, a.Arg...), true, "evalsha_ro", w)
}

// SCRIPT LOAD script: compiles and caches; never evicted.
func (sc *Scripting) ScriptLoad(c *engine.Client, a generated.ScriptLoadArgs, w engine.ReplyWriter) error {
	h := sha1hex(a.Script)
	cs, err := sc.compileScript(h, a.Script, false)
	if err != nil {
		return err
	}
	if cs.elem != nil {
		sc.lru.Remove(cs.elem)
		cs.elem = nil
	}
	w.BulkString(h)
	return nil
}

// SCRIPT EXISTS sha1 [sha1 ...]: 1 or 0 for each.
func (sc *Scripting) ScriptExists(c *engine.Client, a generated.ScriptExistsArgs, w engine.ReplyWriter) error {
	w.Array(len(a.SHA1))
	for _, s := range a.SHA1 {
		_, ok := sc.scripts[strings.ToLower(string(s))]
		if ok {
			w.Int(1)
		} else {
			w.Int(0)
		}
	}
	return nil
}

// SCRIPT FLUSH [ASYNC|SYNC]: empties the cache and starts a new Lua VM
// (cjson settings reset; the PRNG does not).
func (sc *Scripting) ScriptFlush(c *engine.Client, a generated.ScriptFlushArgs, w engine.ReplyWriter) error {
	sc.resetEval()
	w.Simple("OK")
	return nil
}

// SCRIPT KILL stops the running EVAL script unless it wrote. It runs while
// the script is busy (busy lock held), or else with the engine lock, when
// nothing runs.
func (sc *Scripting) ScriptKill(c *engine.Client, a generated.ScriptKillArgs, w engine.ReplyWriter) error {
	return sc.kill(false, w)
}

// FUNCTION KILL is SCRIPT KILL for functions.
func (sc *Scripting) FunctionKill(c *engine.Client, a generated.FunctionKillArgs, w engine.ReplyWriter) error {
	return sc.kill(true, w)
}

// kill is scriptKill: the order of the checks is Redis's.
func (sc *Scripting) kill(function bool, w engine.ReplyWriter) error {
	r := sc.run
	switch {
	case r == nil:
		return engine.ErrNotBusy
	case r.Wrote:
		return engine.ErrUnkillable
	case r.Function && !function:
		return engine.ErrBusyFunction
	case !r.Function && function:
		return engine.ErrBusyScript
	}
	r.cancel()
	w.Simple("OK")
	return nil
}

var scriptHelp = []string{
	"SCRIPT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
	"DEBUG (YES|SYNC|NO)",
	"    Set the debug mode for subsequent scripts executed.",
	"EXISTS <sha1> [<sha1> ...]",
	"    Return information about the existence of the scripts in the script cache.",
	"FLUSH [ASYNC|SYNC]",
	"    Flush the Lua scripts cache. Very dangerous on replicas.",
	"    When called without the optional mode argument, the behavior is determined by the",
	"    lazyfree-lazy-user-flush configuration directive. Valid modes are:",
	"    * ASYNC: Asynchronously flush the scripts cache.",
	"    * SYNC: Synchronously flush the scripts cache.",
	"KILL",
	"    Kill the currently executing Lua script.",
	"LOAD <script>",
	"    Load a script into the scripts cache without executing it.",
}

var functionHelp = []string{
	"FUNCTION <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
	"LOAD [REPLACE] <FUNCTION CODE>",
	"    Create a new library with the given library name and code.",
	"DELETE <LIBRARY NAME>",
	"    Delete the given library.",
	"LIST [LIBRARYNAME PATTERN] [WITHCODE]",
	"    Return general information on all the libraries:",
	"    * Library name",
	"    * The engine used to run the Library",
	"    * Functions list",
	"    * Library code (if WITHCODE is given)",
	"    It also possible to get only function that matches a pattern using LIBRARYNAME argument.",
	"STATS",
	"    Return information about the current function running:",
	"    * Function name",
	"    * Command used to run the function",
	"    * Duration in MS that the function is running",
	"    If no function is running, return nil",
	"    In addition, returns a list of available engines.",
	"KILL",
	"    Kill the current running function.",
	"FLUSH [ASYNC|SYNC]",
	"    Delete all the libraries.",
	"    When called without the optional mode argument, the behavior is determined by the",
	"    lazyfree-lazy-user-flush configuration directive. Valid modes are:",
	"    * ASYNC: Asynchronously flush the libraries.",
	"    * SYNC: Synchronously flush the libraries.",
	"DUMP",
	"    Return a serialized payload representing the current libraries, can be restored using FUNCTION RESTORE command",
	"RESTORE <PAYLOAD> [FLUSH|APPEND|REPLACE]",
	"    Restore the libraries represented by the given payload, it is possible to give a restore policy to",
	"    control how to handle existing libraries (default APPEND):",
	"    * FLUSH: delete all existing libraries.",
	"    * APPEND: appends the restored libraries to the existing libraries. On collision, abort.",
	"    * REPLACE: appends the restored libraries to the existing libraries, On collision, replace the old",
	"      libraries with the new libraries (notice that even on this option there is a chance of failure",
	"      in case of functions name collision with another library).",
}

// SCRIPT HELP.
func (sc *Scripting) ScriptHelp(c *engine.Client, a generated.ScriptHelpArgs, w engine.ReplyWriter) error {
	engine.WriteHelp(w, scriptHelp)
	return nil
}

// FUNCTION HELP (7.0's text).
func (sc *Scripting) FunctionHelp(c *engine.Client, a generated.FunctionHelpArgs, w engine.ReplyWriter) error {
	engine.WriteHelp(w, functionHelp)
	return nil
}

// ---- functions ----

// libraryMeta is functionExtractLibMetaData: "#!<engine> name=<lib>" on the
// first line; the code after it keeps its newline.
func libraryMeta(code []byte) (name string, body []byte, err error) {
	if !bytes.HasPrefix(code, []byte("#!")) {
		return "", nil, engine.ErrMissingLibMetadata
	}
	end := bytes.IndexByte(code, '\n')
	if end < 0 {
		return "", nil, engine.ErrInvalidLibMetadata
	}
	parts := strings.Fields(string(code[:end]))
	if len(parts) == 0 {
		return "", nil, engine.ErrInvalidLibMetadata
	}
	eng := parts[0][2:]
	named := false
	for _, p := range parts[1:] {
		if len(p) >= 5 && strings.EqualFold(p[:5], "name=") {
			if named {
				return "", nil, engine.ErrLibNameTwice
			}
			name, named = p[5:], true
			continue
		}
		return "", nil, engine.Errorf("ERR", "Invalid metadata value given: %s", p)
	}
	if !named {
		return "", nil, engine.ErrLibNameMissing
	}
	if !strings.EqualFold(eng, "lua") {
		return "", nil, engine.Errorf("ERR", "Engine '%s' not found", eng)
	}
	if !validName(name) {
		return "", nil, engine.ErrLibName
	}
	return name, code[end:], nil
}

// loadLibrary compiles and runs a library's code; nothing is installed.
func (sc *Scripting) loadLibrary(code []byte) (*Library, error) {
	name, body, err := libraryMeta(code)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), functionLoadTimeout)
	defer cancel()
	return sc.fn.LoadLibrary(ctx, name, bytes.Clone(code), body)
}

// install adds libraries, replacing those named in replace. It checks
// every function name first and installs nothing on a collision.
func (sc *Scripting) install(libs []*Library, replace map[string]bool) error {
	for _, l := range libs {
		for _, f := range l.Functions {
			if old, ok := sc.funcs[strings.ToLower(f.Name)]; ok && !replace[old.Library.Name] {
				return engine.Errorf("ERR", "Function %s already exists", f.Name)
			}
		}
	}
	for name := range replace {
		sc.removeLibrary(name)
	}
	for _, l := range libs {
		sc.libs[l.Name] = l
		for _, f := range l.Functions {
			sc.funcs[strings.ToLower(f.Name)] = f
		}
	}
	return nil
}

func (sc *Scripting) removeLibrary(name string) {
	l, ok := sc.libs[name]
	if !ok {
		return
	}
	for _, f := range l.Functions {
		delete(sc.funcs, strings.ToLower(f.Name))
	}
	delete(sc.libs, name)
}

// FUNCTION LOAD [REPLACE] code: replies with the library name.
func (sc *Scripting) FunctionLoad(c *engine.Client, a generated.FunctionLoadArgs, w engine.ReplyWriter) error {
	name, _, err := libraryMeta(a.FunctionCode)
	if err != nil {
		return err
	}
	if _, ok := sc.libs[name]; ok && !a.Replace {
		return engine.Errorf("ERR", "Library '%s' already exists", name)
	}
	lib, err := sc.loadLibrary(a.FunctionCode)
	if err != nil {
		return err
	}
	if err := sc.install([]*Library{lib}, map[string]bool{name: a.Replace}); err != nil {
		return err
	}
	sc.changed()
	w.BulkString(name)
	return nil
}

// FUNCTION DELETE library-name.
func (sc *Scripting) FunctionDelete(c *engine.Client, a generated.FunctionDeleteArgs, w engine.ReplyWriter) error {
	if _, ok := sc.libs[string(a.LibraryName)]; !ok {
		return engine.ErrLibraryNotFound
	}
	sc.removeLibrary(string(a.LibraryName))
	sc.changed()
	w.Simple("OK")
	return nil
}

// FUNCTION FLUSH [ASYNC|SYNC]: drops every library and the functions VM.
func (sc *Scripting) FunctionFlush(c *engine.Client, a generated.FunctionFlushArgs, w engine.ReplyWriter) error {
	sc.resetFunctions()
	sc.changed()
	w.Simple("OK")
	return nil
}

// changed counts a change to the libraries in the server's dirty counter
// (functions.c: server.dirty++ after FUNCTION LOAD, DELETE, FLUSH, RESTORE).
func (sc *Scripting) changed() {
	if sc.cfg.Engine != nil {
		sc.cfg.Engine.AddDirty(1)
	}
}

// sortedLibraries lists libraries by name (Redis: dict order, which FUNCTION
// LIST flags as nondeterministic).
func (sc *Scripting) sortedLibraries() []*Library {
	out := make([]*Library, 0, len(sc.libs))
	for _, l := range sc.libs {
		out = append(out, l)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// FUNCTION LIST [LIBRARYNAME pattern] [WITHCODE].
func (sc *Scripting) FunctionList(c *engine.Client, a generated.FunctionListArgs, w engine.ReplyWriter) error {
	var libs []*Library
	for _, l := range sc.sortedLibraries() {
		if a.LibraryNamePattern.Set && !engine.GlobMatch(a.LibraryNamePattern.V, []byte(l.Name), true) {
			continue
		}
		libs = append(libs, l)
	}
	w.Array(len(libs))
	for _, l := range libs {
		n := 3
		if a.Withcode {
			n = 4
		}
		w.Map(n)
		w.BulkString("library_name")
		w.BulkString(l.Name)
		w.BulkString("engine")
		w.BulkString("LUA")
		w.BulkString("functions")
		fs := append([]*Function(nil), l.Functions...)
		sort.Slice(fs, func(i, j int) bool { return fs[i].Name < fs[j].Name })
		w.Array(len(fs))
		for _, f := range fs {
			w.Map(3)
			w.BulkString("name")
			w.BulkString(f.Name)
			w.BulkString("description")
			if f.Description != nil {
				w.BulkString(*f.Description)
			} else {
				w.Null()
			}
			w.BulkString("flags")
			w.Set(len(f.Flags))
			for _, fl := range f.Flags {
				w.Simple(fl)
			}
		}
		if a.Withcode {
			w.BulkString("library_code")
			w.Bulk(l.Code)
		}
	}
	return nil
}

// FUNCTION DUMP: every library in Redis's payload format.
func (sc *Scripting) FunctionDump(c *engine.Client, a generated.FunctionDumpArgs, w engine.ReplyWriter) error {
	w.Bulk(dumpLibraries(sc.sortedLibraries()))
	return nil
}

// FUNCTION RESTORE payload [FLUSH|APPEND|REPLACE] (default APPEND): all
// libraries are loaded and checked before any is installed.
func (sc *Scripting) FunctionRestore(c *engine.Client, a generated.FunctionRestoreArgs, w engine.ReplyWriter) error {
	codes, err := parseDump(a.SerializedValue)
	if err != nil {
		return err
	}
	var libs []*Library
	seen, seenFn := map[string]bool{}, map[string]bool{}
	for _, code := range codes {
		lib, err := sc.loadLibrary(code)
		if err != nil {
			return err
		}
		// Redis loads the payload into a new library set first
		// (functionsCreateWithLibraryCtx): collisions inside the payload
		// get FUNCTION LOAD's texts.
		if seen[lib.Name] {
			return engine.Errorf("ERR", "Library '%s' already exists", lib.Name)
		}
		seen[lib.Name] = true
		for _, f := range lib.Functions {
			if seenFn[strings.ToLower(f.Name)] {
				return engine.Errorf("ERR", "Function %s already exists", f.Name)
			}
			seenFn[strings.ToLower(f.Name)] = true
		}
		libs = append(libs, lib)
	}
	replace := map[string]bool{}
	switch a.Policy {
	case "FLUSH":
		for name := range sc.libs {
			replace[name] = true
		}
	case "REPLACE":
		for _, l := range libs {
			if _, ok := sc.libs[l.Name]; ok {
				replace[l.Name] = true
			}
		}
	default:
		for _, l := range libs {
			if _, ok := sc.libs[l.Name]; ok {
				return engine.Errorf("ERR", "Library %s already exists", l.Name)
			}
		}
	}
	if err := sc.install(libs, replace); err != nil {
		return err
	}
	sc.changed()
	w.Simple("OK")
	return nil
}

// FUNCTION STATS: the running function and the engine's counts. While an
// EVAL script is busy it answers BUSY, as Redis does.
func (sc *Scripting) FunctionStats(c *engine.Client, a generated.FunctionStatsArgs, w engine.ReplyWriter) error {
	r := sc.run
	if r != nil && !r.Function {
		return engine.ErrBusyScript
	}
	w.Map(2)
	w.BulkString("running_script")
	if r == nil {
		w.Null()
	} else {
		w.Map(3)
		w.BulkString("name")
		w.BulkString(r.Name)
		w.BulkString("command")
		w.Array(len(r.Argv))
		for _, b := range r.Argv {
			w.Bulk(b)
		}
		w.BulkString("duration_ms")
		w.Int(sc.cfg.Engine.Clock().Now().Sub(r.Start).Milliseconds())
	}
	w.BulkString("engines")
	w.Map(1)
	w.BulkString("LUA")
	w.Map(2)
	w.BulkString("libraries_count")
	w.Int(int64(len(sc.libs)))
	w.BulkString("functions_count")
	w.Int(int64(len(sc.funcs)))
	return nil
}

func (sc *Scripting) fcall(c *engine.Client, name []byte, numkeys int64, rest [][]byte, ro bool, argv0 string, w engine.ReplyWriter) error {
	f, ok := sc.funcs[strings.ToLower(string(name))]
	if !ok {
		return engine.ErrFunctionNotFound
	}
	keys, args, err := splitKeys(numkeys, rest)
	if err != nil {
		return err
	}
	if ro && !f.NoWrites() {
		return engine.ErrScriptWriteFlagRO
	}
	argv := make([][]byte, 0, 3+len(rest))
	argv = append(argv, []byte(argv0), bytes.Clone(name), []byte(itoa(int(numkeys))))
	for _, b := range rest {
		argv = append(argv, bytes.Clone(b))
	}
	r := &Run{Function: true, Name: f.Name, Argv: argv, ReadOnly: ro || f.NoWrites()}
	sc.execute(c, r, func(ctx context.Context, cl *engine.Client) {
		sc.fn.RunFunction(ctx, cl, f, keys, args, w)
	})
	return nil
}

// FCALL function numkeys [key ...] [arg ...]: the callback gets (keys, args).
func (sc *Scripting) FCall(c *engine.Client, a generated.FCallArgs, w engine.ReplyWriter) error {
	return sc.fcall(c, a.Function, a.Numkeys, append(a.Key, a.Arg...), false, "fcall", w)
}

// FCALL_RO: FCALL of a no-writes function.
func (sc *Scripting) FCallRO(c *engine.Client, a generated.FCallROArgs, w engine.ReplyWriter) error {
	return sc.fcall(c, a.Function, a.Numkeys, append(a.Key, a.Arg...), true, "fcall_ro", w)
}

// Info are the INFO fields about scripting. Engine lock held.
type Info struct {
	CachedScripts, EvictedScripts, Functions, Libraries int64
	ScriptsBytes, FunctionsBytes                        int64
}

// Info reports the cache and library counts. Engine lock held.
func (sc *Scripting) Info() Info {
	in := Info{CachedScripts: int64(len(sc.scripts)), EvictedScripts: sc.evicted,
		Functions: int64(len(sc.funcs)), Libraries: int64(len(sc.libs))}
	for _, cs := range sc.scripts {
		in.ScriptsBytes += int64(len(cs.body))
	}
	for _, l := range sc.libs {
		in.FunctionsBytes += int64(len(l.Code))
	}
	return in
}
