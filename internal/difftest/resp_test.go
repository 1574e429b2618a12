package difftest

import (
	"bufio"
	"errors"
	"io"
	"net"
	"strings"
	"testing"
	"time"
)

func TestReadReplyRoundTrip(t *testing.T) {
	cases := []struct {
		name, raw string
		check     func(v Value) bool
	}{
		{"simple", "+OK\r\n", func(v Value) bool { return v.Type == '+' && v.Str == "OK" }},
		{"error", "-ERR no\r\n", func(v Value) bool { return v.isError() && v.Str == "ERR no" }},
		{"integer", ":-42\r\n", func(v Value) bool { return v.Str == "-42" }},
		{"bulk", "$5\r\na\r\nb\x00\r\n", func(v Value) bool { return v.Str == "a\r\nb\x00" }},
		{"empty bulk", "$0\r\n\r\n", func(v Value) bool { return v.Type == '$' && v.Str == "" && !v.Null }},
		{"null bulk", "$-1\r\n", func(v Value) bool { return v.Null && v.Type == '$' }},
		{"null array", "*-1\r\n", func(v Value) bool { return v.Null && v.Type == '*' }},
		{"resp3 null", "_\r\n", func(v Value) bool { return v.Type == '_' }},
		{"double", ",3.14\r\n", func(v Value) bool { return v.Str == "3.14" }},
		{"double inf", ",-inf\r\n", func(v Value) bool { return v.Str == "-inf" }},
		{"boolean", "#t\r\n", func(v Value) bool { return v.Str == "t" }},
		{"blob error", "!10\r\nERR a\r\nbcd\r\n", func(v Value) bool { return v.isError() && v.Str == "ERR a\r\nbcd" }},
		{"verbatim", "=8\r\ntxt:abcd\r\n", func(v Value) bool { return v.Str == "txt:abcd" }},
		{"big number", "(-1234567890123456789012345678901234567890\r\n", func(v Value) bool { return v.Type == '(' }},
		{"nested array", "*2\r\n*2\r\n:1\r\n$1\r\na\r\n*0\r\n", func(v Value) bool {
			return len(v.Elems) == 2 && len(v.Elems[0].Elems) == 2 && len(v.Elems[1].Elems) == 0
		}},
		{"map", "%2\r\n+a\r\n:1\r\n+b\r\n%1\r\n+c\r\n_\r\n", func(v Value) bool { return len(v.Elems) == 4 && v.Elems[3].Type == '%' }},
		{"set", "~2\r\n:1\r\n:2\r\n", func(v Value) bool { return len(v.Elems) == 2 }},
		{"push", ">3\r\n$7\r\nmessage\r\n$1\r\nc\r\n$1\r\nm\r\n", func(v Value) bool { return v.Type == '>' && len(v.Elems) == 3 }},
		{"attribute", "|1\r\n+key-popularity\r\n*2\r\n$7\r\nkey:123\r\n:90\r\n$4\r\nreal\r\n", func(v Value) bool {
			return v.Type == '$' && v.Str == "real" && v.Attr != nil && len(v.Attr.Elems) == 2
		}},
		{"nested attribute", "*1\r\n|1\r\n+a\r\n+b\r\n:1\r\n", func(v Value) bool { return v.Elems[0].Attr != nil }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			// A second reply follows, to check that exactly one is consumed.
			br := bufio.NewReader(strings.NewReader(tc.raw + "+NEXT\r\n"))
			raw, v, err := ReadReply(br)
			if err != nil {
				t.Fatalf("ReadReply(%q): %v", tc.raw, err)
			}
			if string(raw) != tc.raw {
				t.Errorf("raw = %q, want %q", raw, tc.raw)
			}
			if enc := string(v.Encode(nil)); enc != tc.raw {
				t.Errorf("Encode = %q, want %q", enc, tc.raw)
			}
			if !tc.check(v) {
				t.Errorf("parsed %q as %+v", tc.raw, v)
			}
			if raw, _, err := ReadReply(br); err != nil || string(raw) != "+NEXT\r\n" {
				t.Errorf("next reply = %q, %v; want +NEXT", raw, err)
			}
		})
	}
}

func TestReadReplyErrors(t *testing.T) {
	cases := []struct {
		name, raw string
		want      error  // errors.Is target, or nil to check msg
		msg       string // substring of a ProtocolError
	}{
		{"empty input", "", io.EOF, ""},
		{"truncated line", "+OK", io.ErrUnexpectedEOF, ""},
		{"truncated bulk", "$5\r\nab", io.ErrUnexpectedEOF, ""},
		{"truncated array", "*2\r\n:1\r\n", io.ErrUnexpectedEOF, ""},
		{"missing CR", "+OK\n", nil, "CRLF"},
		{"unknown type", "?x\r\n", nil, "unknown type byte"},
		{"bad integer", ":12a\r\n", nil, "bad integer"},
		{"bad length", "$x\r\n", nil, "bad length"},
		{"negative length", "*-2\r\n", nil, "negative length"},
		{"null map", "%-1\r\n", nil, "negative length"},
		{"bulk without CRLF", "$1\r\nabc\r\n", nil, "not followed by CRLF"},
		{"bad boolean", "#x\r\n", nil, "bad boolean"},
		{"bad double", ",1.x\r\n", nil, "bad double"},
		{"verbatim without format", "=2\r\nab\r\n", nil, "format prefix"},
		{"streamed string", "$?\r\n;1\r\na\r\n;0\r\n", errStreamed, ""},
		{"too deep", strings.Repeat("*1\r\n", maxDepth+2) + ":1\r\n", nil, "nesting deeper"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := ReadReply(bufio.NewReader(strings.NewReader(tc.raw)))
			if tc.want != nil {
				if !errors.Is(err, tc.want) {
					t.Fatalf("ReadReply(%q) error = %v, want %v", tc.raw, err, tc.want)
				}
				return
			}
			var pe *ProtocolError
			if !errors.As(err, &pe) || !strings.Contains(err.Error(), tc.msg) {
				t.Fatalf("ReadReply(%q) error = %v, want a ProtocolError containing %q", tc.raw, err, tc.msg)
			}
		})
	}
}

func TestParseReplyTrailingBytes(t *testing.T) {
	if _, err := ParseReply([]byte("+OK\r\n+OK\r\n")); err == nil || !strings.Contains(err.Error(), "trailing") {
		t.Fatalf("ParseReply of two replies: %v, want a trailing-bytes error", err)
	}
	if _, err := ParseReply([]byte("$3\r\nab")); !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Fatalf("ParseReply of a short reply: %v, want io.ErrUnexpectedEOF", err)
	}
}

func TestLongLine(t *testing.T) {
	long := "+" + strings.Repeat("x", 100000) + "\r\n"
	raw, v, err := ReadReply(bufio.NewReaderSize(strings.NewReader(long), 16))
	if err != nil || string(raw) != long || len(v.Str) != 100000 {
		t.Fatalf("long simple string: %d bytes, %v", len(raw), err)
	}
}

func TestAppendCommand(t *testing.T) {
	got := string(AppendCommand(nil, []string{"SET", "k", "a\r\nb"}))
	want := "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$4\r\na\r\nb\r\n"
	if got != want {
		t.Fatalf("AppendCommand = %q, want %q", got, want)
	}
}

// TestConnSendReadTimeout checks Send, Read and Do over a pipe, and that a
// reply that never comes is a timeout, not a hang.
func TestConnSendReadTimeout(t *testing.T) {
	client, srv := net.Pipe()
	defer srv.Close()
	c := &Conn{nc: client, br: bufio.NewReader(client), Timeout: 2 * time.Second}
	defer c.Close()

	done := make(chan error, 1)
	go func() {
		br := bufio.NewReader(srv)
		for _, reply := range []string{"+PONG\r\n", ">2\r\n+a\r\n+b\r\n:1\r\n"} {
			if _, _, err := ReadReply(br); err != nil {
				done <- err
				return
			}
			if _, err := srv.Write([]byte(reply)); err != nil {
				done <- err
				return
			}
		}
		done <- nil
	}()
	if raw, err := c.Do("PING"); err != nil || string(raw) != "+PONG\r\n" {
		t.Fatalf("Do(PING) = %q, %v", raw, err)
	}
	if err := c.Send("SUBSCRIBE", "a"); err != nil {
		t.Fatal(err)
	}
	if raw, err := c.Read(); err != nil || string(raw) != ">2\r\n+a\r\n+b\r\n" {
		t.Fatalf("first pending reply = %q, %v", raw, err)
	}
	if raw, err := c.Read(); err != nil || string(raw) != ":1\r\n" {
		t.Fatalf("second pending reply = %q, %v", raw, err)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	c.Timeout = 20 * time.Millisecond
	_, err := c.Read()
	var ne net.Error
	if !errors.As(err, &ne) || !ne.Timeout() {
		t.Fatalf("Read with nothing to read: %v, want a timeout", err)
	}
}
