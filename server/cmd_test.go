package server

import (
	"context"
	"strings"
	"testing"
	"time"
)

const helloPrefix3 = "%7\r\n$6\r\nserver\r\n$5\r\nredis\r\n$7\r\nversion\r\n$6\r\n" + Version + "\r\n$5\r\nproto\r\n:3\r\n$2\r\nid\r\n"

func TestTransactions(t *testing.T) {
	s := start(t, Config{})
	c := dial(t, s)
	t.Run("nested MULTI does not abort", func(t *testing.T) {
		c.must("+OK\r\n", "MULTI")
		c.must("-ERR MULTI calls can not be nested\r\n", "MULTI")
		c.must("+QUEUED\r\n", "PING")
		c.must("*1\r\n+PONG\r\n", "EXEC")
	})
	t.Run("WATCH inside MULTI", func(t *testing.T) {
		c.must("+OK\r\n", "MULTI")
		c.must("-ERR WATCH inside MULTI is not allowed\r\n", "WATCH", "x")
		c.must("*0\r\n", "EXEC")
	})
	t.Run("unknown command aborts", func(t *testing.T) {
		c.must("+OK\r\n", "MULTI")
		c.must("-ERR unknown command 'foo', with args beginning with: \r\n", "foo")
		c.must("+QUEUED\r\n", "PING")
		c.must("-EXECABORT Transaction discarded because of previous errors.\r\n", "EXEC")
		c.must("-ERR EXEC without MULTI\r\n", "EXEC")
	})
	t.Run("arity error aborts", func(t *testing.T) {
		c.must("+OK\r\n", "MULTI")
		c.must("-ERR wrong number of arguments for 'get' command\r\n", "GET")
		c.must("-EXECABORT Transaction discarded because of previous errors.\r\n", "EXEC")
	})
	t.Run("DISCARD", func(t *testing.T) {
		c.must("+OK\r\n", "MULTI")
		c.must("+QUEUED\r\n", "SET", "k", "v")
		c.must("+OK\r\n", "DISCARD")
		c.must("-ERR DISCARD without MULTI\r\n", "DISCARD")
		c.must("$-1\r\n", "GET", "k")
	})
	t.Run("errors are elements", func(t *testing.T) {
		c.must("+OK\r\n", "MULTI")
		c.must("+QUEUED\r\n", "SET", "k", "v")
		c.must("+QUEUED\r\n", "INCR", "k")
		c.must("+QUEUED\r\n", "GET", "k")
		c.must("*3\r\n+OK\r\n-ERR value is not an integer or out of range\r\n$1\r\nv\r\n", "EXEC")
	})
	t.Run("WATCH", func(t *testing.T) {
		other := dial(t, s)
		c.must("+OK\r\n", "WATCH", "w")
		other.must("+OK\r\n", "SET", "w", "1")
		c.must("+OK\r\n", "MULTI")
		c.must("+QUEUED\r\n", "PING")
		c.must("*-1\r\n", "EXEC")
		// The failed EXEC unwatched: the next transaction runs.
		c.must("+OK\r\n", "MULTI")
		c.must("+QUEUED\r\n", "PING")
		c.must("*1\r\n+PONG\r\n", "EXEC")
		// RESP3: the null is "_".
		c.do("HELLO", "3")
		c.must("+OK\r\n", "WATCH", "w")
		other.must("+OK\r\n", "SET", "w", "2")
		c.must("+OK\r\n", "MULTI")
		c.must("_\r\n", "EXEC")
		c.must("+OK\r\n", "WATCH", "w")
		c.must("+OK\r\n", "UNWATCH")
		other.must("+OK\r\n", "SET", "w", "3")
		c.must("+OK\r\n", "MULTI")
		c.must("*0\r\n", "EXEC")
	})
	t.Run("HELLO inside EXEC switches at once", func(t *testing.T) {
		d := dial(t, s)
		d.must("+OK\r\n", "MULTI")
		d.must("+QUEUED\r\n", "HELLO", "3")
		got := d.do("EXEC")
		if !strings.HasPrefix(got, "*1\r\n"+helloPrefix3) {
			t.Errorf("got %q", got)
		}
	})
	t.Run("QUIT inside MULTI", func(t *testing.T) {
		d := dial(t, s)
		d.must("+OK\r\n", "MULTI")
		d.send(encode("QUIT"))
		d.closed("+OK\r\n")
	})
}

func TestAuth(t *testing.T) {
	t.Run("no password", func(t *testing.T) {
		s := start(t, Config{})
		c := dial(t, s)
		c.must("-ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?\r\n", "AUTH", "x")
		c.must("+OK\r\n", "AUTH", "default", "anything")
		c.must("-WRONGPASS invalid username-password pair or user is disabled.\r\n", "AUTH", "bob", "x")
	})
	t.Run("requirepass", func(t *testing.T) {
		s := start(t, Config{RequirePass: "secret"})
		c := dial(t, s)
		c.must("-NOAUTH Authentication required.\r\n", "GET", "k")
		c.must("-ERR unknown command 'foo', with args beginning with: \r\n", "foo")
		c.must("-WRONGPASS invalid username-password pair or user is disabled.\r\n", "AUTH", "nope")
		c.must("-NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO <proto> AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol version at the same time\r\n", "HELLO", "3")
		c.must("+OK\r\n", "AUTH", "secret")
		c.must("$-1\r\n", "GET", "k")
		c.must("+RESET\r\n", "RESET")
		c.must("-NOAUTH Authentication required.\r\n", "PING")
		if got := c.do("HELLO", "3", "AUTH", "default", "secret"); !strings.HasPrefix(got, helloPrefix3) {
			t.Errorf("HELLO AUTH: got %q", got)
		}
		c.must("+PONG\r\n", "PING")

		// Redis 7.2 and later drop a failed AUTH's error when replies are
		// pending, so EXEC promises two replies and sends one
		// (redis/redis#15640); we keep the protocol whole, as 7.0 did.
		e := dial(t, s)
		e.must("+OK\r\n", "AUTH", "secret")
		e.must("+OK\r\n", "MULTI")
		e.must("+QUEUED\r\n", "AUTH", "wrong")
		e.must("+QUEUED\r\n", "AUTH", "secret")
		e.must("*2\r\n-WRONGPASS invalid username-password pair or user is disabled.\r\n+OK\r\n", "EXEC")

		d := dial(t, s)
		d.must("-NOAUTH Authentication required.\r\n", "MULTI")
		// Unauthenticated clients may not send big requests.
		d.send(encode(strings.Split("a b c d e f g h i j k", " ")...))
		d.closed("-ERR Protocol error: unauthenticated multibulk length\r\n")
	})
}

func TestHello(t *testing.T) {
	s := start(t, Config{})
	c := dial(t, s)
	c.must("-NOPROTO unsupported protocol version\r\n", "HELLO", "4")
	c.must("-ERR Protocol version is not an integer or out of range\r\n", "HELLO", "x")
	c.must("-ERR Syntax error in HELLO option 'foo'\r\n", "HELLO", "3", "foo")
	got := c.do("HELLO")
	want := "*14\r\n$6\r\nserver\r\n$5\r\nredis\r\n$7\r\nversion\r\n$6\r\n" + Version + "\r\n$5\r\nproto\r\n:2\r\n$2\r\nid\r\n"
	if !strings.HasPrefix(got, want) || !strings.HasSuffix(got, "$4\r\nmode\r\n$10\r\nstandalone\r\n$4\r\nrole\r\n$6\r\nmaster\r\n$7\r\nmodules\r\n*0\r\n") {
		t.Errorf("HELLO: got %q", got)
	}
	if got := c.do("HELLO", "3", "SETNAME", "me"); !strings.HasPrefix(got, helloPrefix3) {
		t.Errorf("HELLO 3: got %q", got)
	}
	c.must("$2\r\nme\r\n", "CLIENT", "GETNAME")
	c.must("_\r\n", "GET", "missing")
	c.must("+RESET\r\n", "RESET")
	c.must("$-1\r\n", "GET", "missing")
	c.must("$-1\r\n", "CLIENT", "GETNAME")
}

func TestClient(t *testing.T) {
	s := start(t, Config{})
	c := dial(t, s)
	c.must("-ERR Client names cannot contain spaces, newlines or special characters.\r\n", "CLIENT", "SETNAME", "a b")
	c.must("+OK\r\n", "CLIENT", "SETNAME", "conn1")
	c.must("$5\r\nconn1\r\n", "CLIENT", "GETNAME")
	c.must("+OK\r\n", "CLIENT", "SETNAME", "")
	c.must("$-1\r\n", "CLIENT", "GETNAME")
	c.must("-ERR LIB-NAME cannot contain spaces, newlines or special characters.\r\n", "CLIENT", "SETINFO", "LIB-NAME", "a b")
	c.must("+OK\r\n", "CLIENT", "SETINFO", "lib-name", "go-redis")
	c.must("+OK\r\n", "CLIENT", "SETINFO", "LIB-VER", "9.0")
	id := strings.TrimSuffix(c.do("CLIENT", "ID")[1:], "\r\n")
	info := c.do("CLIENT", "INFO")
	for _, f := range []string{"id=" + id + " ", " flags=N ", " db=0 ", " cmd=client|info ", " resp=2 ", " lib-name=go-redis lib-ver=9.0 io-thread=0 "} {
		if !strings.Contains(info, f) {
			t.Errorf("CLIENT INFO %q lacks %q", info, f)
		}
	}
	c.must("-ERR Unknown client type 'foo'\r\n", "CLIENT", "LIST", "TYPE", "foo")
	c.must("-ERR Invalid client ID\r\n", "CLIENT", "LIST", "ID", "x")
	if got := c.do("CLIENT", "LIST", "ID", id); !strings.HasPrefix(got, "$") || strings.Count(got, "\n") != 3 {
		t.Errorf("CLIENT LIST ID: got %q", got)
	}
	c.must("$0\r\n\r\n", "CLIENT", "LIST", "TYPE", "pubsub")

	// REPLY
	c.send(append(append(encode("CLIENT", "REPLY", "SKIP"), encode("PING")...), encode("ECHO", "a")...))
	if got := c.readReply(); got != "$1\r\na\r\n" {
		t.Errorf("after SKIP: got %q", got)
	}
	c.send(append(append(encode("CLIENT", "REPLY", "OFF"), encode("PING")...), encode("CLIENT", "REPLY", "ON")...))
	if got := c.readReply(); got != "+OK\r\n" {
		t.Errorf("after OFF, ON: got %q", got)
	}

	// KILL
	d := dial(t, s)
	did := strings.TrimSuffix(d.do("CLIENT", "ID")[1:], "\r\n")
	c.must("-ERR No such client\r\n", "CLIENT", "KILL", "1.2.3.4:5")
	c.must(":0\r\n", "CLIENT", "KILL", "ID", "999999")
	c.must("-ERR client-id should be greater than 0\r\n", "CLIENT", "KILL", "ID", "0")
	c.must(":1\r\n", "CLIENT", "KILL", "ID", did)
	d.closed("")
	c.must(":0\r\n", "CLIENT", "KILL", "ID", id) // SKIPME yes by default
	c.must(":1\r\n", "CLIENT", "KILL", "ID", id, "SKIPME", "no")
	c.closed("")

	e := dial(t, s)
	e.must(":0\r\n", "CLIENT", "UNBLOCK", did)
	e.must("-ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR\r\n", "CLIENT", "UNBLOCK", did, "foo")
	e.must("+OK\r\n", "CLIENT", "NO-EVICT", "on")
	e.must("+OK\r\n", "CLIENT", "NO-TOUCH", "on")
	if info := e.do("CLIENT", "INFO"); !strings.Contains(info, " flags=eT ") {
		t.Errorf("CLIENT INFO after NO-EVICT, NO-TOUCH: %q", info)
	}
}

func TestClientUnblock(t *testing.T) {
	s := start(t, Config{})
	c := dial(t, s)
	d := dial(t, s)
	did := strings.TrimSuffix(d.do("CLIENT", "ID")[1:], "\r\n")
	for _, tc := range []struct{ reason, reply string }{
		{"TIMEOUT", "*-1\r\n"},
		{"ERROR", "-UNBLOCKED client unblocked via CLIENT UNBLOCK\r\n"},
	} {
		d.send(encode("XREAD", "BLOCK", "0", "STREAMS", "s", "$"))
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		if err := s.WaitBlocked(ctx, 1); err != nil {
			t.Fatalf("XREAD BLOCK 0 never blocked: %v", err)
		}
		cancel()
		c.must(":1\r\n", "CLIENT", "UNBLOCK", did, tc.reason)
		if got := d.readReply(); got != tc.reply {
			t.Errorf("CLIENT UNBLOCK %s: blocked client got %q, want %q", tc.reason, got, tc.reply)
		}
		// Woken means no longer counted, and nothing left to unblock.
		if n := s.BlockedClients(); n != 0 {
			t.Errorf("after CLIENT UNBLOCK %s: %d clients still blocked", tc.reason, n)
		}
		c.must(":0\r\n", "CLIENT", "UNBLOCK", did, tc.reason)
	}
}

func TestCommandShapes(t *testing.T) {
	s := start(t, Config{})
	c := dial(t, s)
	c.must("*1\r\n$-1\r\n", "COMMAND", "INFO", "nosuch")
	c.must("*1\r\n*10\r\n$3\r\nget\r\n:2\r\n*2\r\n+readonly\r\n+fast\r\n:1\r\n:1\r\n:1\r\n*3\r\n+@read\r\n+@string\r\n+@fast\r\n*0\r\n*1\r\n*6\r\n$5\r\nflags\r\n*2\r\n+RO\r\n+access\r\n$12\r\nbegin_search\r\n*4\r\n$4\r\ntype\r\n$5\r\nindex\r\n$4\r\nspec\r\n*2\r\n$5\r\nindex\r\n:1\r\n$9\r\nfind_keys\r\n*4\r\n$4\r\ntype\r\n$5\r\nrange\r\n$4\r\nspec\r\n*6\r\n$7\r\nlastkey\r\n:0\r\n$7\r\nkeystep\r\n:1\r\n$5\r\nlimit\r\n:0\r\n*0\r\n",
		"COMMAND", "INFO", "get")
	c.must("*1\r\n$3\r\nkey\r\n", "COMMAND", "GETKEYS", "GET", "key")
	c.must("-ERR Invalid command specified\r\n", "COMMAND", "GETKEYS", "nosuch", "x")
	c.must("-ERR The command has no key arguments\r\n", "COMMAND", "GETKEYS", "PING", "x")
	c.must("-ERR Invalid number of arguments specified for command\r\n", "COMMAND", "GETKEYS", "GET", "a", "b")
	c.must("*1\r\n*2\r\n$3\r\nkey\r\n*2\r\n+RO\r\n+access\r\n", "COMMAND", "GETKEYSANDFLAGS", "GET", "key")
	c.must("*0\r\n", "COMMAND", "DOCS", "nosuch")
	c.do("HELLO", "3")
	c.must("%0\r\n", "COMMAND", "DOCS", "nosuch")
	if got := c.do("COMMAND", "DOCS", "get"); !strings.HasPrefix(got, "%1\r\n$3\r\nget\r\n%") {
		t.Errorf("COMMAND DOCS get: %q", got)
	}
}

func TestConfig(t *testing.T) {
	s := start(t, Config{})
	c := dial(t, s)
	c.must("*2\r\n$9\r\nmaxmemory\r\n$1\r\n0\r\n", "CONFIG", "GET", "maxmemory")
	c.must("-ERR Unknown option or number of arguments for CONFIG SET - 'foo'\r\n", "CONFIG", "SET", "foo", "bar")
	c.must("-ERR CONFIG SET failed (possibly related to argument 'maxmemory') - argument must be a memory value\r\n", "CONFIG", "SET", "maxmemory", "x")
	c.must("-ERR CONFIG SET failed (possibly related to argument 'databases') - can't set immutable config\r\n", "CONFIG", "SET", "databases", "3")
	c.must("-ERR CONFIG SET failed (possibly related to argument 'maxmemory') - duplicate parameter\r\n", "CONFIG", "SET", "maxmemory", "1", "maxmemory", "2")
	c.must("+OK\r\n", "CONFIG", "SET", "maxmemory", "1mb", "appendonly", "YES")
	c.must("*4\r\n$9\r\nmaxmemory\r\n$7\r\n1048576\r\n$10\r\nappendonly\r\n$3\r\nyes\r\n", "CONFIG", "GET", "maxmemory", "appendon*")
	c.must("*2\r\n$9\r\ndatabases\r\n$2\r\n16\r\n", "CONFIG", "GET", "databases")
	c.do("HELLO", "3")
	c.must("%1\r\n$9\r\ndatabases\r\n$2\r\n16\r\n", "CONFIG", "GET", "databases")
	c.must("+OK\r\n", "CONFIG", "SET", "requirepass", "pw")
	d := dial(t, s)
	d.must("-NOAUTH Authentication required.\r\n", "PING")
}

func TestInfo(t *testing.T) {
	s := start(t, Config{})
	c := dial(t, s)
	c.must("+OK\r\n", "SET", "k", "v")
	info := c.do("INFO")
	for _, f := range []string{"# Server\r\n", "redis_version:" + Version + "\r\n", "redcurrent_version:", "connected_clients:1\r\n", "blocked_clients:0\r\n", "used_memory:", "db0:keys=1,expires=0"} {
		if !strings.Contains(info, f) {
			t.Errorf("INFO lacks %q", f)
		}
	}
	if got := c.do("INFO", "clients"); strings.Contains(got, "# Server") || !strings.Contains(got, "# Clients") {
		t.Errorf("INFO clients: %q", got)
	}
	c.must("$0\r\n\r\n", "INFO", "nosuch")
}
