package server

import (
	"strconv"
	"strings"
	"sync/atomic"

	"github.com/redcurrent/redcurrent/engine"
)

// config holds the CONFIG parameters. Guarded by the engine lock; values
// that connection readers need without it are published by applyConfig.
type config struct {
	requirePass      string
	protoMaxBulkLen  int64
	queryBufferLimit int64
	values           map[string]string // parameters we only store and report
	databases        int
	port             int
	bind             string

	// client-output-buffer-limit per class: normal, slave, pubsub. The
	// normal class is published for connections, which read it without
	// the engine lock.
	obuf       [3]obufLimit
	obufPublic atomic.Pointer[obufLimit]

	maxClients      int64
	maxClientsLimit func(int) int
	// slowlog-log-slower-than (µs; negative: off) and slowlog-max-len (0:
	// off), read by every call, also one served while a script is busy.
	slowlogSlower, slowlogMaxLen atomic.Int64
	debugCommand                 string // enable-debug-command: no, yes or local
}

func newConfig(cfg Config) *config {
	c := &config{
		requirePass:      cfg.RequirePass,
		protoMaxBulkLen:  cfg.ProtoMaxBulkLen,
		queryBufferLimit: cfg.ClientQueryBufferLimit,
		port:             cfg.Port,
		bind:             cfg.Bind,
		maxClients:       int64(cfg.MaxClients),
		maxClientsLimit:  cfg.MaxClientsLimit,
		debugCommand:     strings.ToLower(cfg.EnableDebugCommand),
		values:           map[string]string{},
	}
	if c.maxClients <= 0 {
		c.maxClients = 10000
	}
	if c.debugCommand != "yes" && c.debugCommand != "local" {
		c.debugCommand = "no"
	}
	if c.protoMaxBulkLen <= 0 {
		c.protoMaxBulkLen = 512 << 20
	}
	if c.queryBufferLimit <= 0 {
		c.queryBufferLimit = 1 << 30
	}
	if c.port == 0 {
		c.port = 6379
	}
	if c.bind == "" {
		c.bind = "* -::*"
	}
	c.slowlogSlower.Store(10000)
	c.slowlogMaxLen.Store(128)
	c.obuf = [3]obufLimit{{}, {256 << 20, 64 << 20, 60}, {32 << 20, 8 << 20, 60}}
	c.obufPublic.Store(&obufLimit{})
	for _, p := range params {
		if p.def != "" || p.get == nil {
			c.values[p.name] = p.def
		}
	}
	if cfg.LuaEnableDeprecatedAPI {
		c.values["lua-enable-deprecated-api"] = "yes"
	}
	return c
}

// param is one CONFIG parameter (standardConfig in config.c). Parameters
// without get/set are stored as text after validation and change nothing.
type param struct {
	name      string
	alias     string
	immutable bool
	hidden    bool // HIDDEN_CONFIG: CONFIG GET finds it by its name only, never by a pattern
	def       string
	check     func(v string) (string, string) // canonical value, or "" and the error
	get       func(s *Server) string
	set       func(s *Server, v string)
	// verify, when set, refuses a checked value the server cannot take
	// (Redis's apply functions): the error text, or "".
	verify func(s *Server, v string) string
}

func boolParam(v string) (string, string) {
	switch strings.ToLower(v) {
	case "yes":
		return "yes", ""
	case "no":
		return "no", ""
	}
	return "", "argument must be 'yes' or 'no'"
}

func enumParam(vals ...string) func(string) (string, string) {
	return func(v string) (string, string) {
		for _, x := range vals {
			if strings.EqualFold(v, x) {
				return x, ""
			}
		}
		return "", "argument(s) must be one of the following: " + strings.Join(vals, ", ")
	}
}

func intParam(min, max int64) func(string) (string, string) {
	return func(v string) (string, string) {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return "", "argument couldn't be parsed into an integer"
		}
		if n < min || n > max {
			return "", "argument must be between " + strconv.FormatInt(min, 10) + " and " + strconv.FormatInt(max, 10) + " inclusive"
		}
		return strconv.FormatInt(n, 10), ""
	}
}

// memParam is memtoull: digits with an optional k, kb, m, mb, g or gb
// (1000- and 1024-based), stored as bytes.
func memParam(min, max int64) func(string) (string, string) {
	return func(v string) (string, string) {
		n, ok := memToBytes(v)
		if !ok {
			return "", "argument must be a memory value"
		}
		if n < min || n > max {
			return "", "argument must be between " + strconv.FormatInt(min, 10) + " and " + strconv.FormatInt(max, 10) + " inclusive"
		}
		return strconv.FormatInt(n, 10), ""
	}
}

func memToBytes(v string) (int64, bool) {
	l := strings.ToLower(v)
	mul := int64(1)
	for _, u := range []struct {
		suffix string
		mul    int64
	}{{"kb", 1024}, {"mb", 1 << 20}, {"gb", 1 << 30}, {"k", 1000}, {"m", 1000 * 1000}, {"g", 1000 * 1000 * 1000}, {"b", 1}} {
		if strings.HasSuffix(l, u.suffix) {
			l, mul = strings.TrimSuffix(l, u.suffix), u.mul
			break
		}
	}
	if l == "" {
		return 0, true // memtoull: no digits is strtoull("") = 0, accepted
	}
	n, err := strconv.ParseUint(l, 10, 63)
	if err != nil || (mul > 1 && int64(n) > (1<<63-1)/mul) {
		return 0, false
	}
	return int64(n) * mul, true
}

func anyValue(v string) (string, string) { return v, "" }

// params are the parameters CONFIG GET and SET know, in Redis's names.
var params = []*param{
	{name: "databases", immutable: true,
		get: func(s *Server) string { return strconv.Itoa(s.e.Databases()) }},
	{name: "port", immutable: true, get: func(s *Server) string { return strconv.Itoa(s.cfg.port) }},
	{name: "bind", immutable: true, get: func(s *Server) string { return s.cfg.bind }},
	{name: "requirepass", check: anyValue,
		get: func(s *Server) string { return s.cfg.requirePass },
		set: func(s *Server, v string) { s.cfg.requirePass = v }},
	{name: "proto-max-bulk-len", check: memParam(1024*1024, 1<<63-1),
		get: func(s *Server) string { return strconv.FormatInt(s.cfg.protoMaxBulkLen, 10) },
		set: func(s *Server, v string) { s.cfg.protoMaxBulkLen, _ = strconv.ParseInt(v, 10, 64) }},
	{name: "client-query-buffer-limit", check: memParam(1024*1024, 1<<63-1),
		get: func(s *Server) string { return strconv.FormatInt(s.cfg.queryBufferLimit, 10) },
		set: func(s *Server, v string) { s.cfg.queryBufferLimit, _ = strconv.ParseInt(v, 10, 64) }},
	{name: "client-output-buffer-limit", check: checkObufLimits, get: getObufLimits, set: setObufLimits},
	{name: "loglevel", def: "notice", check: enumParam("debug", "verbose", "notice", "warning", "nothing")}, // nothing: 7.2, redis/redis#12133
	{name: "maxmemory", def: "0", check: memParam(0, 1<<63-1)},
	{name: "maxmemory-policy", def: "noeviction", check: enumParam("volatile-lru", "volatile-lfu",
		"volatile-random", "volatile-ttl", "allkeys-lru", "allkeys-lfu", "allkeys-random", "noeviction")},
	{name: "maxclients", check: intParam(1, 1<<32-1),
		get: func(s *Server) string { return strconv.FormatInt(s.cfg.maxClients, 10) },
		set: func(s *Server, v string) { s.cfg.maxClients, _ = strconv.ParseInt(v, 10, 64) },
		verify: func(s *Server, v string) string {
			// updateMaxclients: the process may not have the descriptors.
			n, _ := strconv.Atoi(v)
			if s.cfg.maxClientsLimit != nil {
				if m := s.cfg.maxClientsLimit(n); m < n {
					return "The operating system is not able to handle the specified number of clients, try with " + strconv.Itoa(m)
				}
			}
			return ""
		}},
	{name: "enable-debug-command", immutable: true, get: func(s *Server) string { return s.cfg.debugCommand }},
	{name: "timeout", def: "0", check: intParam(0, 1<<31-1)},
	{name: "tcp-keepalive", def: "300", check: intParam(0, 1<<31-1)},
	{name: "busy-reply-threshold", alias: "lua-time-limit", def: "5000", check: intParam(0, 1<<63-1)},
	{name: "stream-node-max-entries", def: "100", check: intParam(0, 1<<63-1),
		set: func(s *Server, v string) {
			n, _ := strconv.ParseInt(v, 10, 64)
			s.cfg.values["stream-node-max-entries"] = v
			s.e.SetStreamNodeMaxEntries(n)
		}},
	{name: "stream-node-max-bytes", def: "4096", check: memParam(0, 1<<63-1),
		set: func(s *Server, v string) {
			n, _ := strconv.ParseInt(v, 10, 64)
			s.cfg.values["stream-node-max-bytes"] = v
			s.e.SetStreamNodeMaxBytes(n)
		}},
	{name: "save", def: "", check: anyValue},
	{name: "appendonly", def: "no", check: boolParam},
	{name: "notify-keyspace-events", def: "", check: anyValue},
	{name: "hz", def: "10", check: intParam(0, 1<<31-1)},
	{name: "slowlog-log-slower-than", def: "10000", check: intParam(-1, 1<<63-1),
		set: func(s *Server, v string) {
			n, _ := strconv.ParseInt(v, 10, 64)
			s.cfg.values["slowlog-log-slower-than"] = v
			s.cfg.slowlogSlower.Store(n)
		}},
	{name: "slowlog-max-len", def: "128", check: intParam(0, 1<<63-1),
		set: func(s *Server, v string) {
			n, _ := strconv.ParseInt(v, 10, 64)
			s.cfg.values["slowlog-max-len"] = v
			s.cfg.slowlogMaxLen.Store(n)
		}},
	{name: "lazyfree-lazy-user-del", def: "no", check: boolParam},
	{name: "lazyfree-lazy-user-flush", def: "no", check: boolParam},
	{name: "list-max-listpack-size", alias: "list-max-ziplist-size", def: "-2", check: intParam(-5, 1<<31-1)},
	{name: "hash-max-listpack-entries", alias: "hash-max-ziplist-entries", def: "128", check: intParam(0, 1<<63-1)},
	{name: "set-max-intset-entries", def: "512", check: intParam(0, 1<<63-1)},
	{name: "zset-max-listpack-entries", alias: "zset-max-ziplist-entries", def: "128", check: intParam(0, 1<<63-1)},
	{name: "cluster-enabled", immutable: true, def: "no"},
	// 8.2.2/8.4 (CVE-2025-46818): set at start (Config.LuaEnableDeprecatedAPI).
	{name: "lua-enable-deprecated-api", immutable: true, hidden: true, def: "no"},
}

func findParam(name string) *param {
	for _, p := range params {
		if strings.EqualFold(p.name, name) || (p.alias != "" && strings.EqualFold(p.alias, name)) {
			return p
		}
	}
	return nil
}

func (p *param) value(s *Server) string {
	if p.get != nil {
		return p.get(s)
	}
	return s.cfg.values[p.name]
}

func configSetError(arg, msg string) *engine.Error {
	return &engine.Error{Code: "ERR", Msg: "CONFIG SET failed (possibly related to argument '" + arg + "') - " + msg}
}

// configSet validates every pair before applying any (configSetCommand).
// Names are checked in order and the first problem wins: an unknown name, an
// immutable one, or one given twice (an alias and its parameter count as
// two, as in Redis). Then values, in order; a value error names the
// parameter as Redis spells it.
func (s *Server) configSet(pairs [][2][]byte) error {
	type target struct {
		p    *param
		name string // canonical: p.name, or p.alias when set through it
	}
	ts := make([]target, len(pairs))
	for i, kv := range pairs {
		arg := string(kv[0])
		p := findParam(arg)
		if p == nil {
			return &engine.Error{Code: "ERR", Msg: "Unknown option or number of arguments for CONFIG SET - '" + arg + "'"}
		}
		name := p.name
		if p.alias != "" && strings.EqualFold(p.alias, arg) {
			name = p.alias
		}
		if p.immutable {
			return configSetError(arg, "can't set immutable config")
		}
		for _, t := range ts[:i] {
			if t.p == p && t.name == name {
				return configSetError(arg, "duplicate parameter")
			}
		}
		ts[i] = target{p, name}
	}
	vals := make([]string, len(pairs))
	for i, kv := range pairs {
		v, msg := ts[i].p.check(string(kv[1]))
		if msg != "" {
			return configSetError(ts[i].name, msg)
		}
		if ts[i].p.verify != nil {
			if msg := ts[i].p.verify(s, v); msg != "" {
				return configSetError(ts[i].name, msg)
			}
		}
		vals[i] = v
	}
	for i, t := range ts {
		if t.p.set != nil {
			t.p.set(s, vals[i])
		} else {
			s.cfg.values[t.p.name] = vals[i]
		}
	}
	s.applyConfig()
	return nil
}

// configGet returns name/value pairs for the patterns, each parameter once
// (names compare case-insensitively), in table order (Redis: dict order).
// A pattern without glob characters is looked up directly and reported as
// given ("HZ", or an alias); a glob matches names and aliases alike, each
// reported under its own name (configGetCommand: an alias is a separate
// entry of Redis's config dict).
func (s *Server) configGet(patterns [][]byte) [][2]string {
	var out [][2]string
	seen := map[string]bool{}
	add := func(name, val string) {
		seen[strings.ToLower(name)] = true
		out = append(out, [2]string{name, val})
	}
	for _, pat := range patterns {
		if !strings.ContainsAny(string(pat), "*?[") {
			if seen[strings.ToLower(string(pat))] {
				continue
			}
			if p := findParam(string(pat)); p != nil {
				add(string(pat), p.value(s))
			}
			continue
		}
		for _, p := range params {
			if p.hidden {
				continue
			}
			if !seen[p.name] && engine.GlobMatch(pat, []byte(p.name), true) {
				add(p.name, p.value(s))
			}
			if p.alias != "" && !seen[p.alias] && engine.GlobMatch(pat, []byte(p.alias), true) {
				add(p.alias, p.value(s))
			}
		}
	}
	return out
}
