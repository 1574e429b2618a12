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

// BenchmarkConsume is one message through a consumer group: XADD, then
// XREADGROUP COUNT 1 ">" and XACK of what it read, pipelined per op
// (three commands, three replies).
func BenchmarkConsume(b *testing.B) {
	srv, err := redcurrent.Run(redcurrent.Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(srv.Close)
	c := dial(b, srv.Addr())
	c.c.Write(encode("XGROUP", "CREATE", "s", "g", "$", "MKSTREAM"))
	c.skipReply(b)
	read := encode("XREADGROUP", "GROUP", "g", "c", "COUNT", "1", "STREAMS", "s", ">")
	var buf, id []byte
	b.ReportAllocs()
	b.ResetTimer()
	for i := 1; i <= b.N; i++ {
		// Built in place so the client allocates nothing: what
		// ReportAllocs counts is the server's.
		id = append(strconv.AppendInt(id[:0], int64(i), 10), "-0"...)
		buf = appendCommand(buf[:0], []byte("XADD"), []byte("s"), id, []byte("field"), []byte("value"))
		buf = append(buf, read...)
		buf = appendCommand(buf, []byte("XACK"), []byte("s"), []byte("g"), id)
		if _, err := c.c.Write(buf); err != nil {
			b.Fatal(err)
		}
		c.skipReply(b)     // XADD: the ID
		c.skipAggregate(b) // XREADGROUP: [[s, [[id, [field, value]]]]]
		c.skipReply(b)     // XACK: 1
	}
}

// appendCommand appends a RESP multibulk request to dst.
func appendCommand(dst []byte, args ...[]byte) []byte {
	dst = append(dst, '*')
	dst = strconv.AppendInt(dst, int64(len(args)), 10)
	dst = append(dst, "\r\n"...)
	for _, a := range args {
		dst = append(dst, '$')
		dst = strconv.AppendInt(dst, int64(len(a)), 10)
		dst = append(dst, "\r\n"...)
		dst = append(dst, a...)
		dst = append(dst, "\r\n"...)
	}
	return dst
}

// skipAggregate reads one reply of any nesting made of arrays, maps and
// bulk strings (the XREADGROUP shape in RESP2).
func (c *conn) skipAggregate(b *testing.B) {
	line, err := c.r.ReadSlice('\n')
	if err != nil {
		b.Fatal(err)
	}
	switch line[0] {
	case '*':
		n, _ := strconv.Atoi(string(bytes.TrimSpace(line[1:])))
		for i := 0; i < n; i++ {
			c.skipAggregate(b)
		}
	case '$':
		n, _ := strconv.Atoi(string(bytes.TrimSpace(line[1:])))
		if n >= 0 {
			c.r.Discard(n + 2)
		}
	case '-':
		b.Fatalf("error reply: %q", line)
	}
}
