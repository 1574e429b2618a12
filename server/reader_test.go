package server

import (
	"bytes"
	"errors"
	"io"
	"math/rand"
	"runtime"
	"strconv"
	"strings"
	"testing"
)

// countingLimits is readerLimits that counts how often the parser asks for
// the bulk length limit: once per bulk header it parses.
type countingLimits struct {
	maxBulk, qbLimit int64
	headers          int
}

func (l *countingLimits) protoMaxBulkLen() int64  { l.headers++; return l.maxBulk }
func (l *countingLimits) queryBufferLimit() int64 { return l.qbLimit }
func (l *countingLimits) authRequired() bool      { return false }

func defaultLimits() *countingLimits {
	return &countingLimits{maxBulk: 512 << 20, qbLimit: 1 << 30}
}

// chunkReader returns its input in the given pieces, one per Read at most.
type chunkReader struct{ chunks [][]byte }

func (c *chunkReader) Read(p []byte) (int, error) {
	for len(c.chunks) > 0 && len(c.chunks[0]) == 0 {
		c.chunks = c.chunks[1:]
	}
	if len(c.chunks) == 0 {
		return 0, io.EOF
	}
	n := copy(p, c.chunks[0])
	c.chunks[0] = c.chunks[0][n:]
	return n, nil
}

func splitEvery(b []byte, size int) [][]byte {
	var out [][]byte
	for len(b) > 0 {
		n := min(size, len(b))
		out = append(out, b[:n])
		b = b[n:]
	}
	return out
}

// A big request fed 1 KB at a time is parsed once: each bulk header is read
// a single time (no reparsing from the request's start on every read), and
// the buffer grows geometrically, so the bytes allocated (buffers and the
// argument vector) stay a small multiple of the request.
func TestReaderChunkedCost(t *testing.T) {
	args := []string{"MSET"}
	for i := 0; len(args) < 100001; i++ {
		args = append(args, "key:"+strconv.Itoa(i), string(bytes.Repeat([]byte{'v'}, 100)))
	}
	req := encode(args...)
	if len(req) < 5<<20 {
		t.Fatalf("request of %d bytes", len(req))
	}
	lim := defaultLimits()
	r := newReader(&chunkReader{splitEvery(req, 1024)}, lim)
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	argv, err := r.next()
	runtime.ReadMemStats(&after)
	if err != nil {
		t.Fatal(err)
	}
	if len(argv) != len(args) || string(argv[len(argv)-1]) != args[len(args)-1] {
		t.Fatalf("got %d arguments", len(argv))
	}
	if lim.headers != len(args) {
		t.Errorf("%d bulk headers parsed for %d arguments", lim.headers, len(args))
	}
	alloc := after.TotalAlloc - before.TotalAlloc
	t.Logf("%d bytes allocated for a %d-byte request", alloc, len(req))
	if alloc > uint64(5*len(req)) {
		t.Errorf("%d bytes allocated for a %d-byte request", alloc, len(req))
	}
}

// Headers that announce big arguments reserve nothing before the bytes
// arrive: eight readers that have read only such a header keep their
// initial buffer and allocate next to nothing.
func TestReaderBulkHeaderAmplification(t *testing.T) {
	header := []byte("*3\r\n$3\r\nSET\r\n$3\r\nkey\r\n$536870912\r\n")
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	for i := 0; i < 8; i++ {
		r := newReader(&chunkReader{[][]byte{bytes.Clone(header)}}, defaultLimits())
		if _, err := r.next(); err != io.EOF {
			t.Fatalf("got %v, want EOF", err)
		}
		if len(r.buf) > readBufSize {
			t.Fatalf("buffer of %d bytes after the header", len(r.buf))
		}
	}
	runtime.ReadMemStats(&after)
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 1<<20 {
		t.Fatalf("%d bytes allocated for 8 headers", alloc)
	}
	// Once the data comes, the argument is read whole.
	big := bytes.Repeat([]byte{'x'}, 3<<20)
	in := append(append(bytes.Clone(header[:len(header)-len("$536870912\r\n")]), "$3145728\r\n"...), big...)
	in = append(in, "\r\n"...)
	r := newReader(&chunkReader{splitEvery(in, 1000)}, defaultLimits())
	argv, err := r.next()
	if err != nil || !bytes.Equal(argv[2], big) {
		t.Fatalf("big argument: %v", err)
	}
	if len(r.buf) > 2*len(in) {
		t.Fatalf("buffer of %d bytes for a %d-byte request", len(r.buf), len(in))
	}
}

// parseAll runs a reader over the chunks until it stops, returning each
// request (joined by NUL-free quoting) and how it stopped.
func parseAll(t testing.TB, chunks [][]byte) (reqs []string, end string) {
	r := newReader(&chunkReader{chunks}, defaultLimits())
	for {
		argv, err := r.next()
		if err != nil {
			var pe *protocolError
			switch {
			case errors.As(err, &pe):
				end = "protocol error: " + pe.msg
			case err == io.EOF:
				end = "EOF"
			default:
				end = err.Error()
			}
			// However the input came, the buffer holds at most what was
			// pending, grown geometrically, or its initial size.
			if len(r.buf) > max(readBufSize, 3*(r.end-r.start)+readBufSize) {
				t.Fatalf("buffer of %d bytes with %d pending", len(r.buf), r.end-r.start)
			}
			return reqs, end
		}
		var b []byte
		for _, a := range argv {
			b = strconv.AppendQuote(b, string(a))
			b = append(b, ' ')
		}
		reqs = append(reqs, string(b))
	}
}

func checkSplits(t *testing.T, in []byte) {
	if len(in) > 32<<10 {
		return // past the inline limits, when the error comes depends on read sizes (as in Redis)
	}
	wantReqs, wantEnd := parseAll(t, [][]byte{bytes.Clone(in)})
	same := func(how string, chunks [][]byte) {
		reqs, end := parseAll(t, chunks)
		if end != wantEnd || len(reqs) != len(wantReqs) {
			t.Fatalf("%s: %d requests then %q; whole: %d then %q", how, len(reqs), end, len(wantReqs), wantEnd)
		}
		for i := range reqs {
			if reqs[i] != wantReqs[i] {
				t.Fatalf("%s: request %d is %s; whole: %s", how, i, reqs[i], wantReqs[i])
			}
		}
	}
	if len(in) <= 256 {
		for i := 1; i < len(in); i++ {
			same("split at "+strconv.Itoa(i), [][]byte{bytes.Clone(in[:i]), bytes.Clone(in[i:])})
		}
	}
	same("byte by byte", splitEvery(bytes.Clone(in), 1))
	rng := rand.New(rand.NewSource(int64(len(in))))
	var chunks [][]byte
	for rest := bytes.Clone(in); len(rest) > 0; {
		n := 1 + rng.Intn(min(len(rest), 64))
		chunks, rest = append(chunks, rest[:n]), rest[n:]
	}
	same("random pieces", chunks)
}

// FuzzReader checks that the requests, and the protocol error that ends
// them, do not depend on how the input was split into reads.
func FuzzReader(f *testing.F) {
	for _, s := range []string{
		"PING\r\n",
		"PING\r\n\r\nECHO a\n\n*0\r\n*-1\r\n*1\r\n$4\r\nPING\r\n",
		"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$5\r\nhello\r\n*2\r\n$3\r\nGET\r\n$1\r\nk\r\nPI",
		"*1\r\n$4\r\nPINGxx*1\r\n$4\r\nPING\r\n",
		"*3\r\n$3\r\nSET\r\n$3\r\nkey\r\n$536870912\r\n",
		"*1\r\n\xe9\r\n",
		"*x\r\n",
		"*1\r\n$-1\r\n",
		"*2\r\n$1\r\na\r\n$x\r\n",
		"ECHO \"a\\x41\\n\" 'it\\'s'\r\nPING \"a\r\n",
		"PING\x00\r\nPING\r\n",
		"*1\x00\r\n",
		"*2\r\n$4\r\nECHO\r\n$0\r\n\r\n*3000000000\r\n",
		"  \r\n\tPING  \r\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(checkSplits)
}

// The reader counts what CLIENT LIST shows as tot-net-in (bytes read),
// read-events (reads) and avg-pipeline-len-sum/-cnt: the requests parsed
// from what one read brought in are one batch; a request split over reads
// counts in the read that completes it; an empty request counts nowhere.
func TestReaderCounters(t *testing.T) {
	three := encode("PING")
	three = append(three, encode("SET", "k", "v")...)
	three = append(three, encode("GET", "k")...)
	split := encode("ECHO", "hello")
	chunks := [][]byte{three, split[:7], split[7:], []byte("*0\r\n"), encode("PING")}
	total := 0
	for _, c := range chunks {
		total += len(c)
	}
	r := newReader(&chunkReader{chunks}, defaultLimits())
	for range 5 { // PING SET GET ECHO PING
		if _, err := r.next(); err != nil {
			t.Fatal(err)
		}
	}
	got := [4]int64{r.netIn.Load(), r.readEvents.Load(), r.batchCmds.Load(), r.batches.Load()}
	want := [4]int64{int64(total), 5, 5, 3}
	if got != want {
		t.Fatalf("tot-net-in, read-events, batch commands, batches = %v, want %v", got, want)
	}
}

// A bulk length near 2^63 (proto-max-bulk-len may be that large) waits for
// its data instead of overflowing into a slice panic (found in review).
func TestReaderHugeBulkLength(t *testing.T) {
	r := newReader(strings.NewReader("*1\r\n$9223372036854775807\r\nabc\r\n"), hugeLimits{})
	if argv, err := r.next(); err == nil {
		t.Fatalf("got a request %q from a bulk that never arrived", argv)
	}
	if cap(r.buf) > 1<<20 {
		t.Fatalf("buffer grew to %d bytes", cap(r.buf))
	}
}

type hugeLimits struct{}

func (hugeLimits) protoMaxBulkLen() int64  { return 1<<63 - 1 }
func (hugeLimits) queryBufferLimit() int64 { return 1 << 30 }
func (hugeLimits) authRequired() bool      { return false }
