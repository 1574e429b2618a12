// Command redcurrent serves redcurrent over RESP, like a small redis-server.
//
//	go run ./cmd/redcurrent --port 6379
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net"
	"os"
	"os/signal"
	"runtime"
	"strconv"
	"strings"
	"syscall"

	"github.com/redcurrent/redcurrent"
	"github.com/redcurrent/redcurrent/server"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "redcurrent:", err)
		os.Exit(1)
	}
}

// run serves until ctx ends (SIGINT or SIGTERM in main).
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("redcurrent", flag.ContinueOnError)
	fs.SetOutput(stderr)
	bind := fs.String("bind", "127.0.0.1", "address to listen on")
	port := fs.Int("port", 6379, "TCP port (0 picks a free one)")
	pass := fs.String("requirepass", "", "password clients must AUTH with")
	dbs := fs.Int("databases", 16, "number of databases")
	maxClients := fs.Int("maxclients", 10000, "most clients connected at once; lowered at start to what\n"+
		"the open-files limit allows, less 32 (as redis-server does)")
	debugCmd := fs.String("enable-debug-command", "no", "who may run DEBUG: no, yes, or local (loopback and\n"+
		"unix-socket clients)")
	deprecatedAPI := fs.String("lua-enable-deprecated-api", "no", "yes gives scripts getfenv, setfenv and newproxy, which Redis\n"+
		"8.2.2 removed for sandboxing (CVE-2025-46818)")
	level := fs.String("loglevel", "notice", "debug, verbose, notice, warning or nothing")
	scriptMem := fs.String("script-memory-limit", "1gb", "heap growth at which a Lua script or function is stopped with\n"+
		"\"not enough memory\": bytes, or with a unit as in redis.conf (k, kb, m, mb, g, gb;\n"+
		"1k = 1000, 1kb = 1024); 0 for no limit")
	// One thread by default: commands run one at a time under the engine
	// lock, and on one thread a connection hands it to the next without
	// waking another OS thread. Measured with bench/run.sh on a 2-core
	// machine (SET/GET/INCR, -P 16, median of 4 runs): 0.96-1.09x
	// redis-server's requests/s with one, 0.83-0.85x with two. $GOMAXPROCS,
	// when set, is the default instead.
	defProcs := 1
	if os.Getenv("GOMAXPROCS") != "" {
		defProcs = 0
	}
	procs := fs.Int("procs", defProcs, "OS threads running Go code at once (GOMAXPROCS); 0 for Go's default,\n"+
		"one per CPU. 1 unless $GOMAXPROCS is set")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *procs < 0 {
		return fmt.Errorf("--procs must be 0 or more")
	}
	if *procs > 0 {
		defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(*procs))
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	if *dbs < 1 {
		return fmt.Errorf("--databases must be at least 1")
	}
	memLimit, err := parseMemory(*scriptMem)
	if err != nil {
		return fmt.Errorf("--script-memory-limit: %v", err)
	}
	if memLimit == 0 {
		memLimit = -1 // Options: negative is no limit, zero the default
	}
	if *maxClients < 1 {
		return fmt.Errorf("--maxclients must be at least 1")
	}
	switch *debugCmd {
	case "no", "yes", "local":
	default:
		return fmt.Errorf("--enable-debug-command must be no, yes or local")
	}
	if *deprecatedAPI != "no" && *deprecatedAPI != "yes" {
		return fmt.Errorf("--lua-enable-deprecated-api must be yes or no")
	}
	var lv slog.Level
	switch *level {
	case "debug":
		lv = slog.LevelDebug
	case "verbose", "notice":
		lv = slog.LevelInfo
	case "warning":
		lv = slog.LevelWarn
	case "nothing":
		lv = slog.LevelError + 1 // above every level we log at
	default:
		return fmt.Errorf("--loglevel must be debug, verbose, notice, warning or nothing")
	}

	logger := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: lv}))
	var clientsLimit func(int) int
	if descriptorLimit != nil {
		if *maxClients, err = fitMaxClients(descriptorLimit, *maxClients, logger); err != nil {
			return err
		}
		clientsLimit = func(n int) int {
			m, err := fitMaxClients(descriptorLimit, n, logger)
			if err != nil {
				logger.Warn(err.Error())
			}
			return m
		}
	}

	srv, err := redcurrent.Run(redcurrent.Options{
		Addr:      net.JoinHostPort(*bind, strconv.Itoa(*port)),
		Password:  *pass,
		Databases: *dbs,
		Logger:    logger,

		ScriptMemoryLimit:  memLimit,
		MaxClients:         *maxClients,
		MaxClientsLimit:    clientsLimit,
		EnableDebugCommand: *debugCmd,

		LuaEnableDeprecatedAPI: *deprecatedAPI == "yes",
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "redcurrent %s (redis_version %s) ready to accept connections on %s\n",
		redcurrent.Version, server.Version, srv.Addr())
	<-ctx.Done()
	srv.Close()
	fmt.Fprintln(stdout, "redcurrent: shut down")
	return nil
}

// parseMemory reads a byte count as redis.conf does (memtoull): digits, then
// optionally a unit, case-insensitive: k, m, g are powers of 1000 and kb,
// mb, gb powers of 1024.
func parseMemory(s string) (int64, error) {
	i := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	if i == 0 {
		return 0, fmt.Errorf("%q is not a byte count (like 512mb)", s)
	}
	mul := map[string]int64{"": 1, "b": 1, "k": 1000, "kb": 1 << 10, "m": 1000 * 1000, "mb": 1 << 20,
		"g": 1000 * 1000 * 1000, "gb": 1 << 30}[strings.ToLower(s[i:])]
	n, err := strconv.ParseInt(s[:i], 10, 64)
	if mul == 0 || err != nil || n > math.MaxInt64/mul {
		return 0, fmt.Errorf("%q is not a byte count (like 512mb)", s)
	}
	return n * mul, nil
}
