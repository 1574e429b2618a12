package difftest

import (
	"bufio"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// ErrNoRedis is returned (wrapped) when no redis-server binary is available:
// none on PATH and $REDCURRENT_REDIS_SERVER unset. Run turns it into a skip,
// or a failure under REDCURRENT_REQUIRE_REDIS=1.
var ErrNoRedis = errors.New("redis-server not found on PATH and $REDCURRENT_REDIS_SERVER is unset")

// ErrNoRedis8 is returned (wrapped) by Redis8Binary when
// $REDCURRENT_REDIS8_SERVER is unset: there is no second, newer reference.
// Run then compares with the first reference alone, as before there was a
// second one; it never fails for this, even under REDCURRENT_REQUIRE_REDIS=1.
var ErrNoRedis8 = errors.New("$REDCURRENT_REDIS8_SERVER is unset")

// startTimeout bounds how long StartRedis waits for the server to answer PING.
const startTimeout = 15 * time.Second

// Redis is a redis-server process started by StartRedis, listening on a
// free 127.0.0.1 port, with no persistence, in its own temporary directory.
type Redis struct {
	// Addr is the host:port the server listens on.
	Addr string
	// Version is the server's redis_version, as "7.0.15".
	Version string

	cmd  *exec.Cmd
	dir  string
	done chan struct{} // closed when the process has exited
	once sync.Once
}

// RedisBinary returns the redis-server to run: $REDCURRENT_REDIS_SERVER if
// set (it must exist), else redis-server from PATH, else an error wrapping
// ErrNoRedis.
func RedisBinary() (string, error) {
	if p := os.Getenv("REDCURRENT_REDIS_SERVER"); p != "" {
		if _, err := os.Stat(p); err != nil {
			return "", fmt.Errorf("$REDCURRENT_REDIS_SERVER: %w", err)
		}
		return p, nil
	}
	p, err := exec.LookPath("redis-server")
	if err != nil {
		return "", fmt.Errorf("%w (%v)", ErrNoRedis, err)
	}
	return p, nil
}

// Redis8Binary returns the second reference's redis-server,
// $REDCURRENT_REDIS8_SERVER (a Redis 8 build), or an error wrapping
// ErrNoRedis8 when the variable is unset. A variable naming a file that
// does not exist is an error that does not wrap ErrNoRedis8: a reference
// asked for and missing fails the run.
func Redis8Binary() (string, error) {
	p := os.Getenv("REDCURRENT_REDIS8_SERVER")
	if p == "" {
		return "", ErrNoRedis8
	}
	if _, err := os.Stat(p); err != nil {
		return "", fmt.Errorf("$REDCURRENT_REDIS8_SERVER: %w", err)
	}
	return p, nil
}

// StartRedis starts redis-server on a free loopback port with
// --save "" --appendonly no --databases 16 --enable-debug-command yes and a
// temporary --dir, followed by extra (more "--option value" arguments, which
// override those). It returns when the server answers PING. The caller must
// Close it.
func StartRedis(extra ...string) (*Redis, error) {
	return startBinary(RedisBinary, extra)
}

// startBinary is StartRedis with the binary binary returns.
func startBinary(binary func() (string, error), extra []string) (*Redis, error) {
	bin, err := binary()
	if err != nil {
		return nil, err
	}
	var lastErr error
	// The free port is found by listening on port 0 and closing the
	// listener, so another process can take it first: retry a few times.
	for range 5 {
		r, err := startRedis(bin, extra)
		if err == nil {
			return r, nil
		}
		lastErr = err
		if !strings.Contains(err.Error(), "in use") {
			break
		}
	}
	return nil, lastErr
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

func startRedis(bin string, extra []string) (*Redis, error) {
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "difftest-redis-")
	if err != nil {
		return nil, err
	}
	args := []string{
		"--port", strconv.Itoa(port),
		"--bind", "127.0.0.1",
		"--save", "",
		"--appendonly", "no",
		"--dir", dir,
		"--databases", "16",
		"--enable-debug-command", "yes",
		"--daemonize", "no",
		"--logfile", filepath.Join(dir, "redis.log"),
		"--loglevel", "notice",
	}
	args = append(args, extra...)
	cmd := exec.Command(bin, args...)
	cmd.Dir = dir
	setDeathSignal(cmd)
	if err := cmd.Start(); err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("starting %s: %w", bin, err)
	}
	r := &Redis{Addr: net.JoinHostPort("127.0.0.1", strconv.Itoa(port)), cmd: cmd, dir: dir, done: make(chan struct{})}
	go func() {
		cmd.Wait()
		close(r.done)
	}()
	if err := r.waitReady(); err != nil {
		log := r.logTail()
		r.Close()
		return nil, fmt.Errorf("redis-server %s: %w\n%s", strings.Join(args, " "), err, log)
	}
	return r, nil
}

// waitReady polls until the server answers PING with +PONG, the process
// exits, or startTimeout passes.
func (r *Redis) waitReady() error {
	deadline := time.Now().Add(startTimeout)
	delay := time.Millisecond
	for {
		select {
		case <-r.done:
			return fmt.Errorf("exited during start-up (%v)", r.cmd.ProcessState)
		default:
		}
		if c, err := Dial(r.Addr, time.Second); err == nil {
			raw, err := c.Do("PING")
			if err == nil && string(raw) == "+PONG\r\n" {
				v, err := c.Do("INFO", "server")
				c.Close()
				if err != nil {
					return err
				}
				r.Version = infoField(v, "redis_version")
				return nil
			}
			c.Close()
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("no PONG within %v", startTimeout)
		}
		t := time.NewTimer(delay)
		select {
		case <-r.done:
		case <-t.C:
		}
		t.Stop()
		delay = min(2*delay, 50*time.Millisecond)
	}
}

// infoField returns the value of "name:value" in an INFO reply (raw RESP or text).
func infoField(info []byte, name string) string {
	sc := bufio.NewScanner(strings.NewReader(string(info)))
	for sc.Scan() {
		if v, ok := strings.CutPrefix(strings.TrimRight(sc.Text(), "\r"), name+":"); ok {
			return v
		}
	}
	return ""
}

func (r *Redis) logTail() string {
	b, err := os.ReadFile(filepath.Join(r.dir, "redis.log"))
	if err != nil {
		return ""
	}
	if len(b) > 2000 {
		b = b[len(b)-2000:]
	}
	return "log tail:\n" + string(b)
}

// Endpoint returns the server as a difftest target or reference.
func (r *Redis) Endpoint() Endpoint {
	return Endpoint{Name: "redis-server " + r.Version, Addr: r.Addr}
}

// Close stops the server (SIGTERM, then SIGKILL after 5s) and removes its
// directory. It is safe to call more than once.
func (r *Redis) Close() error {
	r.once.Do(func() {
		r.cmd.Process.Signal(syscall.SIGTERM)
		t := time.NewTimer(5 * time.Second)
		select {
		case <-r.done:
		case <-t.C:
			r.cmd.Process.Kill()
			<-r.done
		}
		t.Stop()
		os.RemoveAll(r.dir)
	})
	return nil
}

// Reference is a redis-server shared by the tests of one package: it starts
// on first use and stops when the package's TestMain calls Close (or Main
// does). Its Endpoint method has the signature Run expects.
type Reference struct {
	binary func() (string, error)
	extra  []string
	mu     sync.Mutex
	r      *Redis
	err    error
	tried  bool
}

// NewReference returns a Reference that will start redis-server (see
// RedisBinary) with the extra options given (see StartRedis). Nothing
// starts until Endpoint.
func NewReference(extra ...string) *Reference {
	return &Reference{binary: RedisBinary, extra: extra}
}

// NewReference8 is NewReference for the second reference, the Redis 8
// build that $REDCURRENT_REDIS8_SERVER names (see Redis8Binary). When the
// variable is unset its Endpoint returns an error wrapping ErrNoRedis8,
// which Runner.Refs takes as "no second reference".
func NewReference8(extra ...string) *Reference {
	return &Reference{binary: Redis8Binary, extra: extra}
}

// Endpoint starts the server on first call and returns it. If no
// redis-server exists the error wraps ErrNoRedis (ErrNoRedis8 for
// NewReference8 with $REDCURRENT_REDIS8_SERVER unset); a server that fails to
// start is reported on every call.
func (ref *Reference) Endpoint() (Endpoint, error) {
	ref.mu.Lock()
	defer ref.mu.Unlock()
	if !ref.tried {
		ref.tried = true
		bin := ref.binary
		if bin == nil {
			bin = RedisBinary
		}
		ref.r, ref.err = startBinary(bin, ref.extra)
	}
	if ref.err != nil {
		return Endpoint{}, ref.err
	}
	return ref.r.Endpoint(), nil
}

// Close stops the server if it was started.
func (ref *Reference) Close() error {
	ref.mu.Lock()
	defer ref.mu.Unlock()
	if ref.r != nil {
		return ref.r.Close()
	}
	return nil
}

// Main is the body of a TestMain that uses References: it runs the tests,
// closes every reference and exits with the tests' status.
//
//	var ref = difftest.NewReference()
//	func TestMain(m *testing.M) { difftest.Main(m, ref) }
func Main(m *testing.M, refs ...*Reference) {
	code := m.Run()
	for _, r := range refs {
		r.Close()
	}
	os.Exit(code)
}
