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
	"net"
	"os"
	"os/signal"
	"strconv"
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
	level := fs.String("loglevel", "notice", "debug, verbose, notice or warning")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	if *dbs < 1 {
		return fmt.Errorf("--databases must be at least 1")
	}
	var lv slog.Level
	switch *level {
	case "debug":
		lv = slog.LevelDebug
	case "verbose", "notice":
		lv = slog.LevelInfo
	case "warning":
		lv = slog.LevelWarn
	default:
		return fmt.Errorf("--loglevel must be debug, verbose, notice or warning")
	}

	srv, err := redcurrent.Run(redcurrent.Options{
		Addr:      net.JoinHostPort(*bind, strconv.Itoa(*port)),
		Password:  *pass,
		Databases: *dbs,
		Logger:    slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: lv})),
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
