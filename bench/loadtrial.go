//go:build ignore

// loadtrial runs the heavy-pipelining and hostile-input cases of issue 9 on
// redis-server and on redcurrent in one run, each server in its own process
// on a free loopback port:
//
//	go run bench/loadtrial.go [-redis redis-server] [-n 1000000]
//
// Cases: a go-redis pipeline of n INCRs; 300k pipelined GETs of a 100-byte
// value; 500k pipelined XADDs (counted with XLEN); the server's RSS (VmRSS)
// before and after 8 connections each sent a bulk header announcing 512 MB;
// the server CPU time (utime+stime) of a 5.9 MB MSET sent in 1 KB writes.
package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
)

func main() {
	redisBin := flag.String("redis", "redis-server", "reference server binary")
	n := flag.Int("n", 1000000, "commands in the go-redis pipeline")
	flag.Parse()
	tmp, err := os.MkdirTemp("", "loadtrial")
	check(err)
	defer os.RemoveAll(tmp)
	rc := filepath.Join(tmp, "redcurrent")
	build := exec.Command("go", "build", "-o", rc, "./cmd/redcurrent")
	build.Stderr = os.Stderr
	check(build.Run())

	for _, srv := range []struct{ name, bin string }{{"redis-server", *redisBin}, {"redcurrent", rc}} {
		port := freePort()
		var cmd *exec.Cmd
		if srv.name == "redis-server" {
			cmd = exec.Command(srv.bin, "--port", strconv.Itoa(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", tmp)
		} else {
			cmd = exec.Command(srv.bin, "--port", strconv.Itoa(port), "--loglevel", "warning")
		}
		check(cmd.Start())
		addr := "127.0.0.1:" + strconv.Itoa(port)
		waitUp(addr)
		fmt.Printf("== %s (pid %d)\n", srv.name, cmd.Process.Pid)
		trial(addr, cmd.Process.Pid, *n)
		cmd.Process.Kill()
		cmd.Wait()
	}
}

func trial(addr string, pid, n int) {
	ctx := context.Background()
	rdb := redis.NewClient(&redis.Options{Addr: addr, ReadTimeout: 60 * time.Second, WriteTimeout: 60 * time.Second})
	defer rdb.Close()

	// 1. A go-redis pipeline of n commands.
	start := time.Now()
	_, err := rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		for i := 0; i < n; i++ {
			p.Incr(ctx, "counter")
		}
		return nil
	})
	d := time.Since(start)
	got, _ := rdb.Get(ctx, "counter").Int()
	fmt.Printf("go-redis pipeline of %d INCR: %v, err=%v, counter=%d\n", n, d.Round(time.Millisecond), err, got)

	// 2. 300k pipelined GETs of a 100-byte value.
	check(rdb.Set(ctx, "v100", strings.Repeat("x", 100), 0).Err())
	start = time.Now()
	cmds, err := rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		for i := 0; i < 300000; i++ {
			p.Get(ctx, "v100")
		}
		return nil
	})
	d = time.Since(start)
	ok := 0
	for _, c := range cmds {
		if c.(*redis.StringCmd).Val() != "" {
			ok++
		}
	}
	fmt.Printf("300000 pipelined GET of 100 bytes: %v, err=%v, answered=%d\n", d.Round(time.Millisecond), err, ok)

	// 3. 500k pipelined XADDs.
	start = time.Now()
	_, err = rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		for i := 0; i < 500000; i++ {
			p.XAdd(ctx, &redis.XAddArgs{Stream: "s", Values: []string{"f", "v"}})
		}
		return nil
	})
	d = time.Since(start)
	xlen, _ := rdb.XLen(ctx, "s").Result()
	fmt.Printf("500000 pipelined XADD: %v, err=%v, XLEN=%d\n", d.Round(time.Millisecond), err, xlen)

	// 4. RSS after 8 connections each sent an oversized bulk header.
	before := rss(pid)
	header := "*3\r\n$3\r\nSET\r\n$3\r\nkey\r\n$536870912\r\n"
	var conns []net.Conn
	for i := 0; i < 8; i++ {
		c, err := net.Dial("tcp", addr)
		check(err)
		conns = append(conns, c)
		_, err = c.Write([]byte(header))
		check(err)
	}
	// Wait until the server has read all eight headers (CLIENT LIST qbuf).
	deadline := time.Now().Add(10 * time.Second)
	for {
		list, _ := rdb.ClientList(ctx).Result()
		if strings.Count(list, "qbuf="+strconv.Itoa(len(header))+" ") >= 8 || time.Now().After(deadline) {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	after := rss(pid)
	for _, c := range conns {
		c.Close()
	}
	fmt.Printf("VmRSS before / after 8 headers of $536870912: %d kB / %d kB\n", before, after)

	// 5. Server CPU for a 5.9 MB MSET sent in 1 KB writes.
	args := []string{"MSET"}
	for i := 0; len(args) < 100001; i++ {
		args = append(args, "key:"+strconv.Itoa(i), strings.Repeat("v", 96))
	}
	req := encode(args...)
	c, err := net.Dial("tcp", addr)
	check(err)
	cpu0 := cpuTime(pid)
	for off := 0; off < len(req); off += 1024 {
		_, err := c.Write(req[off:min(off+1024, len(req))])
		check(err)
	}
	buf := make([]byte, 16)
	c.SetReadDeadline(time.Now().Add(60 * time.Second))
	m, err := c.Read(buf)
	cpu := cpuTime(pid) - cpu0
	c.Close()
	fmt.Printf("MSET of %d bytes in 1 KB writes: reply %q err=%v, server CPU %v\n", len(req), buf[:m], err, cpu)
}

func encode(args ...string) []byte {
	var b []byte
	b = append(b, '*')
	b = strconv.AppendInt(b, int64(len(args)), 10)
	b = append(b, "\r\n"...)
	for _, a := range args {
		b = append(b, '$')
		b = strconv.AppendInt(b, int64(len(a)), 10)
		b = append(b, "\r\n"...)
		b = append(b, a...)
		b = append(b, "\r\n"...)
	}
	return b
}

// rss is the process's VmRSS in kB.
func rss(pid int) int {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	check(err)
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			n, _ := strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(v), " kB"))
			return n
		}
	}
	return -1
}

// cpuTime is the process's utime+stime.
func cpuTime(pid int) time.Duration {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	check(err)
	f := strings.Fields(string(b[bytes.LastIndexByte(b, ')')+2:]))
	ut, _ := strconv.Atoi(f[11])
	st, _ := strconv.Atoi(f[12])
	return time.Duration(ut+st) * 10 * time.Millisecond // USER_HZ = 100
}

func freePort() int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	check(err)
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

func waitUp(addr string) {
	for i := 0; i < 200; i++ {
		if c, err := net.Dial("tcp", addr); err == nil {
			c.Close()
			return
		}
		time.Sleep(25 * time.Millisecond)
	}
	panic("server did not start on " + addr)
}

func check(err error) {
	if err != nil {
		panic(err)
	}
}
