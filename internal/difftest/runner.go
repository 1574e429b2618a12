package difftest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Endpoint is a server the harness talks to.
type Endpoint struct {
	// Name labels the server in failure messages ("redis-server 7.0.15").
	Name string
	// Addr is the TCP host:port to dial.
	Addr string
	// WaitBlocked, if set, replaces polling INFO clients for @wait-blocked:
	// it returns once exactly n clients are blocked, or ctx's error. An
	// in-process server can pass its own (redcurrent's s.WaitBlocked).
	WaitBlocked func(ctx context.Context, n int) error
}

// Runner runs case files. The zero value is not usable: set Target, and Ref
// (and Refs) for differential cases.
type Runner struct {
	// Ref returns the reference server (a real redis-server). It is called
	// once per Run. An error wrapping ErrNoRedis skips the differential
	// cases (fails them under REDCURRENT_REQUIRE_REDIS=1); cases marked
	// @since then run against their expected replies. Nil Ref means the
	// same as ErrNoRedis.
	Ref func() (Endpoint, error)
	// Refs returns further references, typically a newer Redis (see
	// NewReference8), each called once per Run. One whose error wraps
	// ErrNoRedis8 or ErrNoRedis is not used (the run goes on with the
	// others); any other error fails the run. Every case runs on each
	// reference whose version reaches the case's @since (all of them for a
	// case without @since), and the target must match each of them; see
	// README.md, "Two references".
	Refs []func() (Endpoint, error)
	// Target returns the server under test. It is called once per Run; an
	// error wrapping ErrNoRedis skips everything (as for the self-test), any
	// other error fails.
	Target func() (Endpoint, error)
	// ReadTimeout bounds the wait for each reply; zero means DefaultTimeout.
	// Blocking commands in cases must time out well within it.
	ReadTimeout time.Duration
	// WaitTimeout bounds each @wait-blocked; zero means 10s.
	WaitTimeout time.Duration
	// Reset lists the commands that give each case run a fresh server,
	// sent on a control connection; each must reply +OK. Nil means FLUSHALL.
	Reset [][]string
}

// Run runs every case of every file against target, comparing with ref, as
// subtests named file/case/resp2 and file/case/resp3 (file is the base name
// without extension). See README.md for the case format.
func Run(t *testing.T, files []string, ref, target func() (Endpoint, error)) {
	t.Helper()
	(&Runner{Ref: ref, Target: target}).Run(t, files...)
}

// requireRedis reports whether REDCURRENT_REQUIRE_REDIS=1 turns a missing
// redis-server into a failure.
func requireRedis() bool { return os.Getenv("REDCURRENT_REQUIRE_REDIS") == "1" }

// references starts (or finds) the references: those available, oldest
// first, with their versions loaded. noRef is why there is none when the
// list is empty (the first reference's ErrNoRedis); notes say which
// further references are not used and why. An error fails the run.
func (r *Runner) references(timeout time.Duration) (refs []*server, noRef error, notes []string, err error) {
	noRef = ErrNoRedis
	fns := append([]func() (Endpoint, error){r.Ref}, r.Refs...)
	for i, fn := range fns {
		if fn == nil {
			continue
		}
		ep, err := fn()
		if err != nil {
			switch {
			case i == 0 && errors.Is(err, ErrNoRedis) && !requireRedis():
				noRef = err
			case i > 0 && (errors.Is(err, ErrNoRedis8) || errors.Is(err, ErrNoRedis)):
				notes = append(notes, fmt.Sprintf("no further reference: %v", err))
			default:
				closeAll(refs)
				return nil, nil, nil, fmt.Errorf("reference: %w", err)
			}
			continue
		}
		s := &server{ep: ep, label: "reference", timeout: timeout}
		refs = append(refs, s)
		if err := s.loadVersion(); err != nil {
			closeAll(refs)
			return nil, nil, nil, fmt.Errorf("reference %s: %w", ep.Name, err)
		}
	}
	sort.SliceStable(refs, func(i, j int) bool { return versionLess(refs[i].version, refs[j].version) })
	if len(refs) > 0 {
		noRef = nil
	}
	return refs, noRef, notes, nil
}

func closeAll(ss []*server) {
	for _, s := range ss {
		s.close()
	}
}

// refsFor splits the references (oldest first) into those the case runs on
// (their version reaches its @since; all for a case without @since) and
// those it sits out: too old for it, or marked @outdated.
func (c *testCase) refsFor(refs []*server) (used, tooOld []*server) {
	for _, s := range refs {
		if c.since != [3]int{} && versionLess(s.version, c.since) || c.isOutdated(s.version) {
			tooOld = append(tooOld, s)
		} else {
			used = append(used, s)
		}
	}
	return used, tooOld
}

// Run runs the case files; see the package-level Run.
func (r *Runner) Run(t *testing.T, files ...string) {
	t.Helper()
	if len(files) == 0 {
		t.Fatal("difftest: no case files given")
	}
	var (
		perFile [][]*testCase
		errs    []error
	)
	for _, f := range files {
		cs, err := parseFile(f)
		if err != nil {
			errs = append(errs, err)
		}
		perFile = append(perFile, cs)
	}
	if len(errs) > 0 {
		t.Fatalf("difftest: bad case files:\n%v", errors.Join(errs...))
	}

	tgtEP, err := r.Target()
	if err != nil {
		if errors.Is(err, ErrNoRedis) && !requireRedis() {
			t.Skipf("difftest: skipped, %v (set REDCURRENT_REQUIRE_REDIS=1 to fail instead)", err)
		}
		t.Fatalf("difftest: target: %v", err)
	}
	tgt := &server{ep: tgtEP, label: "target", timeout: r.readTimeout()}
	t.Cleanup(tgt.close)

	refs, noRef, notes, err := r.references(r.readTimeout())
	if err != nil {
		t.Fatalf("difftest: %v", err)
	}
	t.Cleanup(func() { closeAll(refs) })
	for _, n := range notes {
		t.Logf("difftest: %s", n)
	}
	if len(refs) == 0 {
		nSince := 0
		for _, cs := range perFile {
			for _, c := range cs {
				if c.needsReplies() != "" {
					nSince++
				}
			}
		}
		if nSince == 0 {
			t.Skipf("difftest: skipped, %v (set REDCURRENT_REQUIRE_REDIS=1 to fail instead)", noRef)
		}
		t.Logf("difftest: differential cases skipped, %v; running only the %d @since/@outdated case(s) against their expected replies", noRef, nSince)
	} else {
		var names []string
		for _, s := range refs {
			names = append(names, s.ep.Name)
		}
		t.Logf("difftest: references: %s", strings.Join(names, ", "))
	}

	var expectedMode []string
	skipped := map[*server][]string{}
	for i, cs := range perFile {
		t.Run(fileTestName(files[i]), func(t *testing.T) {
			for _, c := range cs {
				if c.needsReplies() == "" && len(refs) == 0 {
					continue // differential only; the skip was logged once
				}
				used, tooOld := c.refsFor(refs)
				name := fmt.Sprintf("%s/%s", fileTestName(c.file), c.name)
				for _, s := range tooOld {
					skipped[s] = append(skipped[s], name)
				}
				why := ""
				switch {
				case len(used) > 0:
				case len(refs) == 0:
					why = "no reference server (" + noRef.Error() + ")"
				case c.since == [3]int{}:
					why = "every reference is marked @outdated for it"
				default:
					why = fmt.Sprintf("reference %s is older than @since %s", refs[len(refs)-1].ep.Name, c.sinceString())
				}
				if why != "" {
					expectedMode = append(expectedMode, name)
				}
				t.Run(c.name, func(t *testing.T) {
					if why != "" {
						t.Logf("difftest: compared with the case's expected replies: %s", why)
					}
					for _, p := range c.protocols() {
						t.Run(fmt.Sprintf("resp%d", p), func(t *testing.T) {
							if err := r.runCase(c, p, refs, tgt); err != nil {
								t.Error(err)
							}
						})
					}
				})
			}
		})
	}
	for _, s := range refs {
		if n := len(skipped[s]); n > 0 && len(refs) > 1 {
			t.Logf("difftest: reference %s not used for %d @since case(s) newer than it", s.ep.Name, n)
		}
	}
	if len(expectedMode) > 0 {
		t.Logf("difftest: %d case(s) ran against expected replies written in the case: %s", len(expectedMode), strings.Join(expectedMode, ", "))
	}
}

func (r *Runner) readTimeout() time.Duration {
	if r.ReadTimeout == 0 {
		return DefaultTimeout
	}
	return r.ReadTimeout
}

func (r *Runner) waitTimeout() time.Duration {
	if r.WaitTimeout == 0 {
		return 10 * time.Second
	}
	return r.WaitTimeout
}

func (r *Runner) resetCommands() [][]string {
	if r.Reset == nil {
		return [][]string{{"FLUSHALL"}}
	}
	return r.Reset
}

// server is an endpoint plus the control connection the runner keeps to it
// for the whole Run: resets, version, INFO polling. Cases never use it.
type server struct {
	ep      Endpoint
	label   string // "reference" or "target"
	timeout time.Duration
	ctl     *Conn
	version [3]int
}

func (s *server) name() string {
	if s.ep.Name == "" {
		return s.label
	}
	return fmt.Sprintf("%s (%s)", s.label, s.ep.Name)
}

// control runs one command on the control connection, redialling once if
// the connection was lost (a case may CLIENT KILL it).
func (s *server) control(args ...string) ([]byte, error) {
	for attempt := 0; ; attempt++ {
		if s.ctl == nil {
			c, err := Dial(s.ep.Addr, s.timeout)
			if err != nil {
				return nil, err
			}
			s.ctl = c
		}
		raw, err := s.ctl.Do(args...)
		if err == nil {
			return raw, nil
		}
		s.ctl.Close()
		s.ctl = nil
		if attempt > 0 || !isClosed(err) {
			return nil, err
		}
	}
}

func (s *server) close() {
	if s.ctl != nil {
		s.ctl.Close()
		s.ctl = nil
	}
}

func (s *server) loadVersion() error {
	raw, err := s.control("INFO", "server")
	if err != nil {
		return err
	}
	v := infoField(raw, "redis_version")
	if v == "" {
		return fmt.Errorf("INFO server has no redis_version: %q", raw)
	}
	// Release candidates and such: "7.2.0-rc1" or "255.255.255".
	v, _, _ = strings.Cut(v, "-")
	s.version, err = parseVersion(v)
	return err
}

// resetAll resets every server at once: each gets all of cmds in one
// write, then the replies are read. A server whose control connection was
// lost (a case may CLIENT KILL it) is reset again one command at a time,
// which redials.
func resetAll(servers []*server, cmds [][]string) error {
	sent := make([]bool, len(servers))
	for i, s := range servers {
		if s.ctl == nil {
			continue
		}
		sent[i] = true
		for _, c := range cmds {
			if err := s.ctl.Send(c...); err != nil {
				sent[i] = false
				break
			}
		}
	}
	for i, s := range servers {
		if sent[i] {
			ok := true
			for _, c := range cmds {
				raw, err := s.ctl.Read()
				if err != nil {
					ok = false
					break
				}
				if string(raw) != "+OK\r\n" {
					return fmt.Errorf("%s: %s replied %s", s.name(), strings.Join(c, " "), strconv.Quote(string(raw)))
				}
			}
			if ok {
				continue
			}
		}
		if s.ctl != nil {
			s.ctl.Close()
			s.ctl = nil
		}
		if err := s.reset(cmds); err != nil {
			return err
		}
	}
	return nil
}

func (s *server) reset(cmds [][]string) error {
	for _, c := range cmds {
		raw, err := s.control(c...)
		if err != nil {
			return fmt.Errorf("%s: %s: %w", s.name(), strings.Join(c, " "), err)
		}
		if string(raw) != "+OK\r\n" {
			return fmt.Errorf("%s: %s replied %s", s.name(), strings.Join(c, " "), strconv.Quote(string(raw)))
		}
	}
	return nil
}

// waitBlocked waits until exactly n clients are blocked, as Redis's
// wait_for_blocked_clients_count does: by polling INFO clients.
func (s *server) waitBlocked(n int, timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	if s.ep.WaitBlocked != nil {
		return s.ep.WaitBlocked(ctx, n)
	}
	delay := 100 * time.Microsecond
	last := "no INFO reply yet"
	for {
		raw, err := s.control("INFO", "clients")
		if err != nil {
			return err
		}
		f := infoField(raw, "blocked_clients")
		if f == strconv.Itoa(n) {
			return nil
		}
		if f == "" {
			return fmt.Errorf("INFO clients has no blocked_clients field: %s", strconv.Quote(string(raw)))
		}
		last = "blocked_clients:" + f
		t := time.NewTimer(delay)
		select {
		case <-ctx.Done():
			t.Stop()
			return fmt.Errorf("%s still reports %s after %v", s.name(), last, timeout)
		case <-t.C:
		}
		delay = min(2*delay, 10*time.Millisecond)
	}
}

// isClosed reports whether err means the peer closed the connection, which
// is a legitimate outcome of some commands (QUIT, CLIENT KILL) and is
// compared like a reply.
func isClosed(err error) bool {
	return errors.Is(err, io.EOF) || errors.Is(err, syscall.ECONNRESET) ||
		errors.Is(err, syscall.EPIPE) || errors.Is(err, net.ErrClosed)
}

// side is one server's half of one case run: its connections and the
// client IDs they were given.
type side struct {
	srv   *server
	proto int
	c     *testCase
	conns [maxConns + 1]*Conn
	// hello[n] is set while conn n's HELLO 3 reply is unread.
	hello [maxConns + 1]bool
	ids   [maxConns + 1]string
	// streamIDs feeds @stream-ids for this side.
	streamIDs map[string]int
}

func (sd *side) closeAll() {
	for _, c := range sd.conns {
		if c != nil {
			c.Close()
		}
	}
}

// conn returns case connection n, dialling it on first use. In RESP3 the
// connection's first command is HELLO 3; its reply is read (and checked)
// before the first reply the case reads.
func (sd *side) conn(n int) (*Conn, error) {
	if c := sd.conns[n]; c != nil {
		return c, nil
	}
	c, err := Dial(sd.srv.ep.Addr, sd.srv.timeout)
	if err != nil {
		return nil, fmt.Errorf("%s: dialling connection %d: %w", sd.srv.name(), n, err)
	}
	sd.conns[n] = c
	if sd.proto == 3 {
		if err := c.Send("HELLO", "3"); err != nil {
			return nil, fmt.Errorf("%s: HELLO 3 on connection %d: %w", sd.srv.name(), n, err)
		}
		sd.hello[n] = true
	}
	if sd.c.needIDs[n] {
		if err := sd.readHello(n); err != nil {
			return nil, err
		}
		raw, err := c.Do("CLIENT", "ID")
		if err != nil || len(raw) < 4 || raw[0] != ':' {
			return nil, fmt.Errorf("%s: CLIENT ID on connection %d for {client-id:%d}: %q %v", sd.srv.name(), n, n, raw, err)
		}
		sd.ids[n] = string(raw[1 : len(raw)-2])
	}
	return c, nil
}

func (sd *side) readHello(n int) error {
	if !sd.hello[n] {
		return nil
	}
	sd.hello[n] = false
	raw, v, err := sd.conns[n].ReadValue()
	if err != nil {
		return fmt.Errorf("%s: reading the reply to HELLO 3 on connection %d: %w", sd.srv.name(), n, err)
	}
	if v.Type != '%' {
		return fmt.Errorf("%s: HELLO 3 on connection %d replied %s, not a RESP3 map", sd.srv.name(), n, strconv.Quote(string(raw)))
	}
	return nil
}

// send writes a step's command. A closed connection is not an error here:
// the read that follows reports it.
func (sd *side) send(s *step) error {
	c, err := sd.conn(s.conn)
	if err != nil {
		return err
	}
	args := s.args
	if sd.c.needIDs != [maxConns + 1]bool{} {
		args = make([]string, len(s.args))
		for i, a := range s.args {
			args[i] = a
			if m := clientIDArg.FindStringSubmatch(a); m != nil {
				n, _ := strconv.Atoi(m[1])
				if _, err := sd.conn(n); err != nil {
					return err
				}
				args[i] = sd.ids[n]
			}
		}
	}
	if err := c.Send(args...); err != nil && !isClosed(err) {
		return fmt.Errorf("%s: writing %q on connection %d: %w", sd.srv.name(), s.text, s.conn, err)
	}
	return nil
}

// reply is one reply as read, or the fact that the connection was closed.
type reply struct {
	raw    []byte
	v      Value
	closed bool
}

func (rp reply) quoted() string {
	if rp.closed {
		return "<connection closed>"
	}
	return strconv.Quote(string(rp.raw))
}

func (sd *side) read(n int) (reply, error) {
	c, err := sd.conn(n)
	if err != nil {
		return reply{}, err
	}
	if err := sd.readHello(n); err != nil {
		return reply{}, err
	}
	raw, v, err := c.ReadValue()
	if err != nil {
		if isClosed(err) && len(raw) == 0 {
			return reply{closed: true}, nil
		}
		var ne net.Error
		if errors.As(err, &ne) && ne.Timeout() {
			return reply{}, fmt.Errorf("%s: no complete reply within %v on connection %d (read so far: %q)", sd.srv.name(), c.timeout(), n, raw)
		}
		return reply{}, fmt.Errorf("%s: bad reply on connection %d: %w (read so far: %q)", sd.srv.name(), n, err, raw)
	}
	return reply{raw: raw, v: v}, nil
}

// source is one producer of replies for a comparison.
type source struct {
	name string
	ids  map[string]int
}

// runCase runs one case in one protocol on the references it is for (see
// refsFor; refs are all the references, oldest first) and the target.
// With no reference for it, the target is compared with the @reply lines
// (expected mode). The returned error is the failure report.
func (r *Runner) runCase(c *testCase, proto int, refs []*server, tgt *server) error {
	used, _ := c.refsFor(refs)
	var sides []*side
	for _, s := range used {
		sides = append(sides, &side{srv: s, proto: proto, c: c, streamIDs: map[string]int{}})
	}
	refSides := sides
	tgtSide := &side{srv: tgt, proto: proto, c: c, streamIDs: map[string]int{}}
	sides = append(sides, tgtSide)
	defer func() {
		for _, sd := range sides {
			sd.closeAll()
		}
	}()
	servers := make([]*server, len(sides))
	for i, sd := range sides {
		servers[i] = sd.srv
	}
	if err := resetAll(servers, r.resetCommands()); err != nil {
		return fmt.Errorf("%s:%d: case %q, RESP%d: reset failed: %w", c.file, c.line, c.name, proto, err)
	}
	expSource := source{name: "expected", ids: map[string]int{}}
	srcOf := func(sd *side) source { return source{name: sd.srv.name(), ids: sd.streamIDs} }

	var pending [maxConns + 1][]*step
	for _, s := range c.steps {
		where := fmt.Sprintf("%s:%d: case %q, RESP%d, connection %d: %s", c.file, s.line, c.name, proto, s.conn, s.text)
		switch s.kind {
		case stepWaitBlocked:
			for _, sd := range sides {
				if err := sd.srv.waitBlocked(s.n, r.waitTimeout()); err != nil {
					return fmt.Errorf("%s\n    %v", where, err)
				}
			}
			continue
		case stepSend:
			for _, sd := range sides {
				if err := sd.send(s); err != nil {
					return fmt.Errorf("%s\n    %v", where, err)
				}
			}
			pending[s.conn] = append(pending[s.conn], s)
			continue
		}

		var origin *step
		if s.kind == stepRead && len(pending[s.conn]) > 0 {
			origin = pending[s.conn][0]
			pending[s.conn] = pending[s.conn][1:]
		}
		// Send to every server first, then read: the servers work at once.
		if s.kind == stepCommand {
			for _, sd := range sides {
				if err := sd.send(s); err != nil {
					return fmt.Errorf("%s\n    %v", where, err)
				}
			}
		}
		replies := make([]reply, len(sides))
		for i, sd := range sides {
			rp, err := sd.read(s.conn)
			if err != nil {
				return fmt.Errorf("%s\n    %v", where, err)
			}
			replies[i] = rp
		}
		relax := s.relax
		if origin != nil {
			where = fmt.Sprintf("%s:%d: case %q, RESP%d, connection %d: reply to %s (line %d), read by %s", c.file, s.line, c.name, proto, s.conn, origin.text, origin.line, s.text)
			relax = append(append([]relaxer(nil), origin.relax...), s.relax...)
		}
		tgtReply := replies[len(replies)-1]
		tgtSrc := srcOf(tgtSide)

		// 1. The references must agree with each other.
		if n := len(refSides); n > 1 {
			newest := refSides[n-1]
			for i, sd := range refSides[:n-1] {
				if msg := compareReplies(replies[i], replies[n-1], srcOf(sd), srcOf(newest), relax); msg != "" {
					return fmt.Errorf("%s\n%s", where, disagreement(c, sd, newest, replies[i], replies[n-1], tgtReply, tgtSrc, relax, msg))
				}
			}
		}
		// 2. A written reply must agree with every reference the case runs
		// on; with none, it is what the target is compared with.
		if exp := s.expect[proto-2]; exp != nil {
			v, err := ParseReply(exp.raw)
			if err != nil { // checked when parsing the file
				return fmt.Errorf("%s\n    bad @reply: %v", where, err)
			}
			expSrc := expSource
			expSrc.name = fmt.Sprintf("expected (line %d)", exp.line)
			if len(refSides) == 0 {
				if msg := compareReplies(reply{raw: exp.raw, v: v}, tgtReply, expSrc, tgtSrc, relax); msg != "" {
					return fmt.Errorf("%s\n%s", where, msg)
				}
			}
			for i := len(refSides) - 1; i >= 0; i-- {
				sd := refSides[i]
				if msg := compareReplies(reply{raw: exp.raw, v: v}, replies[i], expSrc, srcOf(sd), relax); msg != "" {
					return fmt.Errorf("%s\n    the written reply (line %d) is wrong: %s, %s, replies otherwise (write its reply)\n%s",
						where, exp.line, sd.srv.name(), newEnough(c), msg)
				}
			}
		} else if len(refSides) == 0 {
			return fmt.Errorf("%s\n    no expected reply for RESP%d", where, proto)
		}
		// 3. The target must match every reference, the newest first.
		for i := len(refSides) - 1; i >= 0; i-- {
			if msg := compareReplies(replies[i], tgtReply, srcOf(refSides[i]), tgtSrc, relax); msg != "" {
				return fmt.Errorf("%s\n%s", where, msg)
			}
		}
	}

	// Best effort: bytes that arrived after the case's last read are
	// replies nobody asked for (a second reply to one command).
	for n := 1; n <= maxConns; n++ {
		for _, sd := range sides {
			if cn := sd.conns[n]; cn != nil && cn.Buffered() > 0 {
				return fmt.Errorf("%s:%d: case %q, RESP%d: %s left unread bytes on connection %d after the case's last line: %q",
					c.file, c.line, c.name, proto, sd.srv.name(), n, peekBuffered(cn))
			}
		}
	}
	return nil
}

// newEnough says why a reference is one the case must agree with.
func newEnough(c *testCase) string {
	if c.since == [3]int{} {
		return "a reference the case runs on (it has no @since)"
	}
	return "new enough for the case's @since " + c.sinceString()
}

// disagreement is the report for two references that reply differently
// to one line: the case must say which version changed the reply.
func disagreement(c *testCase, old, newer *side, oldR, newR, tgtR reply, tgtSrc source, relax []relaxer, msg string) string {
	var sb strings.Builder
	fmt.Fprintf(&sb, "    references disagree: %s replied %s, %s replied %s; ",
		old.srv.ep.Name, short(oldR), newer.srv.ep.Name, short(newR))
	oldV := versionString(old.srv.version)
	if c.since == [3]int{} {
		fmt.Fprintf(&sb, "mark the case @since <version> (the Redis version after %s that changed the reply) with the newer reply in @reply lines\n", oldV)
	} else {
		fmt.Fprintf(&sb, "raise the case's @since %s to the Redis version after %s that changed the reply, with the newer reply in @reply lines\n", c.sinceString(), oldV)
	}
	sb.WriteString(msg)
	like := "neither"
	switch {
	case compareReplies(newR, tgtR, source{name: "a", ids: newer.streamIDs}, tgtSrc, relax) == "":
		like = newer.srv.ep.Name
	case compareReplies(oldR, tgtR, source{name: "a", ids: old.streamIDs}, tgtSrc, relax) == "":
		like = old.srv.ep.Name
	}
	fmt.Fprintf(&sb, "\n    %s replied like %s: %s", tgtSrc.name, like, tgtR.quoted())
	return sb.String()
}

// short quotes a reply for a one-line message, cut after 60 bytes.
func short(rp reply) string {
	if rp.closed || len(rp.raw) <= 60 {
		return rp.quoted()
	}
	return strconv.Quote(string(rp.raw[:60])) + fmt.Sprintf("... (%d bytes)", len(rp.raw))
}

func versionString(v [3]int) string { return fmt.Sprintf("%d.%d.%d", v[0], v[1], v[2]) }

// compareReplies compares two replies after the relaxations and returns ""
// if they agree, else a report with both raw replies and a short diff.
func compareReplies(a, b reply, as, bs source, relax []relaxer) string {
	width := max(len(as.name), len(bs.name))
	if a.closed || b.closed {
		if a.closed && b.closed {
			return ""
		}
		return fmt.Sprintf("    %-*s %s\n    %-*s %s", width+1, as.name+":", a.quoted(), width+1, bs.name+":", b.quoted())
	}
	if len(relax) == 0 && bytes.Equal(a.raw, b.raw) {
		return ""
	}
	av, bv := a.v.clone(), b.v.clone()
	var names []string
	for _, rl := range relax {
		rl.apply(&av, &bv, relaxState{ids: [2]map[string]int{as.ids, bs.ids}})
		names = append(names, rl.name())
	}
	ae, be := av.Encode(nil), bv.Encode(nil)
	if bytes.Equal(ae, be) {
		return ""
	}
	var sb strings.Builder
	fmt.Fprintf(&sb, "    %-*s %s\n", width+1, as.name+":", a.quoted())
	fmt.Fprintf(&sb, "    %-*s %s\n", width+1, bs.name+":", b.quoted())
	if len(names) > 0 {
		fmt.Fprintf(&sb, "    after %s:\n", strings.Join(names, ", "))
		fmt.Fprintf(&sb, "      %-*s %s\n", width+1, as.name+":", strconv.Quote(string(ae)))
		fmt.Fprintf(&sb, "      %-*s %s\n", width+1, bs.name+":", strconv.Quote(string(be)))
	}
	fmt.Fprintf(&sb, "    diff: %s", firstDiff(av, bv, as.name, bs.name))
	return sb.String()
}
