package server

import (
	"bytes"
	"errors"
	"io"

	"github.com/redcurrent/redcurrent/generated"
	"github.com/redcurrent/redcurrent/internal/sds"
)

// Request parsing follows Redis 7.0's processMultibulkBuffer and
// processInlineBuffer (networking.c), not redcon's Reader, whose error texts
// and limits differ: Redis accepts "*0" and "*-1" as empty requests, rejects
// a bulk length over proto-max-bulk-len before reading it, and splits inline
// requests with sdssplitargs.

// inlineMax is PROTO_INLINE_MAX_SIZE: the longest inline request, and the
// longest count line, Redis buffers while waiting for its end.
const inlineMax = 64 * 1024

// protocolError is a malformed request: the reply is "-ERR " + msg and the
// connection is closed after it.
type protocolError struct{ msg string }

func (e *protocolError) Error() string { return e.msg }

// errQueryBufferLimit closes a client whose pending request outgrew
// client-query-buffer-limit. Redis sends no reply in that case.
var errQueryBufferLimit = errors.New("query buffer limit reached")

// readerLimits are read for each request, so CONFIG SET applies at once.
type readerLimits interface {
	protoMaxBulkLen() int64
	queryBufferLimit() int64
	// authRequired reports whether this connection must still AUTH: Redis
	// then refuses big requests before reading them.
	authRequired() bool
}

// reader splits a connection's input into requests. Arguments alias the
// reader's buffer and are valid until the next call to next.
type reader struct {
	rd     io.Reader
	buf    []byte
	start  int // first unparsed byte
	end    int // end of the data read
	argv   [][]byte
	limits readerLimits
}

func newReader(rd io.Reader, limits readerLimits) *reader {
	return &reader{rd: rd, buf: make([]byte, 16*1024), limits: limits}
}

// buffered reports whether a complete or partial request is already buffered,
// so the caller knows whether to flush before the next (blocking) read.
func (r *reader) buffered() bool { return r.start < r.end }

// next returns the next non-empty request. It reads from the connection only
// when the buffer holds no complete request.
func (r *reader) next() ([][]byte, error) {
	for {
		if r.start < r.end {
			argv, n, err := r.parse(r.buf[r.start:r.end])
			if err != nil {
				return nil, err
			}
			if n > 0 {
				r.start += n
				if len(argv) > 0 {
					return argv, nil
				}
				continue // "*0", "*-1" or a blank inline line: nothing to run
			}
		}
		if err := r.fill(); err != nil {
			return nil, err
		}
	}
}

// fill reads more input, first moving the unparsed bytes to the front of the
// buffer or growing it.
func (r *reader) fill() error {
	if r.start == r.end {
		r.start, r.end = 0, 0
		if len(r.buf) > 64*1024 {
			r.buf = make([]byte, 16*1024) // give back what a big request grew
		}
	} else if r.end == len(r.buf) {
		if r.start > 0 {
			r.end = copy(r.buf, r.buf[r.start:r.end])
			r.start = 0
		} else {
			nb := make([]byte, 2*len(r.buf))
			copy(nb, r.buf[:r.end])
			r.buf = nb
		}
	}
	n, err := r.rd.Read(r.buf[r.end:])
	r.end += n
	if n > 0 {
		// What is pending is one unfinished request: past the limit, the
		// client goes (readQueryFromClient checks sdslen(querybuf) after
		// every read, big arguments included).
		if int64(r.end-r.start) > r.limits.queryBufferLimit() {
			return errQueryBufferLimit
		}
		return nil
	}
	if err == nil {
		err = io.ErrNoProgress
	}
	return err
}

// parse parses one request at the start of b. n is 0 when b holds no
// complete request yet.
func (r *reader) parse(b []byte) (argv [][]byte, n int, err error) {
	if b[0] == '*' {
		return r.parseMultibulk(b)
	}
	return r.parseInline(b)
}

// line finds c in b as C's strchr does on Redis's query buffer: a NUL byte
// ends the search, so a request with a NUL before its line end waits forever
// for more input, as in Redis.
func line(b []byte, c byte) int {
	i := bytes.IndexByte(b, c)
	if i < 0 {
		return -1
	}
	if z := bytes.IndexByte(b[:i], 0); z >= 0 {
		return -1
	}
	return i
}

func (r *reader) parseMultibulk(b []byte) ([][]byte, int, error) {
	nl := line(b, '\r')
	if nl < 0 {
		if len(b) > inlineMax {
			return nil, 0, &protocolError{"Protocol error: too big mbulk count string"}
		}
		return nil, 0, nil
	}
	if nl+1 >= len(b) { // the \n is not here yet
		return nil, 0, nil
	}
	count, ok := generated.ParseInt(b[1:nl])
	if !ok || count > 1<<31-1 {
		return nil, 0, &protocolError{"Protocol error: invalid multibulk length"}
	}
	if count > 10 && r.limits.authRequired() {
		return nil, 0, &protocolError{"Protocol error: unauthenticated multibulk length"}
	}
	pos := nl + 2 // Redis skips the byte after \r without checking it
	if count <= 0 {
		return nil, pos, nil
	}
	argv := r.argv[:0]
	for i := int64(0); i < count; i++ {
		rest := b[pos:]
		nl := line(rest, '\r')
		if nl < 0 {
			if len(rest) > inlineMax {
				return nil, 0, &protocolError{"Protocol error: too big bulk count string"}
			}
			return nil, 0, nil
		}
		if nl+1 >= len(rest) {
			return nil, 0, nil
		}
		if rest[0] != '$' {
			c := rest[0]
			if c == '\r' || c == '\n' {
				c = ' ' // error texts never carry newlines
			}
			return nil, 0, &protocolError{"Protocol error: expected '$', got '" + string(c) + "'"}
		}
		size, ok := generated.ParseInt(rest[1:nl])
		if !ok || size < 0 || size > r.limits.protoMaxBulkLen() {
			return nil, 0, &protocolError{"Protocol error: invalid bulk length"}
		}
		if size > 16384 && r.limits.authRequired() {
			return nil, 0, &protocolError{"Protocol error: unauthenticated bulk length"}
		}
		data := nl + 2
		if int64(len(rest)-data) < size+2 {
			// Not all here. Make room for the whole argument now, so a big
			// value is read without repeated growing.
			if need := int64(pos+data) + size + 2; need > int64(len(r.buf)-r.start) {
				r.reserve(need)
			}
			return nil, 0, nil
		}
		argv = append(argv, rest[data:data+int(size):data+int(size)])
		pos += data + int(size) + 2 // the two bytes after the data are not checked, as in Redis
	}
	r.argv = argv
	return argv, pos, nil
}

// reserve grows the buffer so that n bytes fit from r.start.
func (r *reader) reserve(n int64) {
	if n > int64(len(r.buf)) || r.start > 0 {
		size := int64(len(r.buf))
		for size < n {
			size *= 2
		}
		nb := make([]byte, size)
		r.end = copy(nb, r.buf[r.start:r.end])
		r.start = 0
		r.buf = nb
	}
}

func (r *reader) parseInline(b []byte) ([][]byte, int, error) {
	nl := line(b, '\n')
	if nl < 0 {
		if len(b) > inlineMax {
			return nil, 0, &protocolError{"Protocol error: too big inline request"}
		}
		return nil, 0, nil
	}
	end := nl
	if end > 0 && b[end-1] == '\r' {
		end--
	}
	argv, ok := sds.SplitArgs(b[:end], r.argv[:0])
	if !ok {
		return nil, 0, &protocolError{"Protocol error: unbalanced quotes in request"}
	}
	r.argv = argv
	return argv, nl + 1, nil
}
