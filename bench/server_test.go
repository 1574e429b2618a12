// Package bench measures redcurrent end to end: commands sent over a real
// loopback socket to an in-process server. bench/run.sh compares it with
// redis-server using redis-benchmark.
//
//	go test -run='^$' -bench=. -benchmem ./bench/
package bench

import (
	"bufio"
	"bytes"
	"fmt"
	"net"
	"strconv"
	"testing"

	"github.com/redcurrent/redcurrent"
)

// conn is a bare RESP client: the benchmark measures the server, not a client
// library's allocations.
type conn struct {
	c net.Conn
	r *bufio.Reader
}

func dial(b *testing.B, addr string) *conn {
	c, err := net.Dial("tcp", addr)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { c.Close() })
	return &conn{c: c, r: bufio.NewReaderSize(c, 64<<10)}
}

func encode(args ...string) []byte {
	var buf []byte
	buf = append(buf, '*')
	buf = strconv.AppendInt(buf, int64(len(args)), 10)
	buf = append(buf, "\r\n"...)
	for _, a := range args {
		buf = append(buf, '$')
		buf = strconv.AppendInt(buf, int64(len(a)), 10)
		buf = append(buf, "\r\n"...)
		buf = append(buf, a...)
		buf = append(buf, "\r\n"...)
	}
	return buf
}

// skipReply reads one reply of the shapes these commands return (+, -, :, $).
func (c *conn) skipReply(b *testing.B) {
	line, err := c.r.ReadSlice('\n')
	if err != nil {
		b.Fatal(err)
	}
	switch line[0] {
	case '-':
		b.Fatalf("error reply: %q", line)
	case '$':
		n, _ := strconv.Atoi(string(bytes.TrimSpace(line[1:])))
		if n >= 0 {
			if _, err := c.r.Discard(n + 2); err != nil {
				b.Fatal(err)
			}
		}
	}
}

// run sends b.N copies of cmd in batches of pipeline and reads every reply.
func run(b *testing.B, pipeline int, args ...string) {
	srv, err := redcurrent.Run(redcurrent.Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(srv.Close)
	c := dial(b, srv.Addr())
	srv.Set("key", "value-of-sixteen")
	one := encode(args...)
	batch := bytes.Repeat(one, pipeline)
	b.ReportAllocs()
	b.ResetTimer()
	for sent := 0; sent < b.N; sent += pipeline {
		n := min(pipeline, b.N-sent)
		if _, err := c.c.Write(batch[:n*len(one)]); err != nil {
			b.Fatal(err)
		}
		for i := 0; i < n; i++ {
			c.skipReply(b)
		}
	}
}

func BenchmarkServer(b *testing.B) {
	cmds := []struct {
		name string
		args []string
	}{
		{"PING", []string{"PING"}},
		{"GET", []string{"GET", "key"}},
		{"SET", []string{"SET", "key", "value-of-sixteen"}},
		{"INCR", []string{"INCR", "counter"}},
		{"XADD", []string{"XADD", "stream", "*", "field", "value"}},
	}
	for _, cmd := range cmds {
		for _, p := range []int{1, 16} {
			b.Run(fmt.Sprintf("%s/P=%d", cmd.name, p), func(b *testing.B) { run(b, p, cmd.args...) })
		}
	}
}
