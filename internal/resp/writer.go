// Package resp encodes replies in RESP2 or RESP3. Writer is the one
// engine.ReplyWriter that produces bytes: the server gives each connection
// one, and engine tests use it to see exact wire replies.
package resp

import (
	"math"
	"strconv"

	"github.com/redcurrent/redcurrent/engine"
	"github.com/tidwall/redcon"
)

// Writer appends replies to a byte buffer in the encoding of its protocol
// (2 or 3). Appends do not allocate once the buffer has grown. A Writer is
// not safe for concurrent use.
type Writer struct {
	b     []byte
	proto int
	// OnError, when set, hears of every error reply written: its text
	// without the leading '-' and the CRLF, and whether it counts in the
	// error statistics (false for ErrorNoStats). The text aliases the
	// buffer: it is valid only during the call.
	OnError func(text []byte, counted bool)
}

var _ engine.ReplyWriter = (*Writer)(nil)

// NewWriter returns a writer for protocol 2 or 3 (any other value means 2).
func NewWriter(proto int) *Writer {
	w := &Writer{}
	w.SetProto(proto)
	return w
}

// SetProto switches the encoding for the replies that follow (HELLO, RESET).
func (w *Writer) SetProto(proto int) {
	if proto != 3 {
		proto = 2
	}
	w.proto = proto
}

// Proto reports the protocol in use: 2 or 3.
func (w *Writer) Proto() int { return w.proto }

// Bytes returns the encoded replies. The slice aliases the writer's buffer:
// it is valid until the next append or Reset.
func (w *Writer) Bytes() []byte { return w.b }

// Len is the number of buffered bytes.
func (w *Writer) Len() int { return len(w.b) }

// Reset empties the buffer, keeping its capacity.
func (w *Writer) Reset() { w.b = w.b[:0] }

// Truncate drops everything after the first n bytes (used to discard a
// partly written reply, as CLIENT REPLY SKIP and a recovered panic need).
// n beyond the buffered length leaves the buffer as it is.
func (w *Writer) Truncate(n int) {
	if n < len(w.b) {
		w.b = w.b[:n]
	}
}

// Swap gives the writer b, emptied, as its buffer and returns the one it
// had, so that a connection can hand encoded replies to another goroutine
// and go on encoding into a buffer it recycled (or nil: one is allocated on
// the next append).
func (w *Writer) Swap(b []byte) []byte {
	old := w.b
	w.b = b[:0]
	return old
}

// Raw appends bytes that are already encoded.
func (w *Writer) Raw(p []byte) { w.b = append(w.b, p...) }

func (w *Writer) header(c byte, n int64) {
	w.b = append(w.b, c)
	w.b = strconv.AppendInt(w.b, n, 10)
	w.b = append(w.b, '\r', '\n')
}

// appendLine appends s with CR and LF turned into spaces: a status or error
// line must not contain them (addReplyErrorLength's sanitising in Redis).
func (w *Writer) appendLine(s string) {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '\r' || c == '\n' {
			c = ' '
		}
		w.b = append(w.b, c)
	}
}

// Simple is "+s".
func (w *Writer) Simple(s string) {
	w.b = append(w.b, '+')
	w.appendLine(s)
	w.b = append(w.b, '\r', '\n')
}

// Bulk is "$n\r\n...".
func (w *Writer) Bulk(p []byte) { w.b = redcon.AppendBulk(w.b, p) }

// BulkString is Bulk for a string.
func (w *Writer) BulkString(s string) { w.b = redcon.AppendBulkString(w.b, s) }

// Int is ":n".
func (w *Writer) Int(n int64) { w.b = redcon.AppendInt(w.b, n) }

// Double follows Redis 7.0's addReplyDouble: "%.17g", with inf and -inf
// spelled out; RESP2 sends it as a bulk string, RESP3 as ",f".
func (w *Writer) Double(f float64) {
	if w.proto == 2 {
		// The digits go after a length prefix we do not know yet: format
		// them in place, then move them right by the prefix's size.
		start := len(w.b)
		w.b = AppendDouble(w.b, f)
		n := len(w.b) - start
		var hdr [24]byte
		h := append(hdr[:0], '$')
		h = strconv.AppendInt(h, int64(n), 10)
		h = append(h, '\r', '\n')
		w.b = append(w.b, h...)
		copy(w.b[start+len(h):], w.b[start:start+n])
		copy(w.b[start:], h)
		w.b = append(w.b, '\r', '\n')
		return
	}
	w.b = append(w.b, ',')
	w.b = AppendDouble(w.b, f)
	w.b = append(w.b, '\r', '\n')
}

// AppendDouble appends f as C's printf("%.17g") does, with "inf", "-inf"
// and "nan" for the special values (addReplyDouble in Redis 7.0).
func AppendDouble(b []byte, f float64) []byte {
	switch {
	case math.IsInf(f, 1):
		return append(b, "inf"...)
	case math.IsInf(f, -1):
		return append(b, "-inf"...)
	case math.IsNaN(f):
		return append(b, "nan"...)
	}
	// Go's 'g' with a precision of 17 matches %.17g: both drop trailing
	// zeros, switch to an exponent below 1e-4 or from 1e17, and print at
	// least two exponent digits.
	return strconv.AppendFloat(b, f, 'g', 17, 64)
}

// Bool is RESP3 "#t"/"#f"; RESP2 ":1"/":0".
func (w *Writer) Bool(v bool) {
	switch {
	case w.proto == 3 && v:
		w.b = append(w.b, "#t\r\n"...)
	case w.proto == 3:
		w.b = append(w.b, "#f\r\n"...)
	case v:
		w.b = append(w.b, ":1\r\n"...)
	default:
		w.b = append(w.b, ":0\r\n"...)
	}
}

// BigNumber is RESP3 "(digits"; RESP2 a bulk string.
func (w *Writer) BigNumber(s string) {
	if w.proto == 2 {
		w.BulkString(s)
		return
	}
	w.b = append(w.b, '(')
	w.b = append(w.b, s...)
	w.b = append(w.b, '\r', '\n')
}

// Verbatim is RESP3 "=len\r\nfmt:text"; RESP2 a bulk string of text.
func (w *Writer) Verbatim(format, text string) {
	if w.proto == 2 {
		w.BulkString(text)
		return
	}
	w.header('=', int64(len(format)+1+len(text)))
	w.b = append(w.b, format...)
	w.b = append(w.b, ':')
	w.b = append(w.b, text...)
	w.b = append(w.b, '\r', '\n')
}

// Array is "*n".
func (w *Writer) Array(n int) { w.b = redcon.AppendArray(w.b, n) }

// Set is RESP3 "~n"; RESP2 "*n".
func (w *Writer) Set(n int) {
	if w.proto == 2 {
		w.Array(n)
		return
	}
	w.header('~', int64(n))
}

// Map is RESP3 "%n"; RESP2 "*2n".
func (w *Writer) Map(n int) {
	if w.proto == 2 {
		w.Array(2 * n)
		return
	}
	w.header('%', int64(n))
}

// PairMap is RESP3 "%n"; RESP2 "*n" of two-element arrays (see Pair).
func (w *Writer) PairMap(n int) {
	if w.proto == 2 {
		w.Array(n)
		return
	}
	w.header('%', int64(n))
}

// Pair starts a PairMap entry: RESP2 "*2", RESP3 nothing.
func (w *Writer) Pair() {
	if w.proto == 2 {
		w.b = append(w.b, "*2\r\n"...)
	}
}

// Push is RESP3 ">n"; RESP2 "*n".
func (w *Writer) Push(n int) {
	if w.proto == 2 {
		w.Array(n)
		return
	}
	w.header('>', int64(n))
}

// Null is RESP3 "_"; RESP2 "$-1".
func (w *Writer) Null() {
	if w.proto == 2 {
		w.b = redcon.AppendNull(w.b)
		return
	}
	w.b = append(w.b, "_\r\n"...)
}

// NullArray is RESP3 "_"; RESP2 "*-1".
func (w *Writer) NullArray() {
	if w.proto == 2 {
		w.b = append(w.b, "*-1\r\n"...)
		return
	}
	w.b = append(w.b, "_\r\n"...)
}

// Error is "-Code Msg", with CR and LF in the text turned into spaces as
// Redis does; an empty Msg gives "-Code".
func (w *Writer) Error(e *engine.Error) { w.error(e, true) }

// ErrorNoStats is Error for an error the statistics have already counted
// (Redis's ERR_REPLY_FLAG_NO_STATS_UPDATE): a script's failure that
// repeats the error of a command it called.
func (w *Writer) ErrorNoStats(e *engine.Error) { w.error(e, false) }

func (w *Writer) error(e *engine.Error, counted bool) {
	w.b = append(w.b, '-')
	start := len(w.b)
	w.appendLine(e.Code)
	if e.Msg != "" {
		w.b = append(w.b, ' ')
		w.appendLine(e.Msg)
	}
	if w.OnError != nil {
		w.OnError(w.b[start:], counted)
	}
	w.b = append(w.b, '\r', '\n')
}

// ErrorText is Error for a text that already holds its code
// ("ERR syntax error"), as a generated.ArgError's Msg does.
func (w *Writer) ErrorText(s string) {
	w.b = append(w.b, '-')
	start := len(w.b)
	w.appendLine(s)
	if w.OnError != nil {
		w.OnError(w.b[start:], true)
	}
	w.b = append(w.b, '\r', '\n')
}
