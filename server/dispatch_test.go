package server

import (
	"strconv"
	"strings"
	"testing"

	"github.com/redcurrent/redcurrent/generated"
)

func TestDispatchErrors(t *testing.T) {
	s := start(t, Config{})
	c := dial(t, s)
	cases := []struct {
		cmd  []string
		want string
	}{
		{[]string{"foo", "a", "b"}, "-ERR unknown command 'foo', with args beginning with: 'a' 'b' \r\n"},
		{[]string{"foo"}, "-ERR unknown command 'foo', with args beginning with: \r\n"},
		{[]string{"foo", "a\r\nb"}, "-ERR unknown command 'foo', with args beginning with: 'a  b' \r\n"},
		{[]string{"foo", "a\x00b"}, "-ERR unknown command 'foo', with args beginning with: 'a' \r\n"},
		{[]string{"foo", strings.Repeat("x", 200)}, "-ERR unknown command 'foo', with args beginning with: '" + strings.Repeat("x", 128) + "' \r\n"},
		{[]string{"CLIENT"}, "-ERR wrong number of arguments for 'client' command\r\n"},
		{[]string{"CLIENT", "foo"}, "-ERR unknown subcommand 'foo'. Try CLIENT HELP.\r\n"},
		{[]string{"client", "foo"}, "-ERR unknown subcommand 'foo'. Try CLIENT HELP.\r\n"},
		{[]string{"client", "setname"}, "-ERR wrong number of arguments for 'client|setname' command\r\n"},
		{[]string{"GET"}, "-ERR wrong number of arguments for 'get' command\r\n"},
		{[]string{"EXEC"}, "-ERR EXEC without MULTI\r\n"},
		{[]string{"DISCARD"}, "-ERR DISCARD without MULTI\r\n"},
		{[]string{"PiNg"}, "+PONG\r\n"},
	}
	for _, tc := range cases {
		c.must(tc.want, tc.cmd...)
	}
}

func TestProtocolErrors(t *testing.T) {
	s := start(t, Config{})
	cases := []struct{ name, in, want string }{
		{"bad multibulk length", "*x\r\n", "-ERR Protocol error: invalid multibulk length\r\n"},
		{"huge multibulk length", "*3000000000\r\n", "-ERR Protocol error: invalid multibulk length\r\n"},
		{"expected dollar", "*1\r\nx\r\n", "-ERR Protocol error: expected '$', got 'x'\r\n"},
		// The byte as sent, not UTF-8-encoded (Redis's %c).
		{"expected dollar, high byte", "*1\r\n\xe9\r\n", "-ERR Protocol error: expected '$', got '\xe9'\r\n"},
		{"negative bulk length", "*1\r\n$-1\r\n", "-ERR Protocol error: invalid bulk length\r\n"},
		{"1 GB bulk", "*1\r\n$1073741824\r\n", "-ERR Protocol error: invalid bulk length\r\n"},
		{"unbalanced quotes", "PING \"a\r\n", "-ERR Protocol error: unbalanced quotes in request\r\n"},
		{"text after quote", "ECHO \"a\"b\r\n", "-ERR Protocol error: unbalanced quotes in request\r\n"},
		{"too big inline", strings.Repeat("a", 70*1024), "-ERR Protocol error: too big inline request\r\n"},
		{"too big count", "*" + strings.Repeat("1", 70*1024), "-ERR Protocol error: too big mbulk count string\r\n"},
		{"after a good command", "PING\r\n*1\r\n$x\r\n", "+PONG\r\n-ERR Protocol error: invalid bulk length\r\n"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := dial(t, s)
			c.send([]byte(tc.in))
			c.closed(tc.want)
		})
	}
}

func TestRequestForms(t *testing.T) {
	s := start(t, Config{})
	c := dial(t, s)
	// Empty multibulks are skipped; the two bytes after a bulk are not checked.
	c.send([]byte("*0\r\n*-1\r\n*1\r\n$4\r\nPINGxx"))
	if got := c.readReply(); got != "+PONG\r\n" {
		t.Errorf("got %q", got)
	}
	c.send([]byte("ECHO \"a\\x41\\n\" 'it\\'s'\r\n"))
	if got := c.readReply(); got != "-ERR wrong number of arguments for 'echo' command\r\n" {
		t.Errorf("inline with quotes: got %q", got)
	}
	c.send([]byte("  \r\nECHO \"a\\x41\\n\"\n"))
	if got := c.readReply(); got != "$3\r\naA\n\r\n" {
		t.Errorf("inline escapes: got %q", got)
	}
	// A value split across many writes.
	big := strings.Repeat("v", 100000)
	raw := encode("ECHO", big)
	for i := 0; i < len(raw); i += 7000 {
		c.send(raw[i:min(i+7000, len(raw))])
	}
	if got := c.readReply(); got != "$100000\r\n"+big+"\r\n" {
		t.Errorf("big value: got %d bytes", len(got))
	}
}

func TestPipelining(t *testing.T) {
	s := start(t, Config{})
	c := dial(t, s)
	var req []byte
	const n = 10000
	for i := 0; i < n; i++ {
		req = append(req, encode("ECHO", strings.Repeat("x", i%50))...)
	}
	go c.nc.Write(req)
	for i := 0; i < n; i++ {
		v := strings.Repeat("x", i%50)
		want := "$" + strconv.Itoa(len(v)) + "\r\n" + v + "\r\n"
		if got := c.readReply(); got != want {
			t.Fatalf("reply %d: got %q, want %q", i, got, want)
		}
	}
}

// A panic in a handler is answered and logged; the connection goes on.
func TestPanicRecovered(t *testing.T) {
	s := start(t, Config{})
	s.e.Lock()
	s.panicHook = func(cmd *generated.Command) {
		if cmd.Name == "echo" {
			panic("boom")
		}
	}
	s.e.Unlock()
	c := dial(t, s)
	c.send(append(append(encode("PING"), encode("ECHO", "x")...), encode("PING")...))
	for _, want := range []string{"+PONG\r\n", "-ERR internal error\r\n", "+PONG\r\n"} {
		if got := c.readReply(); got != want {
			t.Errorf("got %q, want %q", got, want)
		}
	}
}
