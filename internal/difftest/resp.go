package difftest

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strconv"
)

// Value is one parsed RESP2 or RESP3 reply. The harness compares replies by
// their bytes; Value exists so that relaxations can rewrite parts of a reply
// and re-encode it (a changed bulk string needs a new length prefix).
type Value struct {
	// Type is the wire type byte: + - : $ * _ , # ! = ( % ~ >.
	// An attribute is not a type of its own: it is carried by Attr.
	Type byte
	// Str is the payload of a scalar: the text after the type byte for
	// line types, the bytes of a $ ! = string (= includes its "txt:" prefix).
	Str string
	// Null marks the RESP2 nulls $-1 and *-1 (RESP3's null is Type '_').
	Null bool
	// Elems holds the elements of * ~ > and the keys and values of %
	// (key, value, key, value...).
	Elems []Value
	// Attr is the RESP3 attribute (|) that preceded the value, as a Value of
	// Type '|' whose Elems are key, value, ...; nil if there was none.
	Attr *Value
}

// Limits that keep a misbehaving server from exhausting memory or stack.
const (
	maxBulkLen  = 512 << 20
	maxAggLen   = 1 << 24
	maxDepth    = 512
	maxLineLen  = 64 << 20
	preallocCap = 1024
)

// errStreamed is returned for RESP3 streamed strings and aggregates ($? *?),
// which Redis never sends.
var errStreamed = errors.New("resp: streamed RESP3 types are not supported")

// ProtocolError reports bytes that are not a valid RESP reply.
type ProtocolError struct {
	Msg  string
	Data []byte // the reply bytes read so far
}

func (e *ProtocolError) Error() string {
	return fmt.Sprintf("resp: %s (after %s)", e.Msg, strconv.Quote(string(e.Data)))
}

// ReadReply reads exactly one complete reply from br and returns its raw
// bytes and parsed form. An attribute and the value it annotates count as one
// reply; a push message (>) is a reply of its own. On a short read it returns
// io.ErrUnexpectedEOF (or io.EOF if nothing at all was read).
func ReadReply(br *bufio.Reader) ([]byte, Value, error) {
	r := respReader{br: br}
	v, err := r.value(0)
	if err != nil {
		if err == io.EOF && len(r.raw) > 0 {
			err = io.ErrUnexpectedEOF
		}
		return r.raw, Value{}, err
	}
	return r.raw, v, nil
}

// ParseReply parses raw, which must hold exactly one complete reply.
func ParseReply(raw []byte) (Value, error) {
	br := bufio.NewReader(bytes.NewReader(raw))
	got, v, err := ReadReply(br)
	if err != nil {
		if err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		return Value{}, err
	}
	if len(got) != len(raw) {
		return Value{}, &ProtocolError{Msg: fmt.Sprintf("%d trailing bytes after one reply", len(raw)-len(got)), Data: raw}
	}
	return v, nil
}

type respReader struct {
	br  *bufio.Reader
	raw []byte
}

func (r *respReader) perr(format string, args ...any) error {
	return &ProtocolError{Msg: fmt.Sprintf(format, args...), Data: r.raw}
}

// line reads up to and including "\r\n" and returns the text before it.
func (r *respReader) line() (string, error) {
	start := len(r.raw)
	for {
		chunk, err := r.br.ReadSlice('\n')
		r.raw = append(r.raw, chunk...)
		if err == bufio.ErrBufferFull {
			if len(r.raw)-start > maxLineLen {
				return "", r.perr("line longer than %d bytes", maxLineLen)
			}
			continue
		}
		if err != nil {
			if err == io.EOF && len(r.raw) > 0 {
				return "", io.ErrUnexpectedEOF
			}
			return "", err
		}
		break
	}
	l := r.raw[start:]
	if len(l) < 2 || l[len(l)-2] != '\r' {
		return "", r.perr("line not terminated by CRLF")
	}
	return string(l[:len(l)-2]), nil
}

func (r *respReader) length(s string, t byte, allowNull bool) (int, bool, error) {
	if s == "?" {
		return 0, false, errStreamed
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		return 0, false, r.perr("bad length %q for type %q", s, t)
	}
	if n == -1 && allowNull {
		return 0, true, nil
	}
	if n < 0 {
		return 0, false, r.perr("negative length %d for type %q", n, t)
	}
	return n, false, nil
}

func (r *respReader) value(depth int) (Value, error) {
	if depth > maxDepth {
		return Value{}, r.perr("nesting deeper than %d", maxDepth)
	}
	l, err := r.line()
	if err != nil {
		return Value{}, err
	}
	if len(l) == 0 {
		return Value{}, r.perr("empty line where a type byte was expected")
	}
	t, s := l[0], l[1:]
	v := Value{Type: t}
	switch t {
	case '+', '-':
		v.Str = s
	case ':':
		if _, err := strconv.ParseInt(s, 10, 64); err != nil {
			return Value{}, r.perr("bad integer %q", s)
		}
		v.Str = s
	case '(':
		if !isBigNumber(s) {
			return Value{}, r.perr("bad big number %q", s)
		}
		v.Str = s
	case ',':
		if !isDouble(s) {
			return Value{}, r.perr("bad double %q", s)
		}
		v.Str = s
	case '#':
		if s != "t" && s != "f" {
			return Value{}, r.perr("bad boolean %q", s)
		}
		v.Str = s
	case '_':
		if s != "" {
			return Value{}, r.perr("null with payload %q", s)
		}
	case '$', '!', '=':
		n, null, err := r.length(s, t, t == '$')
		if err != nil {
			return Value{}, err
		}
		if null {
			v.Null = true
			break
		}
		if n > maxBulkLen {
			return Value{}, r.perr("string of %d bytes exceeds limit", n)
		}
		start := len(r.raw)
		r.raw = append(r.raw, make([]byte, n+2)...)
		if k, err := io.ReadFull(r.br, r.raw[start:]); err != nil {
			r.raw = r.raw[:start+k]
			if err == io.EOF {
				err = io.ErrUnexpectedEOF
			}
			return Value{}, err
		}
		if r.raw[len(r.raw)-2] != '\r' || r.raw[len(r.raw)-1] != '\n' {
			return Value{}, r.perr("string of %d bytes not followed by CRLF", n)
		}
		v.Str = string(r.raw[start : start+n])
		if t == '=' && (n < 4 || v.Str[3] != ':') {
			return Value{}, r.perr("verbatim string without a format prefix")
		}
	case '*', '~', '>', '%', '|':
		n, null, err := r.length(s, t, t == '*')
		if err != nil {
			return Value{}, err
		}
		if null {
			v.Null = true
			break
		}
		if n > maxAggLen {
			return Value{}, r.perr("aggregate of %d elements exceeds limit", n)
		}
		if t == '%' || t == '|' {
			n *= 2
		}
		v.Elems = make([]Value, 0, min(n, preallocCap))
		for range n {
			e, err := r.value(depth + 1)
			if err != nil {
				return Value{}, err
			}
			v.Elems = append(v.Elems, e)
		}
		if t == '|' {
			// An attribute annotates the value that follows it; both are one reply.
			next, err := r.value(depth + 1)
			if err != nil {
				return Value{}, err
			}
			attr := v
			next.Attr = &attr
			return next, nil
		}
	case ';', '.':
		return Value{}, errStreamed
	default:
		return Value{}, r.perr("unknown type byte %q", t)
	}
	return v, nil
}

func isBigNumber(s string) bool {
	if s != "" && (s[0] == '-' || s[0] == '+') {
		s = s[1:]
	}
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func isDouble(s string) bool {
	switch s {
	case "inf", "-inf", "nan", "-nan":
		return true
	}
	_, err := strconv.ParseFloat(s, 64)
	return err == nil
}

// Encode appends the wire form of v to dst. For a Value read by ReadReply
// the result is byte for byte the reply that was read.
func (v Value) Encode(dst []byte) []byte {
	if v.Attr != nil {
		dst = v.Attr.Encode(dst)
	}
	switch v.Type {
	case '$', '!', '=':
		if v.Null {
			return append(dst, '$', '-', '1', '\r', '\n')
		}
		dst = append(dst, v.Type)
		dst = strconv.AppendInt(dst, int64(len(v.Str)), 10)
		dst = append(dst, '\r', '\n')
		dst = append(dst, v.Str...)
		return append(dst, '\r', '\n')
	case '*', '~', '>', '%', '|':
		if v.Null {
			return append(dst, '*', '-', '1', '\r', '\n')
		}
		n := len(v.Elems)
		if v.Type == '%' || v.Type == '|' {
			n /= 2
		}
		dst = append(dst, v.Type)
		dst = strconv.AppendInt(dst, int64(n), 10)
		dst = append(dst, '\r', '\n')
		for _, e := range v.Elems {
			dst = e.Encode(dst)
		}
		return dst
	default:
		dst = append(dst, v.Type)
		dst = append(dst, v.Str...)
		return append(dst, '\r', '\n')
	}
}

// String returns the encoded value as a Go-quoted string.
func (v Value) String() string { return strconv.Quote(string(v.Encode(nil))) }

// isAggregate reports whether v has elements.
func (v Value) isAggregate() bool {
	switch v.Type {
	case '*', '~', '>', '%':
		return !v.Null
	}
	return false
}

// isError reports whether v is a simple or blob error.
func (v Value) isError() bool { return v.Type == '-' || v.Type == '!' }

// clone returns a deep copy, so that relaxations never alter a caller's value.
func (v Value) clone() Value {
	c := v
	if v.Elems != nil {
		c.Elems = make([]Value, len(v.Elems))
		for i, e := range v.Elems {
			c.Elems[i] = e.clone()
		}
	}
	if v.Attr != nil {
		a := v.Attr.clone()
		c.Attr = &a
	}
	return c
}

// AppendCommand appends args as a RESP multibulk command (*n of $ strings).
func AppendCommand(dst []byte, args []string) []byte {
	dst = append(dst, '*')
	dst = strconv.AppendInt(dst, int64(len(args)), 10)
	dst = append(dst, '\r', '\n')
	for _, a := range args {
		dst = append(dst, '$')
		dst = strconv.AppendInt(dst, int64(len(a)), 10)
		dst = append(dst, '\r', '\n')
		dst = append(dst, a...)
		dst = append(dst, '\r', '\n')
	}
	return dst
}
