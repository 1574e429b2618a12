package server

import (
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/redcurrent/redcurrent/engine"
	"github.com/redcurrent/redcurrent/generated"
)

// Server family: INFO, CONFIG, DEBUG (COMMAND is in cmd_command.go).

// CONFIG GET parameter [parameter ...]: a map of the matching parameters.
func (h *handlers) ConfigGet(c *engine.Client, a generated.ConfigGetArgs, w engine.ReplyWriter) error {
	kv := h.s.configGet(a.Parameter)
	w.Map(len(kv))
	for _, p := range kv {
		w.BulkString(p[0])
		w.BulkString(p[1])
	}
	return nil
}

// CONFIG SET parameter value [parameter value ...]: all or nothing.
func (h *handlers) ConfigSet(c *engine.Client, a generated.ConfigSetArgs, w engine.ReplyWriter) error {
	pairs := make([][2][]byte, a.Data.Len())
	for i, d := range a.Data.All() {
		pairs[i] = [2][]byte{d.Parameter, d.Value}
	}
	if err := h.s.configSet(pairs); err != nil {
		return err
	}
	w.Simple("OK")
	return nil
}

// CONFIG RESETSTAT clears the INFO stats counters.
func (h *handlers) ConfigResetStat(c *engine.Client, a generated.ConfigResetStatArgs, w engine.ReplyWriter) error {
	h.s.stats.connectionsReceived.Store(0)
	h.s.stats.rejectedConnections.Store(0)
	h.s.stats.commandsProcessed = 0
	h.s.stats.ioReads.Store(0)
	h.s.stats.ioWrites.Store(0)
	h.s.resetErrStats()
	h.s.e.ResetStats()
	w.Simple("OK")
	return nil
}

// CONFIG HELP
func (h *handlers) ConfigHelp(c *engine.Client, a generated.ConfigHelpArgs, w engine.ReplyWriter) error {
	engine.WriteHelp(w, []string{
		"CONFIG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
		"GET <pattern>",
		"    Return parameters matching the glob-like <pattern> and their values.",
		"SET <directive> <value>",
		"    Set the configuration <directive> to <value>.",
		"RESETSTAT",
		"    Reset statistics reported by the INFO command.",
		"REWRITE",
		"    Rewrite the configuration file.",
	})
	return nil
}

// DEBUG subcommand [arg ...]: SLEEP seconds and SET-ACTIVE-EXPIRE 0|1.
// SLEEP holds the engine lock while it sleeps, as Redis blocks its one
// thread (debugCommand).
func (h *handlers) Debug(c *engine.Client, a generated.DebugArgs, w engine.ReplyWriter) error {
	sub := strings.ToLower(string(a.Subcommand))
	switch {
	case sub == "sleep" && len(a.Arg) == 1:
		// strtod: a malformed number sleeps for its valid prefix, or 0.
		secs, _ := strconv.ParseFloat(strings.TrimSpace(string(a.Arg[0])), 64)
		if secs > 0 {
			time.Sleep(time.Duration(secs * float64(time.Second)))
		}
		w.Simple("OK")
		return nil
	case sub == "set-active-expire" && len(a.Arg) == 1:
		n, _ := strconv.Atoi(string(a.Arg[0])) // atoi: garbage is 0
		h.SetActiveExpire(n != 0)
		w.Simple("OK")
		return nil
	}
	return &engine.Error{Code: "ERR", Msg: "unknown subcommand or wrong number of arguments for '" +
		cString(a.Subcommand, 128) + "'. Try DEBUG HELP."}
}

// infoSections are INFO's sections in the order Redis 8 prints them, and
// whether "default" includes them (genInfoSectionDict and genRedisInfoString
// at upstream unstable 2026-06-25: threads, 8.0 #13695; hotkeys, 8.6 #14680;
// keysizes, 8.0 #13592; the modules section is printed for "module_list"
// too, which default names). Latencystats is not served.
var infoSections = []struct {
	name      string
	inDefault bool
}{
	{"server", true}, {"clients", true}, {"memory", true}, {"persistence", true},
	{"threads", true}, {"stats", true}, {"replication", true}, {"cpu", true},
	{"hotkeys", true}, {"modules", true}, {"commandstats", false}, {"errorstats", true},
	{"cluster", true}, {"keyspace", true}, {"keysizes", true},
}

// INFO [section ...]: "# Section" blocks of field:value lines, as verbatim
// text. Unknown sections are left out.
func (h *handlers) Info(c *engine.Client, a generated.InfoArgs, w engine.ReplyWriter) error {
	want := map[string]bool{}
	if len(a.Section) == 0 {
		want["default"] = true
	}
	for _, s := range a.Section {
		want[strings.ToLower(string(s))] = true
	}
	want["modules"] = want["modules"] || want["module_list"]
	all := want["all"] || want["everything"]
	var b strings.Builder
	for _, sec := range infoSections {
		if !(want[sec.name] || (sec.inDefault && want["default"]) || all) {
			continue
		}
		if b.Len() > 0 {
			b.WriteString("\r\n")
		}
		h.s.infoSection(&b, sec.name)
	}
	w.Verbatim("txt", b.String())
	return nil
}

// infoSection writes one section. Engine lock held.
func (s *Server) infoSection(b *strings.Builder, name string) {
	line := func(k string, v any) { fmt.Fprintf(b, "%s:%v\r\n", k, v) }
	now := s.now()
	switch name {
	case "server":
		b.WriteString("# Server\r\n")
		line("redis_version", Version)
		line("redcurrent_version", RedcurrentVersion)
		line("redis_git_sha1", "00000000")
		line("redis_git_dirty", 0)
		line("redis_build_id", "0")
		line("redis_mode", "standalone")
		line("os", runtime.GOOS+" "+runtime.GOARCH)
		line("arch_bits", strconv.IntSize)
		line("monotonic_clock", "POSIX clock_gettime")
		line("multiplexing_api", "goroutines")
		line("atomicvar_api", "c11-builtin")
		line("gcc_version", "0.0.0")
		line("process_id", os.Getpid())
		line("process_supervised", "no")
		line("run_id", fmt.Sprintf("%040x", s.startTime.UnixNano()))
		line("tcp_port", s.cfg.port)
		line("server_time_usec", now.UnixMicro())
		up := now.Sub(s.startTime)
		if up < 0 {
			up = 0
		}
		line("uptime_in_seconds", int64(up/time.Second))
		line("uptime_in_days", int64(up/(24*time.Hour)))
		line("hz", 10)
		line("configured_hz", 10)
		line("lru_clock", now.Unix()&(1<<24-1))
		line("executable", "")
		line("config_file", "")
		line("io_threads_active", 0)
	case "clients":
		b.WriteString("# Clients\r\n")
		line("connected_clients", s.ConnectedClients())
		line("cluster_connections", 0)
		line("maxclients", s.cfg.maxClients)
		line("client_recent_max_input_buffer", 0)
		line("client_recent_max_output_buffer", 0)
		line("blocked_clients", s.BlockedClients())
		line("tracking_clients", 0)
		line("pubsub_clients", 0)
		watching, active := 0, 0
		for _, cn := range s.clients() {
			if s.e.Watching(&cn.c) > 0 {
				watching++
			}
			// active_clients (8.8, #14841): clients whose input was
			// processed in the last 512 ms window (four 128 ms slots).
			if now.Sub(cn.lastInteraction) < 512*time.Millisecond {
				active++
			}
		}
		line("watching_clients", watching)
		line("clients_in_timeout_table", 0)
		line("active_clients", active)
		line("total_watched_keys", s.e.WatchedKeys())
		line("total_blocking_keys", 0)
		line("total_blocking_keys_on_nokey", 0)
	case "memory":
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		b.WriteString("# Memory\r\n")
		line("used_memory", ms.HeapAlloc)
		line("used_memory_human", humanBytes(ms.HeapAlloc))
		rss, ok := processRSS()
		if !ok {
			rss = ms.Sys // the memory the runtime obtained from the OS
		}
		line("used_memory_rss", rss)
		line("used_memory_rss_human", humanBytes(rss))
		line("used_memory_peak", ms.HeapSys)
		line("used_memory_peak_human", humanBytes(ms.HeapSys))
		line("maxmemory", s.cfg.values["maxmemory"])
		n, _ := strconv.ParseUint(s.cfg.values["maxmemory"], 10, 64)
		line("maxmemory_human", humanBytes(n))
		line("maxmemory_policy", s.cfg.values["maxmemory-policy"])
		// Lua VMs are gopher-lua heap objects, not a separate arena: the
		// figures are the script and library bytes plus a fixed base per VM
		// (Redis's empty VM is about 31 KB).
		si := s.h.Scripting.Info()
		const vmBase = 32 << 10
		evalVM, fnVM := uint64(vmBase+si.ScriptsBytes), uint64(vmBase+si.FunctionsBytes)
		line("used_memory_lua", evalVM)
		line("used_memory_vm_eval", evalVM)
		line("used_memory_lua_human", humanBytes(evalVM))
		line("used_memory_scripts_eval", si.ScriptsBytes)
		line("number_of_cached_scripts", si.CachedScripts)
		line("number_of_functions", si.Functions)
		line("number_of_libraries", si.Libraries)
		line("used_memory_vm_functions", fnVM)
		line("used_memory_vm_total", evalVM+fnVM)
		line("used_memory_vm_total_human", humanBytes(evalVM+fnVM))
		line("used_memory_functions", si.FunctionsBytes)
		line("used_memory_scripts", si.ScriptsBytes+si.FunctionsBytes)
		line("used_memory_scripts_human", humanBytes(uint64(si.ScriptsBytes+si.FunctionsBytes)))
		line("mem_fragmentation_ratio", "1.00")
		line("mem_allocator", "go")
	case "persistence":
		b.WriteString("# Persistence\r\n")
		line("loading", 0)
		line("async_loading", 0)
		line("rdb_changes_since_last_save", s.e.Dirty())
		line("rdb_bgsave_in_progress", 0)
		line("rdb_last_save_time", s.startTime.Unix())
		line("rdb_last_bgsave_status", "ok")
		line("aof_enabled", 0)
		line("aof_rewrite_in_progress", 0)
		line("aof_last_bgrewrite_status", "ok")
		line("aof_last_write_status", "ok")
	case "stats":
		b.WriteString("# Stats\r\n")
		line("total_connections_received", s.stats.connectionsReceived.Load())
		line("total_commands_processed", s.stats.commandsProcessed)
		line("instantaneous_ops_per_sec", 0)
		line("rejected_connections", s.stats.rejectedConnections.Load())
		line("expired_keys", s.e.Stats().ExpiredKeys)
		line("evicted_keys", 0)
		line("evicted_scripts", s.h.Scripting.Info().EvictedScripts)
		line("keyspace_hits", 0)
		line("keyspace_misses", 0)
		line("pubsub_channels", 0)
		line("pubsub_patterns", 0)
		errs, _ := s.errorTotals()
		line("total_error_replies", errs)
	case "replication":
		b.WriteString("# Replication\r\n")
		line("role", "master")
		line("connected_slaves", 0)
		line("master_failover_state", "no-failover")
		line("master_replid", strings.Repeat("0", 40))
		line("master_replid2", strings.Repeat("0", 40))
		line("master_repl_offset", 0)
		line("second_repl_offset", -1)
		line("repl_backlog_active", 0)
		line("repl_backlog_size", 1048576)
		line("repl_backlog_first_byte_offset", 0)
		line("repl_backlog_histlen", 0)
	case "threads":
		// One I/O thread, the main one (io-threads 1): its clients, and the
		// reads and writes it did (8.0, #13695).
		b.WriteString("# Threads\r\n")
		fmt.Fprintf(b, "io_thread_0:clients=%d,reads=%d,writes=%d\r\n", s.ConnectedClients(), s.stats.ioReads.Load(), s.stats.ioWrites.Load())
	case "hotkeys":
		b.WriteString("# Hotkeys\r\n") // tracking (HOTKEYS) is not served
	case "keysizes":
		b.WriteString("# Keysizes\r\n")
		for _, l := range s.e.KeysizesInfo() {
			b.WriteString(l)
			b.WriteString("\r\n")
		}
	case "cpu":
		b.WriteString("# CPU\r\n")
		line("used_cpu_sys", "0.000000")
		line("used_cpu_user", "0.000000")
		line("used_cpu_sys_children", "0.000000")
		line("used_cpu_user_children", "0.000000")
	case "modules":
		b.WriteString("# Modules\r\n")
	case "commandstats":
		b.WriteString("# Commandstats\r\n")
		s.infoCommandStats(b)
	case "errorstats":
		b.WriteString("# Errorstats\r\n")
		s.infoErrorStats(b)
	case "cluster":
		b.WriteString("# Cluster\r\n")
		line("cluster_enabled", 0)
	case "keyspace":
		b.WriteString("# Keyspace\r\n")
		for _, l := range s.e.KeyspaceInfo() {
			b.WriteString(l)
			b.WriteString("\r\n")
		}
	}
}

// humanBytes is bytesToHuman (object.c).
func humanBytes(n uint64) string {
	d := float64(n)
	switch {
	case n < 1024:
		return strconv.FormatUint(n, 10) + "B"
	case n < 1024*1024:
		return fmt.Sprintf("%.2fK", d/1024)
	case n < 1024*1024*1024:
		return fmt.Sprintf("%.2fM", d/(1024*1024))
	default:
		return fmt.Sprintf("%.2fG", d/(1024*1024*1024))
	}
}
