package redcurrent_test

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redcurrent/redcurrent"
	"github.com/redcurrent/redcurrent/internal/difftest"
)

var (
	randomSeed  = flag.Uint64("stream.seed", 20261125, "seed for TestRandomStreamOps (0: a new one, logged)")
	randomSteps = flag.Int("stream.steps", 3000, "commands per run of TestRandomStreamOps")
	randomAvoid = flag.String("stream.avoid", "", "comma-separated features TestRandomStreamOps leaves out, to explore past a known defect: "+
		"force (XCLAIM FORCE), flush (FLUSHALL, FLUSHDB, SWAPDB), setid (XGROUP SETID while a reader waits), "+
		"settype (SET over a stream), multi (MULTI/EXEC around a few commands)")
)

// TestRandomStreamOps sends the same seeded random sequence of stream
// commands to the newest reference redis-server (the Redis 8 build of
// $REDCURRENT_REDIS8_SERVER when set, else redis-server 7.0) and to
// redcurrent, and requires every reply to be byte for byte the same, then
// the final state (XRANGE, XINFO STREAM, GROUPS, CONSUMERS, XPENDING and
// XINFO STREAM FULL in RESP2 and RESP3). The generator (streamGen) uses
// every option of every stream command Redis 8.0 has.
//
// With the Redis 8 reference, three reader connections per server also run
// XREAD and XREADGROUP with BLOCK, and the main connection runs FLUSHALL,
// FLUSHDB, SWAPDB, DEL, RENAME, MOVE, COPY ... REPLACE, SET and CLIENT
// UNBLOCK while they wait, now and then a few commands inside MULTI/EXEC:
// after every step the servers must have answered the same readers with
// the same replies.
//
// Times are real on both servers (redcurrent's clock follows the wall clock
// unless a test stops it): seen-time, active-time, idle, inactive and PEL
// delivery times are compared within a tolerance the test measures (see
// sameTimes); every other value is compared exactly. Only against the 7.0
// reference are entries-read, lag, active-time and inactive left out, which
// Redis 7.2 and 8.x changed or added, and seen-time and idle, which 7.2
// updates otherwise (see maskFor70).
//
//	go test -run TestRandomStreamOps -stream.steps=50000 -stream.seed=42 .
func TestRandomStreamOps(t *testing.T) {
	ep, v8, err := newestReference()
	if err != nil {
		if errors.Is(err, difftest.ErrNoRedis) && os.Getenv("REDCURRENT_REQUIRE_REDIS") != "1" {
			t.Skipf("skipped, %v (set REDCURRENT_REQUIRE_REDIS=1 to fail instead)", err)
		}
		t.Fatal(err)
	}
	seed := *randomSeed
	if seed == 0 {
		seed = uint64(time.Now().UnixNano())
	}
	t.Logf("seed %d, %d steps against %s (rerun: -stream.seed=%d)", seed, *randomSteps, ep.Name, seed)

	srv := redcurrent.RunT(t)
	r := &streamRun{t: t, seed: seed, v8: v8, refName: ep.Name, done: make(chan struct{}),
		notify: [2]chan struct{}{make(chan struct{}, 1), make(chan struct{}, 1)}}
	defer close(r.done)
	addrs := [2]string{ep.Addr, srv.Addr()}
	for i, addr := range addrs {
		r.main[i] = dialRaw(t, addr, 10*time.Second)
		r.ctl[i] = dialRaw(t, addr, 10*time.Second)
		mustDoRaw(t, r.main[i], "FLUSHALL")
		// Small nodes so trims cross node boundaries often; restored at the end.
		mustDoRaw(t, r.main[i], "CONFIG", "SET", "stream-node-max-entries", "8")
	}
	defer func() {
		for _, c := range r.main {
			c.Do("CONFIG", "SET", "stream-node-max-entries", "100")
			c.Do("FLUSHALL")
		}
	}()
	if v8 {
		for n := 1; n <= genReaders; n++ {
			r.readers = append(r.readers, r.newReader(n, 2+(n-1)%2, addrs))
		}
	}

	g := newStreamGen(seed, v8)
	for _, f := range strings.Split(*randomAvoid, ",") {
		switch f {
		case "":
		case "force", "flush", "setid", "settype", "multi":
			g.avoid[f] = true
			t.Logf("leaving out %s (-stream.avoid)", f)
		default:
			t.Fatalf("-stream.avoid: unknown feature %q", f)
		}
	}
	// XREAD's "+" (Redis 7.4) reads the last entry, but before
	// redis/redis#13632 (after 8.0-m01, which reports 7.9.224) it read
	// after last-generated-id minus one, so nothing once the last entry was
	// deleted or XSETID moved that ID on. redcurrent follows the fix; the
	// generator uses "+" only with a reference that has it too.
	version := r.refVersion()
	g.plus = versionAtLeast(version, 8, 0, 0)
	// Redis 8.2 caps ENTRIESREAD at entries-added (redis/redis#14257,
	// #14259), as redcurrent does; before, a larger value was kept and lag
	// went negative. Against an older reference, ENTRIESREAD stays within
	// entries-added, which the generator asks the reference.
	if !versionAtLeast(version, 8, 2, 0) {
		g.entriesAdded = r.refEntriesAdded
	}
	for step := 0; step < *randomSteps; step++ {
		r.step = step
		op := g.next(r.freeReaders())
		if op.reader > 0 {
			r.block(r.readers[op.reader-1], op.argv)
		} else {
			r.do(op.argv)
		}
	}
	r.step = *randomSteps
	if g.inMulti > 0 {
		r.do([]string{"EXEC"})
	}
	// Whoever still waits is let go, and must be answered alike.
	for _, rd := range r.readers {
		if rd.argv != nil {
			r.do([]string{"CLIENT", "UNBLOCK", readerRef(rd.n)})
		}
	}
	// The final state of every key, in RESP2 and RESP3.
	for _, db := range []string{"0", "1"} {
		if !v8 && db == "1" {
			break // only SWAPDB and MOVE (v8 runs) write database 1
		}
		r.do([]string{"SELECT", db})
		for _, key := range g.keys {
			r.finalState(key, r.main)
		}
	}
	r.do([]string{"SELECT", "0"})
	var conns3 [2]*difftest.Conn
	for i, addr := range addrs {
		conns3[i] = dialRaw(t, addr, 10*time.Second)
		mustDoRaw(t, conns3[i], "HELLO", "3")
	}
	for _, key := range g.keys {
		r.finalState(key, conns3)
	}
	t.Logf("%d steps: %d blocking reads, %d answered; largest step window %v", *randomSteps, r.blocks, r.answered, r.maxWindow)
}

// refEntriesAdded is key's entries-added on the reference (0 when it is no
// stream), asked outside the history: XINFO STREAM changes nothing.
func (r *streamRun) refEntriesAdded(key string) int {
	raw, err := r.ctl[0].Do("XINFO", "STREAM", key)
	if err != nil {
		r.t.Fatal(err)
	}
	v, err := difftest.ParseReply(raw)
	if err != nil {
		r.t.Fatal(err)
	}
	if x := kvField(&v, "entries-added"); x != nil {
		n, _ := strconv.Atoi(x.Str)
		return n
	}
	return 0
}

// kvField is the value of key name in a RESP3 map or a RESP2 flat
// key/value array, or nil.
func kvField(v *difftest.Value, name string) *difftest.Value {
	if v.Type != '%' && v.Type != '*' {
		return nil
	}
	for i := 0; i+1 < len(v.Elems); i += 2 {
		if k := v.Elems[i]; (k.Type == '$' || k.Type == '+') && k.Str == name {
			return &v.Elems[i+1]
		}
	}
	return nil
}

// refVersion is the reference's redis_version.
func (r *streamRun) refVersion() string {
	raw, err := r.ctl[0].Do("INFO", "server")
	if err != nil {
		r.t.Fatal(err)
	}
	m := regexp.MustCompile(`redis_version:([0-9.]+)`).FindSubmatch(raw)
	if m == nil {
		r.t.Fatalf("INFO server has no redis_version: %q", raw)
	}
	return string(m[1])
}

// versionAtLeast reports whether version v ("7.9.224") is at least x.y.z.
func versionAtLeast(v string, x, y, z int) bool {
	var p [3]int
	for i, f := range strings.SplitN(v, ".", 3) {
		p[i], _ = strconv.Atoi(f)
	}
	return slices.Compare(p[:], []int{x, y, z}) >= 0
}

// newestReference is the Redis 8 reference when $REDCURRENT_REDIS8_SERVER
// names one, else the first reference; v8 says which.
func newestReference() (ep difftest.Endpoint, v8 bool, err error) {
	ep, err = ref8.Endpoint()
	if err == nil {
		return ep, true, nil
	}
	if !errors.Is(err, difftest.ErrNoRedis8) {
		return ep, false, err
	}
	ep, err = ref.Endpoint()
	return ep, false, err
}

func dialRaw(t *testing.T, addr string, timeout time.Duration) *difftest.Conn {
	t.Helper()
	c, err := difftest.Dial(addr, timeout)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func mustDoRaw(t *testing.T, c *difftest.Conn, args ...string) {
	t.Helper()
	r, err := c.Do(args...)
	if err != nil || bytes.HasPrefix(r, []byte("-")) {
		t.Fatalf("%q: %q %v", args, r, err)
	}
}

// genReaders is how many reader connections each server gets.
const genReaders = 3

// streamRun is one run of TestRandomStreamOps: the connections to the two
// servers (index 0: the reference, 1: redcurrent) and what has been sent.
type streamRun struct {
	t       *testing.T
	seed    uint64
	v8      bool
	refName string
	step    int
	main    [2]*difftest.Conn
	ctl     [2]*difftest.Conn // INFO and XINFO outside the history (and outside MULTI)
	readers []*streamReader
	done    chan struct{}
	// notify[i] has a value when a reader got a reply from server i.
	notify  [2]chan struct{}
	history []histEntry
	// maxWindow is the longest time from the first write of a step to its
	// last read: each server's clock read for the step falls within it.
	maxWindow time.Duration
	blocks    int // blocking reads that blocked
	answered  int // ... and were answered later
}

type histEntry struct {
	step   int
	reader int // 0: the main connection
	argv   []string
}

func (h histEntry) String() string {
	if h.reader > 0 {
		return fmt.Sprintf("step %d, reader %d: %q", h.step, h.reader, h.argv)
	}
	return fmt.Sprintf("step %d: %q", h.step, h.argv)
}

// streamReader is a connection per server for blocking reads. A goroutine
// per connection reads its replies into got.
type streamReader struct {
	n     int
	proto int
	conns [2]*difftest.Conn
	ids   [2]string // CLIENT ID on each server
	got   [2]chan readResult
	// argv is the blocking command waiting on both servers, since step;
	// nil when the reader is free.
	argv []string
	step int
	// pending holds a reply taken from got and not yet compared.
	pending [2]*readResult
}

type readResult struct {
	raw []byte
	err error
}

// readerRef is the placeholder of reader n's client ID in a command.
func readerRef(n int) string { return fmt.Sprintf("{reader:%d}", n) }

var readerRefArg = regexp.MustCompile(`^\{reader:(\d)\}$`)

func (r *streamRun) newReader(n, proto int, addrs [2]string) *streamReader {
	rd := &streamReader{n: n, proto: proto}
	for i, addr := range addrs {
		// An idle reader waits for as long as the run lasts: the wait for
		// its replies has its own deadline (readerDeadline).
		c := dialRaw(r.t, addr, time.Hour)
		if proto == 3 {
			mustDoRaw(r.t, c, "HELLO", "3")
		}
		raw, err := c.Do("CLIENT", "ID")
		if err != nil || len(raw) < 4 || raw[0] != ':' {
			r.t.Fatalf("CLIENT ID: %q %v", raw, err)
		}
		rd.conns[i], rd.ids[i] = c, string(raw[1:len(raw)-2])
		ch := make(chan readResult, 4)
		rd.got[i] = ch
		go func() {
			for {
				raw, err := c.Read()
				select {
				case ch <- readResult{raw, err}:
				case <-r.done:
					return
				}
				select {
				case r.notify[i] <- struct{}{}:
				default:
				}
				if err != nil {
					return
				}
			}
		}()
	}
	return rd
}

func (r *streamRun) freeReaders() []int {
	var free []int
	for _, rd := range r.readers {
		if rd.argv == nil {
			free = append(free, rd.n)
		}
	}
	return free
}

func (r *streamRun) busyReaders() int {
	n := 0
	for _, rd := range r.readers {
		if rd.argv != nil {
			n++
		}
	}
	return n
}

// argvFor is argv as sent to server i: reader placeholders become that
// server's client IDs.
func (r *streamRun) argvFor(i int, argv []string) []string {
	var out []string
	for j, a := range argv {
		if m := readerRefArg.FindStringSubmatch(a); m != nil {
			if out == nil {
				out = slices.Clone(argv)
			}
			n, _ := strconv.Atoi(m[1])
			out[j] = r.readers[n-1].ids[i]
		}
	}
	if out == nil {
		return argv
	}
	return out
}

// do runs one command on the main connections, compares the replies, then
// the replies of blocked readers it answered.
func (r *streamRun) do(argv []string) {
	r.t.Helper()
	r.history = append(r.history, histEntry{step: r.step, argv: argv})
	start := time.Now()
	for i, c := range r.main {
		if err := c.Send(r.argvFor(i, argv)...); err != nil {
			r.t.Fatalf("seed %d step %d %q: %v", r.seed, r.step, argv, err)
		}
	}
	var replies [2][]byte
	for i, c := range r.main {
		raw, err := c.Read()
		if err != nil {
			r.t.Fatalf("seed %d step %d %q: %s: %v", r.seed, r.step, argv, r.serverName(i), err)
		}
		replies[i] = raw
	}
	r.maxWindow = max(r.maxWindow, time.Since(start))
	r.compare(argv, 0, 2, replies)
	if r.busyReaders() > 0 {
		r.collectAnswered(argv)
	}
}

func (r *streamRun) serverName(i int) string {
	if i == 0 {
		return r.refName
	}
	return "redcurrent"
}

// compare fails the test unless the two replies to argv (on the main
// connection, or reader n) are the same after sameTimes and, against 7.0,
// maskFor70.
func (r *streamRun) compare(argv []string, reader, proto int, replies [2][]byte) {
	r.t.Helper()
	var vs [2]difftest.Value
	for i, raw := range replies {
		v, err := difftest.ParseReply(raw)
		if err != nil {
			r.t.Fatalf("seed %d step %d %q: %s: %v", r.seed, r.step, argv, r.serverName(i), err)
		}
		vs[i] = v
	}
	if !r.v8 {
		maskFor70(&vs[0])
		maskFor70(&vs[1])
	}
	tol := r.timeTolerance()
	sameTimes(&vs[0], &vs[1], tol)
	a, b := vs[0].Encode(nil), vs[1].Encode(nil)
	if bytes.Equal(a, b) {
		return
	}
	where := ""
	if reader > 0 {
		where = fmt.Sprintf(" (reader %d, RESP%d)", reader, proto)
	}
	normalized := ""
	if !bytes.Equal(a, replies[0]) || !bytes.Equal(b, replies[1]) {
		masked := ""
		if !r.v8 {
			masked = ", entries-read, lag, seen-time, idle, active-time and inactive masked"
		}
		normalized = fmt.Sprintf("\n after normalizing (times within %dms%s):\n %-13s %q\n redcurrent:   %q",
			tol, masked, r.refName+":", a, b)
	}
	r.t.Fatalf("seed %d step %d%s: %q\n %s\n %-13s %q\n redcurrent:   %q%s\n%s",
		r.seed, r.step, where, argv, firstByteDiff(a, b), r.refName+":", replies[0], replies[1], normalized, r.past(argv))
}

// firstByteDiff shows where two (normalized) replies first differ.
func firstByteDiff(a, b []byte) string {
	i := 0
	for i < len(a) && i < len(b) && a[i] == b[i] {
		i++
	}
	from := max(0, i-80)
	return fmt.Sprintf("first difference at byte %d: reference ...%q... redcurrent ...%q...",
		i, a[from:min(len(a), i+40)], b[from:min(len(b), i+40)])
}

// past lists the earlier commands on argv's key (and those on no one key),
// newest first, for a failure report.
func (r *streamRun) past(argv []string) string {
	key := streamKeyOf(argv)
	var sb strings.Builder
	sb.WriteString("earlier commands on the same key, the whole keyspace or readers, newest first:")
	for i, n := len(r.history)-2, 0; i >= 0 && n < 30; i-- {
		h := r.history[i]
		if hk := streamKeyOf(h.argv); hk == key || hk == "" || h.reader > 0 {
			fmt.Fprintf(&sb, "\n  %v", h)
			n++
		}
	}
	return sb.String()
}

// timeTolerance bounds, in ms, how far apart two servers' times for the
// same event can be: each server reads its clock for a step within the
// step's window, so a time differs by at most one window, and an idle time
// (now minus a time) by at most two; plus a millisecond of rounding each.
func (r *streamRun) timeTolerance() int64 {
	return 2*r.maxWindow.Milliseconds() + 3
}

// block sends a blocking read on reader rd and waits, on each server, for
// its reply or for the server to count it as blocked. Both must do the same.
func (r *streamRun) block(rd *streamReader, argv []string) {
	r.t.Helper()
	r.history = append(r.history, histEntry{step: r.step, reader: rd.n, argv: argv})
	busy := r.busyReaders()
	start := time.Now()
	for _, c := range rd.conns {
		if err := c.Send(argv...); err != nil {
			r.t.Fatalf("seed %d step %d reader %d %q: %v", r.seed, r.step, rd.n, argv, err)
		}
	}
	var blocked [2]bool
	for i := range rd.conns {
		blocked[i] = r.waitBlockedOrAnswered(i, rd, busy+1, argv)
	}
	r.maxWindow = max(r.maxWindow, time.Since(start))
	switch {
	case blocked[0] && blocked[1]:
		rd.argv, rd.step = argv, r.step
		r.blocks++
	case !blocked[0] && !blocked[1]:
		r.compare(argv, rd.n, rd.proto, [2][]byte{rd.take(0), rd.take(1)})
	default:
		i := 0
		if blocked[0] {
			i = 1
		}
		r.t.Fatalf("seed %d step %d reader %d: %q\n %s blocked; %s replied at once: %q\n%s",
			r.seed, r.step, rd.n, argv, r.serverName(1-i), r.serverName(i), rd.pending[i].raw, r.past(argv))
	}
}

// readerDeadline bounds each wait for a reader's reply or block.
const readerDeadline = 10 * time.Second

// poll takes reader rd's reply from server i into pending if one came.
func (rd *streamReader) poll(i int) bool {
	if rd.pending[i] != nil {
		return true
	}
	select {
	case res := <-rd.got[i]:
		rd.pending[i] = &res
		return true
	default:
		return false
	}
}

func (rd *streamReader) take(i int) []byte {
	raw := rd.pending[i].raw
	rd.pending[i] = nil
	return raw
}

// waitBlockedOrAnswered waits until reader rd has a reply from server i
// (false) or server i counts want blocked clients (true).
func (r *streamRun) waitBlockedOrAnswered(i int, rd *streamReader, want int, argv []string) bool {
	r.t.Helper()
	deadline := time.Now().Add(readerDeadline)
	delay := 50 * time.Microsecond
	for {
		if rd.poll(i) {
			if err := rd.pending[i].err; err != nil {
				r.t.Fatalf("seed %d step %d reader %d %q: %s: %v", r.seed, r.step, rd.n, argv, r.serverName(i), err)
			}
			return false
		}
		if r.blockedClients(i) == want {
			return true
		}
		if time.Now().After(deadline) {
			r.t.Fatalf("seed %d step %d reader %d %q: %s neither replied nor counted %d blocked clients within %v",
				r.seed, r.step, rd.n, argv, r.serverName(i), want, readerDeadline)
		}
		select {
		case res := <-rd.got[i]:
			rd.pending[i] = &res
		case <-time.After(delay):
		}
		delay = min(2*delay, 2*time.Millisecond)
	}
}

var blockedClientsField = regexp.MustCompile(`blocked_clients:(\d+)`)

// blockedClients is INFO clients' blocked_clients on server i, asked on
// the control connection (not a stream command: not in the history; and
// answered even while the main connection is inside MULTI).
func (r *streamRun) blockedClients(i int) int {
	r.t.Helper()
	raw, err := r.ctl[i].Do("INFO", "clients")
	if err != nil {
		r.t.Fatalf("INFO clients on %s: %v", r.serverName(i), err)
	}
	m := blockedClientsField.FindSubmatch(raw)
	if m == nil {
		r.t.Fatalf("INFO clients on %s has no blocked_clients: %q", r.serverName(i), raw)
	}
	n, _ := strconv.Atoi(string(m[1]))
	return n
}

// collectAnswered runs after a main command while readers wait: each server
// answers a blocked reader before it replies to the command that woke it
// (and so before its INFO shows it unblocked), so the drop in
// blocked_clients is how many replies are on their way. Both servers must
// answer the same readers, alike.
func (r *streamRun) collectAnswered(argv []string) {
	r.t.Helper()
	busy := r.busyReaders()
	for i := range r.main {
		want := busy - r.blockedClients(i)
		deadline := time.Now().Add(readerDeadline)
		for {
			n := 0
			for _, rd := range r.readers {
				if rd.argv != nil && rd.poll(i) {
					n++
				}
			}
			if n >= want {
				break
			}
			select {
			case <-r.notify[i]:
			case <-time.After(time.Until(deadline)):
				r.t.Fatalf("seed %d step %d after %q: %s unblocked %d readers but sent %d replies within %v",
					r.seed, r.step, argv, r.serverName(i), want, n, readerDeadline)
			}
		}
	}
	for _, rd := range r.readers {
		if rd.argv == nil {
			continue
		}
		a, b := rd.pending[0] != nil, rd.pending[1] != nil
		switch {
		case a && b:
			for i := range rd.pending {
				if err := rd.pending[i].err; err != nil {
					r.t.Fatalf("seed %d step %d reader %d: %s: %v", r.seed, r.step, rd.n, r.serverName(i), err)
				}
			}
			waiting := rd.argv
			rd.argv = nil
			r.answered++
			r.compare(append([]string{fmt.Sprintf("(reply to step %d)", rd.step)}, waiting...), rd.n, rd.proto,
				[2][]byte{rd.take(0), rd.take(1)})
		case a || b:
			i := 0
			if b {
				i = 1
			}
			r.t.Fatalf("seed %d step %d: after %q, reader %d (blocked at step %d in %q) was answered by %s only: %q\n%s",
				r.seed, r.step, argv, rd.n, rd.step, rd.argv, r.serverName(i), rd.pending[i].raw, r.past(rd.argv))
		}
	}
}

// finalState compares what both servers hold for key, on conns.
func (r *streamRun) finalState(key string, conns [2]*difftest.Conn) {
	r.t.Helper()
	saved := r.main
	r.main = conns
	defer func() { r.main = saved }()
	r.do([]string{"XINFO", "STREAM", key})
	r.do([]string{"XRANGE", key, "-", "+"})
	r.do([]string{"XINFO", "GROUPS", key})
	for _, grp := range genGroups {
		r.do([]string{"XINFO", "CONSUMERS", key, grp})
		r.do([]string{"XPENDING", key, grp})
		r.do([]string{"XPENDING", key, grp, "-", "+", "1000"})
	}
	r.do([]string{"XINFO", "STREAM", key, "FULL", "COUNT", "0"})
	r.do([]string{"XINFO", "STREAM", key, "FULL"})
}

// timeFields are the map keys whose values are clock readings or
// durations: consumers' seen-time and active-time (XINFO STREAM FULL), idle
// and inactive (XINFO CONSUMERS).
var timeFields = map[string]bool{"seen-time": true, "active-time": true, "idle": true, "inactive": true}

var streamIDText = regexp.MustCompile(`^\d+-\d+$`)

// sameTimes walks two replies in step and, where both hold a time (a
// timeFields value; the idle or delivery time of a PEL entry: [id,
// consumer, time, count] in XPENDING and XINFO STREAM FULL's group PEL, [id,
// time, count] in a consumer PEL) within tol ms of each other, makes b's
// equal to a's. Anything else is left for the byte comparison.
func sameTimes(a, b *difftest.Value, tol int64) {
	if a.Type != b.Type || len(a.Elems) != len(b.Elems) {
		return
	}
	near := func(x, y *difftest.Value) {
		if x.Type != ':' || y.Type != ':' {
			return
		}
		p, err1 := strconv.ParseInt(x.Str, 10, 64)
		q, err2 := strconv.ParseInt(y.Str, 10, 64)
		if err1 == nil && err2 == nil && (p < 0) == (q < 0) && p-q <= tol && q-p <= tol {
			y.Str = x.Str
		}
	}
	switch n := len(a.Elems); {
	case a.Type == '*' && n == 4 && isPELEntry(a.Elems, 2) && isPELEntry(b.Elems, 2):
		near(&a.Elems[2], &b.Elems[2])
	case a.Type == '*' && n == 3 && isPELEntry(a.Elems, 1) && isPELEntry(b.Elems, 1):
		near(&a.Elems[1], &b.Elems[1])
	}
	if a.Type == '*' || a.Type == '%' {
		for i := 0; i+1 < len(a.Elems); i += 2 {
			if k := a.Elems[i]; (k.Type == '$' || k.Type == '+') && timeFields[k.Str] && b.Elems[i].Str == k.Str {
				near(&a.Elems[i+1], &b.Elems[i+1])
			}
		}
	}
	for i := range a.Elems {
		sameTimes(&a.Elems[i], &b.Elems[i], tol)
	}
}

// isPELEntry reports whether es is a PEL entry with its time at index at:
// an ID first, integers from at on, a consumer name between.
func isPELEntry(es []difftest.Value, at int) bool {
	if es[0].Type != '$' || !streamIDText.MatchString(es[0].Str) {
		return false
	}
	for i := 1; i < len(es); i++ {
		if (i >= at) != (es[i].Type == ':') || (i < at && es[i].Type != '$') {
			return false
		}
	}
	return true
}

// maskFor70 removes what only the 7.0 reference lacks or computes
// otherwise: a group's entries-read and lag, which Redis 7.2 and 8.x
// compute differently after deletes and trims (streams-reference section 3;
// @since cases in testdata/diff/stream_groups_v8.txt pin the 8.x values),
// and a consumer's seen-time and idle, which Redis 7.2 moves on every
// attempt to read or claim (7.0 only when it got something), masked as
// "T"; a consumer's active-time (XINFO STREAM FULL) and inactive (XINFO
// CONSUMERS), which Redis 7.2 added, dropped with their keys.
func maskFor70(v *difftest.Value) {
	if v.Type == '*' || v.Type == '%' {
		for i := 0; i+1 < len(v.Elems); i += 2 {
			k := v.Elems[i]
			if k.Type != '$' && k.Type != '+' {
				continue
			}
			switch k.Str {
			case "entries-read", "lag", "seen-time", "idle":
				v.Elems[i+1] = difftest.Value{Type: '+', Str: "T"}
			case "active-time", "inactive":
				v.Elems = slices.Delete(v.Elems, i, i+2)
				i -= 2
			}
		}
	}
	for i := range v.Elems {
		maskFor70(&v.Elems[i])
	}
}

// streamKeyOf is the stream key a generated command names ("" for one on
// no one key): the argument after STREAMS, or after XINFO's or XGROUP's
// subcommand, or the first one.
func streamKeyOf(argv []string) string {
	for i, a := range argv {
		if a == "STREAMS" && i+1 < len(argv) {
			return argv[i+1]
		}
	}
	switch argv[0] {
	case "XINFO", "XGROUP":
		if len(argv) > 2 {
			return argv[2]
		}
	case "FLUSHALL", "FLUSHDB", "SWAPDB", "CLIENT", "SELECT":
		return ""
	}
	if len(argv) > 1 {
		return argv[1]
	}
	return ""
}

// Time values the generator uses for min-idle, IDLE and TIME. Every
// pending entry is either recent (delivered during the run, so idle for
// less than the run lasts) or made old by IDLE or TIME (idle for an hour or
// more), and every threshold is far from both, so which entries qualify
// never depends on how fast the servers run.
const (
	hourMs       = 3600 * 1000
	minIdleOld   = hourMs / 2     // entries made old qualify, recent ones not
	minIdleOlder = 2 * hourMs     // only the oldest (3h, TIME 0 or 1)
	minIdleNever = 1000 * hourMs  // nothing (TIME 0 is ~56 years: qualifies)
	idleOld      = hourMs         // IDLE values
	idleOlder    = 3 * hourMs     //
	timeAgo      = 3 * hourMs / 2 // TIME now-timeAgo
)

// streamGen draws commands over a few keys, groups and consumers. IDs are
// explicit (or ms-*) so both servers see the same ones. Against the 7.0
// reference (v8 false) it avoids what 7.0 does otherwise than 8.x beyond
// maskFor70: claims only name consumers that exist (from 7.2 a claim
// creates its consumer even when it claims nothing), a consumer's first
// read is a history read (from 7.2 a ">" read that finds nothing creates
// it), and no blocking reads, keyspace commands or XREAD +.
type streamGen struct {
	rnd     *rand.Rand
	v8      bool
	plus    bool            // XREAD "+" as fixed by redis/redis#13632
	avoid   map[string]bool // -stream.avoid
	waiting bool            // a reader waits
	// entriesAdded, when set, bounds ENTRIESREAD (references before 8.2).
	entriesAdded func(key string) int
	keys         []string
	ms           int64           // the ms part of the next explicit ID
	groups       map[string]bool // "key/group" that exist (7.0 runs only)
	consumers    map[string][]string
	// Against Redis 8, a few runs of commands are wrapped in MULTI/EXEC:
	// blocked readers are served after EXEC, once per key however often
	// it changed. multi draws when (apart from rnd); inMulti counts the
	// steps left before EXEC.
	multi   *rand.Rand
	inMulti int
}

func newStreamGen(seed uint64, v8 bool) *streamGen {
	return &streamGen{rnd: rand.New(rand.NewPCG(seed, seed^0x5bd1e995)), v8: v8,
		multi:  rand.New(rand.NewPCG(seed^0x9e3779b97f4a7c15, seed)),
		groups: map[string]bool{}, consumers: map[string][]string{}, avoid: map[string]bool{}}
}

// transaction is MULTI or EXEC when one is due, else nil.
func (g *streamGen) transaction() []string {
	switch {
	case !g.v8 || g.avoid["multi"]:
		return nil
	case g.inMulti > 0:
		if g.inMulti--; g.inMulti == 0 {
			return []string{"EXEC"}
		}
	case g.multi.IntN(100) < 2:
		g.inMulti = 2 + g.multi.IntN(5)
		return []string{"MULTI"}
	}
	return nil
}

// genOp is one generated command: on the main connection (reader 0) or a
// blocking read on reader n.
type genOp struct {
	reader int
	argv   []string
}

var (
	genGroups    = []string{"g1", "g2"}
	genConsumers = []string{"alice", "bob", "carol"}
)

// claimer is the consumer a claim names: any against Redis 8, else one of
// key/group that exists, or "" when none does.
func (g *streamGen) claimer(kg string) string {
	if g.v8 {
		return g.pick(genConsumers...)
	}
	cs := g.consumers[kg]
	if len(cs) == 0 {
		return ""
	}
	return cs[g.rnd.IntN(len(cs))]
}

func (g *streamGen) addConsumer(kg, c string) {
	if !g.groups[kg] || slices.Contains(g.consumers[kg], c) {
		return // NOGROUP: nothing is created
	}
	g.consumers[kg] = append(g.consumers[kg], c)
}

func (g *streamGen) delConsumer(kg, c string) {
	cs := g.consumers[kg]
	if i := slices.Index(cs, c); i >= 0 {
		g.consumers[kg] = slices.Delete(slices.Clone(cs), i, i+1)
	}
}

func (g *streamGen) key() string {
	if len(g.keys) < 3 && g.rnd.IntN(4) == 0 || len(g.keys) == 0 {
		g.keys = append(g.keys, "s"+strconv.Itoa(len(g.keys)))
	}
	return g.keys[g.rnd.IntN(len(g.keys))]
}

// otherKey is a key other than k when there are two, else k.
func (g *streamGen) otherKey(k string) string {
	for range 3 {
		if o := g.key(); o != k {
			return o
		}
	}
	return k
}

// id is a plausible ID near the ones in use: mostly existing or recent
// ones, sometimes past the end or before the start.
func (g *streamGen) id() string {
	ms := g.rnd.Int64N(g.ms + 3)
	return fmt.Sprintf("%d-%d", ms, g.rnd.IntN(3))
}

// rangeID is an XRANGE bound: an ID, an ms only, exclusive, or - +.
func (g *streamGen) rangeID(end string) string {
	switch g.rnd.IntN(6) {
	case 0:
		return end
	case 1:
		return strconv.FormatInt(g.rnd.Int64N(g.ms+3), 10)
	case 2:
		return "(" + g.id()
	}
	return g.id()
}

func (g *streamGen) pick(xs ...string) string { return xs[g.rnd.IntN(len(xs))] }

func (g *streamGen) maybe(p int) bool { return g.rnd.IntN(100) < p }

func (g *streamGen) count(n int) string { return strconv.Itoa(1 + g.rnd.IntN(n)) }

func (g *streamGen) minIdle() string {
	return g.pick("0", "0", "0", strconv.Itoa(minIdleOld), strconv.Itoa(minIdleOlder), strconv.Itoa(minIdleNever))
}

// next draws one command; free lists the readers free for a blocking read.
func (g *streamGen) next(free []int) genOp {
	if argv := g.transaction(); argv != nil {
		return genOp{argv: argv}
	}
	k := g.key()
	g.waiting = len(free) < genReaders
	if g.v8 {
		switch n := g.rnd.IntN(1000); {
		case n < 60 && len(free) > 0:
			return genOp{reader: free[g.rnd.IntN(len(free))], argv: g.blockingRead(k)}
		case n < 75:
			return genOp{argv: g.keyspace(k)}
		}
	}
	return genOp{argv: g.streamCommand(k)}
}

func (g *streamGen) streamCommand(k string) []string {
	switch n := g.rnd.IntN(100); {
	case n < 26:
		return g.xadd(k)
	case n < 31:
		return []string{"XDEL", k, g.id(), g.id()}
	case n < 36:
		argv := []string{"XTRIM", k}
		argv = append(argv, g.trim(30)...)
		return argv
	case n < 41:
		cmd := g.pick("XRANGE", "XREVRANGE")
		lo, hi := g.rangeID("-"), g.rangeID("+")
		if cmd == "XREVRANGE" {
			lo, hi = g.rangeID("+"), g.rangeID("-")
		}
		argv := []string{cmd, k, lo, hi}
		if g.maybe(70) {
			argv = append(argv, "COUNT", strconv.Itoa(g.rnd.IntN(10)))
		}
		return argv
	case n < 43:
		return []string{"XLEN", k}
	case n < 47:
		grp := g.pick(genGroups...)
		g.groups[k+"/"+grp] = true // created, or BUSYGROUP: it exists
		argv := []string{"XGROUP", "CREATE", k, grp, g.pick("0", "$", g.id())}
		// Against 7.0 the model of groups needs the create to succeed.
		if !g.v8 || g.maybe(70) {
			argv = append(argv, "MKSTREAM")
		}
		if g.maybe(30) {
			argv = append(argv, "ENTRIESREAD", g.entriesRead(k))
		}
		return argv
	case n < 49 && !(g.avoid["setid"] && g.waiting):
		argv := []string{"XGROUP", "SETID", k, g.pick(genGroups...), g.pick("0", "$", g.id())}
		if g.maybe(40) {
			argv = append(argv, "ENTRIESREAD", g.entriesRead(k))
		}
		return argv
	case n < 50:
		grp, c := g.pick(genGroups...), g.pick(genConsumers...)
		g.addConsumer(k+"/"+grp, c)
		return []string{"XGROUP", "CREATECONSUMER", k, grp, c}
	case n < 51:
		grp, c := g.pick(genGroups...), g.pick(genConsumers...)
		g.delConsumer(k+"/"+grp, c)
		return []string{"XGROUP", "DELCONSUMER", k, grp, c}
	case n < 52 && g.maybe(30):
		grp := g.pick(genGroups...)
		delete(g.groups, k+"/"+grp)
		delete(g.consumers, k+"/"+grp)
		return []string{"XGROUP", "DESTROY", k, grp}
	case n < 64:
		return g.readGroup(k)
	case n < 67:
		return g.xread(k, false)
	case n < 73:
		return []string{"XACK", k, g.pick(genGroups...), g.id(), g.id(), g.id()}
	case n < 79:
		if argv := g.xclaim(k); argv != nil {
			return argv
		}
		return g.readGroup(k)
	case n < 83:
		if argv := g.xautoclaim(k); argv != nil {
			return argv
		}
		return g.readGroup(k)
	case n < 88:
		return g.xpending(k)
	case n < 90:
		return []string{"XINFO", "GROUPS", k}
	case n < 92:
		return []string{"XINFO", "CONSUMERS", k, g.pick(genGroups...)}
	case n < 94:
		return []string{"XINFO", "STREAM", k}
	case n < 97:
		argv := []string{"XINFO", "STREAM", k, "FULL"}
		if g.maybe(70) {
			argv = append(argv, "COUNT", strconv.Itoa(g.rnd.IntN(6)))
		}
		return argv
	default:
		return g.xsetid(k)
	}
}

// entriesRead is an ENTRIESREAD value: -1 (unknown), -2 (an error; not
// against 7.0, where the model of groups needs XGROUP CREATE to succeed),
// or a count, within key's entries-added where entriesAdded is set.
func (g *streamGen) entriesRead(k string) string {
	if g.maybe(10) {
		if g.v8 {
			return g.pick("-1", "-2")
		}
		return "-1"
	}
	limit := 20
	if g.entriesAdded != nil {
		if g.inMulti > 0 {
			return "-1" // entries-added may change before EXEC
		}
		limit = g.entriesAdded(k) + 1
	}
	return strconv.Itoa(g.rnd.IntN(limit))
}

// trim is a MAXLEN or MINID trim, exact or approximate, sometimes LIMIT.
func (g *streamGen) trim(maxLen int) []string {
	argv := []string{g.pick("MAXLEN", "MINID")}
	if g.maybe(70) {
		argv = append(argv, g.pick("=", "~"))
	}
	if argv[0] == "MAXLEN" {
		argv = append(argv, strconv.Itoa(g.rnd.IntN(maxLen)))
	} else {
		argv = append(argv, g.id())
	}
	if len(argv) == 3 && argv[1] == "~" && g.maybe(50) {
		argv = append(argv, "LIMIT", strconv.Itoa(g.rnd.IntN(20)))
	}
	return argv
}

func (g *streamGen) xadd(k string) []string {
	g.ms += int64(g.rnd.IntN(2))
	argv := []string{"XADD", k}
	if g.maybe(10) {
		argv = append(argv, "NOMKSTREAM")
	}
	if g.maybe(20) {
		argv = append(argv, g.trim(20)...)
	}
	switch {
	case g.maybe(30):
		argv = append(argv, fmt.Sprintf("%d-*", g.ms))
	case g.maybe(3):
		argv = append(argv, g.id()) // mostly too small: an error
	default:
		argv = append(argv, fmt.Sprintf("%d-%d", g.ms, g.rnd.IntN(3)))
	}
	for f := 0; f <= g.rnd.IntN(3); f++ {
		argv = append(argv, g.pick("f", "field", "x"), strconv.Itoa(g.rnd.IntN(1000)))
	}
	return argv
}

// readGroup is an XREADGROUP without BLOCK. Against 7.0, a consumer's
// first read is a history read: that creates it on both servers, where a
// ">" read that finds nothing creates it in Redis 8.x (and redcurrent)
// but not in 7.0.
func (g *streamGen) readGroup(k string) []string {
	grp, c := g.pick(genGroups...), g.pick(genConsumers...)
	id := g.pick(">", ">", ">", "0", g.id())
	if !g.v8 && !slices.Contains(g.consumers[k+"/"+grp], c) {
		id = "0"
	}
	g.addConsumer(k+"/"+grp, c)
	argv := []string{"XREADGROUP", "GROUP", grp, c}
	if g.maybe(80) {
		argv = append(argv, "COUNT", g.count(5))
	}
	if g.maybe(15) {
		argv = append(argv, "NOACK")
	}
	argv = append(argv, "STREAMS", k)
	if g.v8 && g.maybe(15) {
		// Now and then (otherKey found no other) the same key twice.
		return append(argv, g.otherKey(k), id, g.pick(">", "0"))
	}
	return append(argv, id)
}

// xread is an XREAD, with BLOCK 0 when block is set.
func (g *streamGen) xread(k string, block bool) []string {
	argv := []string{"XREAD"}
	if g.maybe(70) {
		argv = append(argv, "COUNT", g.count(5))
	}
	if block {
		argv = append(argv, "BLOCK", g.pick("0", "0", "3600000"))
	}
	ids := []string{"0", g.id()}
	if g.plus {
		ids = append(ids, "+") // Redis 7.4: the last entry
	}
	if block {
		ids = append(ids, "$", "$", "$")
	}
	keys := []string{k}
	if g.maybe(20) {
		if o := g.otherKey(k); o != k {
			keys = append(keys, o)
		}
	}
	argv = append(argv, "STREAMS")
	argv = append(argv, keys...)
	for range keys {
		argv = append(argv, g.pick(ids...))
	}
	return argv
}

// blockingRead is an XREAD or XREADGROUP with BLOCK, for a reader
// connection: mostly one that waits.
func (g *streamGen) blockingRead(k string) []string {
	if g.maybe(35) {
		return g.xread(k, true)
	}
	grp, c := g.pick(genGroups...), g.pick(genConsumers...)
	argv := []string{"XREADGROUP", "GROUP", grp, c}
	if g.maybe(60) {
		argv = append(argv, "COUNT", g.count(3))
	}
	if g.maybe(15) {
		argv = append(argv, "NOACK")
	}
	argv = append(argv, "BLOCK", g.pick("0", "0", "3600000"), "STREAMS", k)
	if g.maybe(15) {
		return append(argv, g.otherKey(k), ">", ">") // rarely k again
	}
	return append(argv, g.pick(">", ">", ">", ">", "0"))
}

// keyspace is a command on whole keys or databases, which blocked readers
// must notice as Redis 8 does.
func (g *streamGen) keyspace(k string) []string {
	n := g.rnd.IntN(100)
	if g.avoid["flush"] && n < 34 {
		n += 34
	}
	switch {
	case n < 12:
		if g.maybe(50) {
			return []string{"FLUSHALL", g.pick("SYNC", "ASYNC")}
		}
		return []string{"FLUSHALL"}
	case n < 22:
		return []string{"FLUSHDB"}
	case n < 34:
		return []string{"SWAPDB", "0", "1"}
	case n < 52:
		return []string{g.pick("DEL", "UNLINK"), k}
	case n < 68:
		return []string{g.pick("RENAME", "RENAMENX"), k, g.otherKey(k)}
	case n < 76:
		return []string{"MOVE", k, "1"}
	case n < 84:
		return []string{"COPY", g.otherKey(k), k, "REPLACE"}
	case n < 88 && !g.avoid["settype"]:
		return []string{"SET", k, "x"}
	default:
		r := g.rnd.IntN(genReaders) + 1
		argv := []string{"CLIENT", "UNBLOCK", readerRef(r)}
		if g.maybe(60) {
			argv = append(argv, g.pick("TIMEOUT", "ERROR"))
		}
		return argv
	}
}

// xclaim is an XCLAIM with any of its options, or nil when (against 7.0)
// the group has no consumer to name.
func (g *streamGen) xclaim(k string) []string {
	grp := g.pick(genGroups...)
	c := g.claimer(k + "/" + grp)
	if c == "" {
		return nil
	}
	argv := []string{"XCLAIM", k, grp, c, g.minIdle()}
	for range 1 + g.rnd.IntN(3) {
		argv = append(argv, g.id())
	}
	if g.maybe(30) {
		argv = append(argv, "IDLE", g.pick("0", strconv.Itoa(idleOld), strconv.Itoa(idleOlder)))
	}
	if g.maybe(20) {
		now := time.Now().UnixMilli()
		// In the future: Redis takes now instead.
		argv = append(argv, "TIME", g.pick("0", "1", strconv.FormatInt(now-timeAgo, 10), strconv.FormatInt(now+hourMs, 10)))
	}
	if g.maybe(25) {
		argv = append(argv, "RETRYCOUNT", g.pick("0", "1", "5"))
	}
	if g.maybe(30) && !g.avoid["force"] {
		argv = append(argv, "FORCE")
	}
	if g.maybe(50) {
		argv = append(argv, "JUSTID")
	}
	if g.maybe(15) {
		argv = append(argv, "LASTID", g.id())
	}
	return argv
}

func (g *streamGen) xautoclaim(k string) []string {
	grp := g.pick(genGroups...)
	c := g.claimer(k + "/" + grp)
	if c == "" {
		return nil
	}
	argv := []string{"XAUTOCLAIM", k, grp, c, g.minIdle(), g.pick("0", "0-0", g.id(), "("+g.id())}
	if g.maybe(70) {
		argv = append(argv, "COUNT", strconv.Itoa(g.rnd.IntN(7)))
	}
	if g.maybe(50) {
		argv = append(argv, "JUSTID")
	}
	return argv
}

func (g *streamGen) xpending(k string) []string {
	argv := []string{"XPENDING", k, g.pick(genGroups...)}
	if g.maybe(30) {
		return argv
	}
	if g.maybe(30) {
		argv = append(argv, "IDLE", g.minIdle())
	}
	argv = append(argv, g.rangeID("-"), g.rangeID("+"), strconv.Itoa(g.rnd.IntN(12)))
	if g.maybe(40) {
		argv = append(argv, g.pick(genConsumers...))
	}
	return argv
}

// xsetid is an XSETID with its options. Against 7.0 the ID is past every
// entry: Redis 7.2 checks an ID below both max-deleted-entry-id and the last
// entry against the former first (redis/redis#11444), 7.0 the latter.
func (g *streamGen) xsetid(k string) []string {
	id := fmt.Sprintf("%d-%d", g.ms+1, g.rnd.IntN(3))
	if g.v8 && g.maybe(50) {
		id = g.id()
	}
	argv := []string{"XSETID", k, id}
	if g.maybe(50) {
		argv = append(argv, "ENTRIESADDED", strconv.Itoa(g.rnd.IntN(60)))
	}
	if g.maybe(40) {
		argv = append(argv, "MAXDELETEDID", g.id())
	}
	return argv
}
