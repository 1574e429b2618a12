package server

import (
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
	"syscall"
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
	h.s.stats.expiredActive = 0
	h.s.stats.io.reset()
	h.s.stats.qbufLimitDisconnections.Store(0)
	h.s.stats.obufLimitDisconnections.Store(0)
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
// too, which default names).
var infoSections = []struct {
	name      string
	inDefault bool
}{
	{"server", true}, {"clients", true}, {"memory", true}, {"persistence", true},
	{"threads", true}, {"stats", true}, {"replication", true}, {"cpu", true},
	{"hotkeys", true}, {"modules", true}, {"commandstats", false}, {"errorstats", true},
	{"latencystats", false}, {"cluster", true}, {"keyspace", true}, {"keysizes", true},
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
		// getListensInfoString: the TCP listener, its bind addresses and port.
		b.WriteString("listener0:name=tcp")
		for _, a := range strings.Fields(s.cfg.bind) {
			b.WriteString(",bind=" + a)
		}
		fmt.Fprintf(b, ",port=%d\r\n", s.cfg.port)
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
		s.infoMemory(b)
	case "persistence":
		b.WriteString("# Persistence\r\n")
		for _, f := range []struct {
			k string
			v any
		}{
			{"loading", 0}, {"async_loading", 0}, {"current_cow_peak", 0}, {"current_cow_size", 0},
			{"current_cow_size_age", 0}, {"current_fork_perc", "0.00"}, {"current_save_keys_processed", 0},
			{"current_save_keys_total", 0}, {"rdb_changes_since_last_save", s.e.Dirty()},
			{"rdb_bgsave_in_progress", 0}, {"rdb_last_save_time", s.startTime.Unix()},
			{"rdb_last_bgsave_status", "ok"}, {"rdb_last_bgsave_time_sec", -1},
			{"rdb_current_bgsave_time_sec", -1}, {"rdb_saves", 0}, {"rdb_saves_consecutive_failures", 0},
			{"rdb_last_cow_size", 0}, {"rdb_last_load_keys_expired", 0}, {"rdb_last_load_keys_loaded", 0},
			{"aof_enabled", 0}, {"aof_rewrite_in_progress", 0}, {"aof_rewrite_scheduled", 0},
			{"aof_last_rewrite_time_sec", -1}, {"aof_current_rewrite_time_sec", -1},
			{"aof_last_bgrewrite_status", "ok"}, {"aof_rewrites", 0}, {"aof_rewrites_consecutive_failures", 0},
			{"aof_last_write_status", "ok"}, {"aof_last_cow_size", 0}, {"module_fork_in_progress", 0},
			{"module_fork_last_cow_size", 0},
		} {
			line(f.k, f.v)
		}
	case "stats":
		s.infoStats(b)
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
		fmt.Fprintf(b, "io_thread_0:clients=%d,reads=%d,writes=%d\r\n", s.ConnectedClients(), s.stats.io.reads.Load(), s.stats.io.writes.Load())
	case "hotkeys":
		b.WriteString("# Hotkeys\r\n") // tracking (HOTKEYS) is not served
	case "keysizes":
		b.WriteString("# Keysizes\r\n")
		for _, l := range s.e.KeysizesInfo() {
			b.WriteString(l)
			b.WriteString("\r\n")
		}
	case "cpu":
		// getrusage, as Redis reports it; Go has no main thread of its own,
		// so the main-thread figures are the process's.
		sys, user, csys, cuser := cpuTimes()
		tv := func(t syscall.Timeval) string { return fmt.Sprintf("%d.%06d", t.Sec, t.Usec) }
		b.WriteString("# CPU\r\n")
		line("used_cpu_sys", tv(sys))
		line("used_cpu_user", tv(user))
		line("used_cpu_sys_children", tv(csys))
		line("used_cpu_user_children", tv(cuser))
		line("used_cpu_sys_main_thread", tv(sys))
		line("used_cpu_user_main_thread", tv(user))
	case "modules":
		b.WriteString("# Modules\r\n")
	case "commandstats":
		b.WriteString("# Commandstats\r\n")
		s.infoCommandStats(b)
	case "errorstats":
		b.WriteString("# Errorstats\r\n")
		s.infoErrorStats(b)
	case "latencystats":
		b.WriteString("# Latencystats\r\n")
		s.infoLatencyStats(b)
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

// infoMemory writes INFO memory with the fields and order of Redis 8
// (genRedisInfoString at upstream unstable 2026-06-25: used_memory_peak_time
// 8.2, mem_replica_full_sync_buffer 8.0, mem_clients_normal_shared and
// _unshared 8.8, mem_cluster_slot_migration_* 8.4). used_memory is the Go
// heap's live bytes; its peak is the highest INFO has seen. The allocator
// figures are the Go runtime's: allocated is the live heap, active the heap
// in use, resident what the heap holds from the OS; the ratios and byte
// differences are computed as getMemoryOverheadData does. Replication, AOF, cluster,
// defrag and lazyfree figures are an idle Redis's. Engine lock held.
func (s *Server) infoMemory(b *strings.Builder) {
	line := func(k string, v any) { fmt.Fprintf(b, "%s:%v\r\n", k, v) }
	ratio := func(a, b uint64) string {
		if b == 0 {
			return "0.00"
		}
		return fmt.Sprintf("%.2f", float64(a)/float64(b))
	}
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	used := ms.HeapAlloc
	rss, ok := processRSS()
	if !ok {
		rss = ms.Sys // the memory the runtime obtained from the OS
	}
	if used > s.memPeak { // updatePeakMemory
		s.memPeak, s.memPeakTime = used, s.now()
	}
	allocated, active, resident := ms.HeapAlloc, ms.HeapInuse, ms.HeapSys-ms.HeapReleased
	var clientsMem, clientsOut int64
	for _, cn := range s.clients() {
		tot, omem := cn.memUsage()
		clientsMem += tot
		clientsOut += omem
	}
	si := s.h.Scripting.Info()
	// getMemoryOverheadData: the overhead is the startup heap, the clients'
	// buffers and the script caches; the dataset is the rest.
	startup := s.memStartup.Load()
	overhead := startup + uint64(clientsMem) + uint64(si.ScriptsBytes+si.FunctionsBytes)
	dataset := uint64(0)
	if used > overhead {
		dataset = used - overhead
	}
	netUsage := uint64(1)
	if used > startup {
		netUsage = used - startup
	}
	b.WriteString("# Memory\r\n")
	line("used_memory", used)
	line("used_memory_human", humanBytes(used))
	line("used_memory_rss", rss)
	line("used_memory_rss_human", humanBytes(rss))
	line("used_memory_peak", s.memPeak)
	line("used_memory_peak_human", humanBytes(s.memPeak))
	line("used_memory_peak_time", s.memPeakTime.Unix())
	line("used_memory_peak_perc", fmt.Sprintf("%.2f%%", float32(used)*100/float32(s.memPeak)))
	line("used_memory_overhead", overhead)
	line("used_memory_startup", startup)
	line("used_memory_dataset", dataset)
	line("used_memory_dataset_perc", fmt.Sprintf("%.2f%%", float32(dataset)*100/float32(netUsage)))
	line("allocator_allocated", allocated)
	line("allocator_active", active)
	line("allocator_resident", resident)
	line("allocator_muzzy", 0)
	sysMem := systemMemory()
	line("total_system_memory", sysMem)
	line("total_system_memory_human", humanBytes(sysMem))
	// Lua VMs are gopher-lua heap objects, not a separate arena: the
	// figures are the script and library bytes plus a fixed base per VM
	// (Redis's empty VM is about 31 KB).
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
	line("maxmemory", s.cfg.values["maxmemory"])
	n, _ := strconv.ParseUint(s.cfg.values["maxmemory"], 10, 64)
	line("maxmemory_human", humanBytes(n))
	line("maxmemory_policy", s.cfg.values["maxmemory-policy"])
	line("allocator_frag_ratio", ratio(active, allocated))
	line("allocator_frag_bytes", int64(active)-int64(allocated))
	line("allocator_rss_ratio", ratio(resident, active))
	line("allocator_rss_bytes", int64(resident)-int64(active))
	line("rss_overhead_ratio", ratio(rss, resident))
	line("rss_overhead_bytes", int64(rss)-int64(resident))
	line("mem_fragmentation_ratio", ratio(rss, used))
	line("mem_fragmentation_bytes", int64(rss)-int64(used))
	for _, k := range []string{"mem_not_counted_for_evict", "mem_replication_backlog",
		"mem_total_replication_buffers", "mem_replica_full_sync_buffer", "mem_clients_slaves"} {
		line(k, 0)
	}
	line("mem_clients_normal", clientsMem)
	line("mem_clients_normal_shared", 0) // no reply is shared between clients here
	line("mem_clients_normal_unshared", clientsOut)
	for _, k := range []string{"mem_cluster_slot_migration_output_buffer", "mem_cluster_slot_migration_input_buffer",
		"mem_cluster_slot_migration_input_buffer_peak", "mem_cluster_links", "mem_aof_buffer"} {
		line(k, 0)
	}
	line("mem_allocator", "go")
	for _, k := range []string{"mem_overhead_db_hashtable_rehashing", "active_defrag_running",
		"lazyfree_pending_objects", "lazyfreed_objects"} {
		line(k, 0)
	}
}

// infoStats writes INFO stats with the fields and order of Redis 8
// (genRedisInfoString at upstream unstable 2026-06-25, then
// genRedisInfoStringACLStats). Counted here: connections, commands, network
// bytes, expired keys, evicted scripts, error replies, socket reads and
// writes, buffer limit disconnections, failed AUTHs, the calls the slow log
// would take, and the parse batches (one per read that completed requests,
// processInputBuffer's avg_pipeline_length_*). The instantaneous rates,
// replication, eviction, defrag, tracking and event loop figures are an
// idle Redis's. Engine lock held.
func (s *Server) infoStats(b *strings.Builder) {
	line := func(k string, v any) { fmt.Fprintf(b, "%s:%v\r\n", k, v) }
	zero := func(ks ...string) {
		for _, k := range ks {
			line(k, 0)
		}
	}
	io := &s.stats.io
	reads, writes := io.reads.Load(), io.writes.Load()
	b.WriteString("# Stats\r\n")
	line("total_connections_received", s.stats.connectionsReceived.Load())
	line("total_commands_processed", s.stats.commandsProcessed)
	line("instantaneous_ops_per_sec", 0)
	line("total_net_input_bytes", io.netIn.Load())
	line("total_net_output_bytes", io.netOut.Load())
	zero("total_net_repl_input_bytes", "total_net_repl_output_bytes")
	for _, k := range []string{"instantaneous_input_kbps", "instantaneous_output_kbps",
		"instantaneous_input_repl_kbps", "instantaneous_output_repl_kbps"} {
		line(k, "0.00")
	}
	line("rejected_connections", s.stats.rejectedConnections.Load())
	zero("sync_full", "sync_partial_ok", "sync_partial_err", "expired_subkeys", "expired_subkeys_active")
	line("expired_keys", s.e.Stats().ExpiredKeys)
	line("expired_keys_active", s.stats.expiredActive)
	line("expired_stale_perc", "0.00")
	zero("expired_time_cap_reached_count", "expire_cycle_cpu_milliseconds", "evicted_keys", "evicted_clients")
	line("evicted_scripts", s.h.Scripting.Info().EvictedScripts)
	zero("total_eviction_exceeded_time", "current_eviction_exceeded_time", "keyspace_hits", "keyspace_misses",
		"pubsub_channels", "pubsub_patterns", "pubsubshard_channels", "latest_fork_usec", "total_forks",
		"migrate_cached_sockets", "slave_expires_tracked_keys", "active_defrag_hits", "active_defrag_misses",
		"active_defrag_key_hits", "active_defrag_key_misses", "total_active_defrag_time",
		"current_active_defrag_time", "tracking_total_keys", "tracking_total_items", "tracking_total_prefixes",
		"unexpected_error_replies")
	errs, slow := s.errorTotal()
	line("total_error_replies", errs)
	line("dump_payload_sanitizations", 0)
	line("total_reads_processed", reads)
	line("total_writes_processed", writes)
	zero("io_threaded_reads_processed", "io_threaded_writes_processed", "io_threaded_total_prefetch_batches",
		"io_threaded_total_prefetch_entries")
	line("client_query_buffer_limit_disconnections", s.stats.qbufLimitDisconnections.Load())
	line("client_output_buffer_limit_disconnections", s.stats.obufLimitDisconnections.Load())
	zero("reply_buffer_shrinks", "reply_buffer_expands",
		"eventloop_cycles", "eventloop_duration_sum", "eventloop_duration_cmd_sum",
		"instantaneous_eventloop_cycles_per_sec", "instantaneous_eventloop_duration_usec")
	// Each read is one pass over the client's input, in an event loop
	// cycle of its own here.
	line("eventloop_cycles_with_clients_processing", reads)
	line("total_client_processing_events", reads)
	sum, cnt := io.batchCmds.Load(), io.batches.Load()
	line("avg_pipeline_length_sum", sum)
	line("avg_pipeline_length_cnt", cnt)
	avg := 0.0
	if cnt > 0 {
		avg = float64(sum) / float64(cnt)
	}
	line("avg_pipeline_length", fmt.Sprintf("%.2f", avg))
	line("slowlog_commands_count", slow[0])
	line("slowlog_commands_time_ms_max", fmt.Sprintf("%.2f", float64(slow[2])/1000))
	line("slowlog_commands_time_ms_sum", fmt.Sprintf("%.2f", float64(slow[1])/1000))
	line("acl_access_denied_auth", s.stats.authFailures)
	zero("acl_access_denied_cmd", "acl_access_denied_key", "acl_access_denied_channel",
		"acl_access_denied_tls_cert")
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

// heapInUse is the Go heap's live bytes (INFO memory's used_memory).
func heapInUse() uint64 {
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc
}
