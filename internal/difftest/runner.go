package difftest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
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
// for differential cases.
type Runner struct {
	// Ref returns the reference server (a real redis-server). It is called
	// once per Run. An error wrapping ErrNoRedis skips the differential
	// cases (fails them under REDCURRENT_REQUIRE_REDIS=1); cases marked
	// @since then run against their expected replies. Nil Ref means the
	// same as ErrNoRedis.
	Ref func() (Endpoint, error)
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

	var ref *server
	noRef := ""
	refErr := ErrNoRedis
	if r.Ref != nil {
		var refEP Endpoint
		refEP, refErr = r.Ref()
		if refErr == nil {
			ref = &server{ep: refEP, label: "reference", timeout: r.readTimeout()}
			t.Cleanup(ref.close)
			if err := ref.loadVersion(); err != nil {
				t.Fatalf("difftest: reference %s: %v", refEP.Name, err)
			}
		}
	}
	if refErr != nil {
		if !errors.Is(refErr, ErrNoRedis) || requireRedis() {
			t.Fatalf("difftest: reference: %v", refErr)
		}
		noRef = refErr.Error()
		nSince := 0
		for _, cs := range perFile {
			for _, c := range cs {
				if c.since != [3]int{} {
					nSince++
				}
			}
		}
		if nSince == 0 {
			t.Skipf("difftest: skipped, %v (set REDCURRENT_REQUIRE_REDIS=1 to fail instead)", refErr)
		}
		t.Logf("difftest: differential cases skipped, %v; running only the %d @since case(s) against their expected replies", refErr, nSince)
	}

	var expectedMode []string
	for i, cs := range perFile {
		t.Run(fileTestName(files[i]), func(t *testing.T) {
			for _, c := range cs {
				caseRef := ref
				why := ""
				switch {
				case c.since == [3]int{} && ref == nil:
					continue // differential only; the skip was logged once
				case c.since == [3]int{}:
				case ref == nil:
					why = "no reference server (" + noRef + ")"
				case versionLess(ref.version, c.since):
					why = fmt.Sprintf("reference %s is older than @since %s", ref.ep.Name, c.sinceString())
				}
				if why != "" {
					caseRef = nil
					expectedMode = append(expectedMode, fmt.Sprintf("%s/%s", fileTestName(c.file), c.name))
				}
				t.Run(c.name, func(t *testing.T) {
					if why != "" {
						t.Logf("difftest: compared with the case's expected replies: %s", why)
					}
					for _, p := range c.protocols() {
						t.Run(fmt.Sprintf("resp%d", p), func(t *testing.T) {
							if err := r.runCase(c, p, caseRef, tgt); err != nil {
								t.Error(err)
							}
						})
					}
				})
			}
		})
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

// runCase runs one case in one protocol. ref nil means expected mode: the
// target is compared with the @reply lines. The returned error is the
// failure report.
func (r *Runner) runCase(c *testCase, proto int, ref, tgt *server) error {
	var sides []*side
	var refSide *side
	if ref != nil {
		refSide = &side{srv: ref, proto: proto, c: c, streamIDs: map[string]int{}}
		sides = append(sides, refSide)
	}
	tgtSide := &side{srv: tgt, proto: proto, c: c, streamIDs: map[string]int{}}
	sides = append(sides, tgtSide)
	defer func() {
		for _, sd := range sides {
			sd.closeAll()
		}
	}()
	for _, sd := range sides {
		if err := sd.srv.reset(r.resetCommands()); err != nil {
			return fmt.Errorf("%s:%d: case %q, RESP%d: reset failed: %w", c.file, c.line, c.name, proto, err)
		}
	}
	expSource := source{name: "expected", ids: map[string]int{}}

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
		replies := make([]reply, len(sides))
		for i, sd := range sides {
			if s.kind == stepCommand {
				if err := sd.send(s); err != nil {
					return fmt.Errorf("%s\n    %v", where, err)
				}
			}
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
		tgtSrc := source{name: tgt.name(), ids: tgtSide.streamIDs}
		exp := s.expect[proto-2]
		if exp != nil {
			v, err := ParseReply(exp.raw)
			if err != nil { // checked when parsing the file
				return fmt.Errorf("%s\n    bad @reply: %v", where, err)
			}
			expSrc := expSource
			expSrc.name = fmt.Sprintf("expected (line %d)", exp.line)
			against := tgtReply
			againstSrc := tgtSrc
			if refSide != nil {
				against = replies[0]
				againstSrc = source{name: ref.name(), ids: refSide.streamIDs}
			}
			if msg := compareReplies(reply{raw: exp.raw, v: v}, against, expSrc, againstSrc, relax); msg != "" {
				if refSide != nil {
					msg = "the reference disagrees with the case's expected reply\n" + msg
				}
				return fmt.Errorf("%s\n%s", where, msg)
			}
		} else if refSide == nil {
			return fmt.Errorf("%s\n    no expected reply for RESP%d", where, proto)
		}
		if refSide != nil {
			refSrc := source{name: ref.name(), ids: refSide.streamIDs}
			if msg := compareReplies(replies[0], tgtReply, refSrc, tgtSrc, relax); msg != "" {
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
