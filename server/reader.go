package server

import (
	"bytes"
	"errors"
	"io"
	"math"
	"sync/atomic"

	"github.com/redcurrent/redcurrent/generated"
	"github.com/redcurrent/redcurrent/internal/sds"
)

// Request parsing follows Redis 7.0's processMultibulkBuffer and
// processInlineBuffer (networking.c), not redcon's Reader, whose error texts
// and limits differ: Redis accepts "*0" and "*-1" as empty requests, rejects
// a bulk length over proto-max-bulk-len before reading it, and splits inline
// requests with sdssplitargs.
//
// As in Redis, an unfinished request keeps its parse state (arguments still
// to come, the length of the next one, where parsing stopped), so more input
// resumes it instead of parsing it again from its start; and the buffer
// grows with the data that arrived, never with a declared length alone.

// inlineMax is PROTO_INLINE_MAX_SIZE: the longest inline request, and the
// longest count line, Redis buffers while waiting for its end.
const inlineMax = 64 * 1024

// bigArg is PROTO_MBULK_BIG_ARG: from this length on, the buffer grows to
// fit an argument exactly instead of doubling past it.
const bigArg = 32 * 1024

// readBufSize is the reader's buffer to begin with (PROTO_IOBUF_LEN), and
// the size it goes back to once a big request is done.
const readBufSize = 16 * 1024

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
	start  int // first byte of the request being parsed
	end    int // end of the data read
	argv   [][]byte
	limits readerLimits

	// beforeRead, if set, runs before next reads from rd: the replies to
	// the requests parsed so far go out before the reader waits for more.
	beforeRead func()

	// The parse state of the unfinished request at buf[start:end], with
	// offsets relative to start.
	kind  byte  // 0: none yet; '*': multibulk; 'i': inline
	scan  int   // where the search for the current line's end resumes
	nul   bool  // a NUL came before the current line's end: it never ends
	pos   int   // the next byte to parse
	left  int64 // multibulk: arguments still to read (count line read when kind == '*' and pos > 0)
	bulk  int64 // the next argument's length; -1 while its header is unread
	spans []span
	want  int // bytes from start the current argument needs to be complete (0: unknown)

	// For CLIENT LIST, read by other goroutines: the buffer's size and the
	// bytes pending in it.
	size, pending atomic.Int64

	// CLIENT LIST's tot-net-in (bytes read), read-events (reads) and the
	// pipeline counters avg-pipeline-len-sum and -cnt (8.2, #13944; 8.8,
	// #14841): the requests parsed from what one read brought in count as
	// one batch. fresh is set by a read until the first request it
	// completes is parsed.
	netIn, readEvents, batchCmds, batches atomic.Int64
	fresh                                 bool
	// total, if set, counts the same for the whole server (INFO).
	total *ioCounters
}

// span is an argument's place in the buffer, relative to the request start.
type span struct{ off, n int }

func newReader(rd io.Reader, limits readerLimits) *reader {
	r := &reader{rd: rd, buf: make([]byte, readBufSize), limits: limits, bulk: -1}
	r.size.Store(readBufSize)
	return r
}

// next returns the next non-empty request. It reads from the connection only
// when the buffer holds no complete request, after calling beforeRead.
func (r *reader) next() ([][]byte, error) {
	for {
		if r.start < r.end {
			argv, done, err := r.parse()
			if err != nil {
				return nil, err
			}
			if done {
				if len(argv) > 0 {
					if r.fresh {
						r.fresh = false
						r.batches.Add(1)
						if r.total != nil {
							r.total.batches.Add(1)
						}
					}
					r.batchCmds.Add(1)
					if r.total != nil {
						r.total.batchCmds.Add(1)
					}
					return argv, nil
				}
				continue // "*0", "*-1" or a blank inline line: nothing to run
			}
		}
		if r.beforeRead != nil {
			r.beforeRead()
		}
		if err := r.fill(); err != nil {
			return nil, err
		}
	}
}

// fill reads more input. It first makes room: an empty buffer starts over
// (at its initial size if a big request grew it); a full one moves the
// pending request to the front when that frees at least half of it, and
// otherwise doubles (toward the end of a big argument, by half at least), so
// that a big request costs O(n) copying and a declared length alone reserves
// nothing.
func (r *reader) fill() error {
	switch {
	case r.start == r.end:
		r.start, r.end = 0, 0
		if len(r.buf) > 4*readBufSize {
			r.setBuf(make([]byte, readBufSize)) // give back what a big request grew
		}
	case r.end == len(r.buf):
		pending := r.end - r.start
		if r.start > 0 && pending <= len(r.buf)/2 {
			old := r.buf
			if len(r.buf) > 4*readBufSize && pending <= len(r.buf)/4 {
				r.setBuf(make([]byte, max(readBufSize, 2*pending)))
			}
			r.end = copy(r.buf, old[r.start:r.end])
			r.start = 0
			break
		}
		size := 2 * len(r.buf)
		if r.bulk >= bigArg && r.want > pending {
			// A big argument: stop at its end rather than doubling past it
			// (still by half at least, so many big arguments in a row
			// cost O(n) too).
			size = min(size, max(r.want, len(r.buf)+len(r.buf)/2))
		}
		nb := make([]byte, max(size, pending+readBufSize/4))
		r.end = copy(nb, r.buf[r.start:r.end])
		r.start = 0
		r.setBuf(nb)
	}
	n, err := r.rd.Read(r.buf[r.end:])
	r.end += n
	if n > 0 || !isTimeout(err) { // a read-ahead's deadline (blocking.go) is no read event
		r.readEvents.Add(1)
		r.netIn.Add(int64(n))
		if r.total != nil {
			r.total.reads.Add(1)
			r.total.netIn.Add(int64(n))
		}
		r.fresh = true
	}
	r.pending.Store(int64(r.end - r.start))
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

// isTimeout reports whether err is a read deadline that passed.
func isTimeout(err error) bool {
	ne, ok := err.(interface{ Timeout() bool })
	return ok && ne.Timeout()
}

func (r *reader) setBuf(b []byte) {
	r.buf = b
	r.size.Store(int64(len(b)))
}

// parse goes on with the request at buf[start:end]. done is false when it
// needs more input; when done, the request is consumed and argv is its
// arguments (none for an empty request).
func (r *reader) parse() (argv [][]byte, done bool, err error) {
	b := r.buf[r.start:r.end]
	if r.kind == 0 {
		r.kind = 'i'
		if b[0] == '*' {
			r.kind = '*'
		}
	}
	var n int
	if r.kind == '*' {
		argv, n, err = r.parseMultibulk(b)
	} else {
		argv, n, err = r.parseInline(b)
	}
	if err != nil || n == 0 {
		return nil, false, err
	}
	r.start += n
	r.pending.Store(int64(r.end - r.start))
	r.kind, r.scan, r.nul, r.pos, r.left, r.bulk, r.want = 0, 0, false, 0, 0, -1, 0
	r.spans = r.spans[:0]
	return argv, true, nil
}

// lineEnd finds c in b from r.scan as C's strchr does on Redis's query
// buffer: a NUL byte ends the search, so a request with a NUL before its
// line end waits for more input for good, as in Redis (r.nul remembers it,
// so more input is not searched again). r.scan is left where the next search
// resumes.
func (r *reader) lineEnd(b []byte, c byte) int {
	if r.nul {
		return -1
	}
	rest := b[r.scan:]
	i := bytes.IndexByte(rest, c)
	end := i
	if i < 0 {
		end = len(rest)
	}
	if z := bytes.IndexByte(rest[:end], 0); z >= 0 {
		r.nul = true
		return -1
	}
	if i < 0 {
		r.scan = len(b)
		return -1
	}
	r.scan += i
	return r.scan
}

func (r *reader) parseMultibulk(b []byte) ([][]byte, int, error) {
	if r.pos == 0 {
		nl := r.lineEnd(b, '\r')
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
		r.pos = nl + 2 // Redis skips the byte after \r without checking it
		if count <= 0 {
			r.argv = r.argv[:0]
			return r.argv, r.pos, nil
		}
		r.left, r.bulk, r.scan = count, -1, r.pos
	}
	for r.left > 0 {
		if r.bulk < 0 {
			nl := r.lineEnd(b, '\r')
			if nl < 0 {
				if len(b)-r.pos > inlineMax {
					return nil, 0, &protocolError{"Protocol error: too big bulk count string"}
				}
				return nil, 0, nil
			}
			if nl+1 >= len(b) {
				return nil, 0, nil
			}
			if c := b[r.pos]; c != '$' {
				if c == '\r' || c == '\n' {
					c = ' ' // error texts never carry newlines
				}
				// The byte goes out as it is, as Redis's %c writes it.
				return nil, 0, &protocolError{"Protocol error: expected '$', got '" + string([]byte{c}) + "'"}
			}
			size, ok := generated.ParseInt(b[r.pos+1 : nl])
			if !ok || size < 0 || size > r.limits.protoMaxBulkLen() {
				return nil, 0, &protocolError{"Protocol error: invalid bulk length"}
			}
			if size > 16384 && r.limits.authRequired() {
				return nil, 0, &protocolError{"Protocol error: unauthenticated bulk length"}
			}
			r.bulk, r.pos = size, nl+2
		}
		if int64(len(b)-r.pos)-2 < r.bulk { // not r.bulk+2: proto-max-bulk-len may be 2^63-1
			// Not all here: say how much the argument needs, for fill to
			// grow toward as its data arrives.
			r.want = math.MaxInt
			if r.bulk < int64(math.MaxInt-2-r.pos) {
				r.want = r.pos + int(r.bulk) + 2
			}
			return nil, 0, nil
		}
		if len(r.spans) == cap(r.spans) {
			// Grow by doubling, never past the count announced (nor
			// toward it before the arguments come).
			n := min(max(2*cap(r.spans), 16), len(r.spans)+int(r.left))
			r.spans = append(make([]span, 0, n), r.spans...)
		}
		r.spans = append(r.spans, span{r.pos, int(r.bulk)})
		r.pos += int(r.bulk) + 2 // the two bytes after the data are not checked, as in Redis
		r.left--
		r.bulk, r.scan, r.want = -1, r.pos, 0
	}
	argv := r.argv[:0]
	if cap(argv) < len(r.spans) {
		argv = make([][]byte, 0, len(r.spans))
	}
	for _, sp := range r.spans {
		argv = append(argv, b[sp.off:sp.off+sp.n:sp.off+sp.n])
	}
	r.argv = argv
	return argv, r.pos, nil
}

func (r *reader) parseInline(b []byte) ([][]byte, int, error) {
	nl := r.lineEnd(b, '\n')
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
