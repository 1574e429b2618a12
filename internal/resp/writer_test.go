package resp

import (
	"math"
	"testing"

	"github.com/redcurrent/redcurrent/engine"
)

func TestWriter(t *testing.T) {
	cases := []struct {
		name         string
		write        func(w *Writer)
		resp2, resp3 string
	}{
		{"Simple", func(w *Writer) { w.Simple("OK") }, "+OK\r\n", "+OK\r\n"},
		{"Simple newline", func(w *Writer) { w.Simple("a\r\nb") }, "+a  b\r\n", "+a  b\r\n"},
		{"Bulk", func(w *Writer) { w.Bulk([]byte("hello")) }, "$5\r\nhello\r\n", "$5\r\nhello\r\n"},
		{"Bulk nil is empty", func(w *Writer) { w.Bulk(nil) }, "$0\r\n\r\n", "$0\r\n\r\n"},
		{"Bulk binary", func(w *Writer) { w.Bulk([]byte("a\r\n\x00b")) }, "$5\r\na\r\n\x00b\r\n", "$5\r\na\r\n\x00b\r\n"},
		{"BulkString", func(w *Writer) { w.BulkString("0123456789") }, "$10\r\n0123456789\r\n", "$10\r\n0123456789\r\n"},
		{"Int", func(w *Writer) { w.Int(42) }, ":42\r\n", ":42\r\n"},
		{"Int negative", func(w *Writer) { w.Int(math.MinInt64) }, ":-9223372036854775808\r\n", ":-9223372036854775808\r\n"},
		{"Double", func(w *Writer) { w.Double(1.5) }, "$3\r\n1.5\r\n", ",1.5\r\n"},
		{"Double 0.1", func(w *Writer) { w.Double(0.1) }, "$19\r\n0.10000000000000001\r\n", ",0.10000000000000001\r\n"},
		{"Double exponent", func(w *Writer) { w.Double(1e20) }, "$5\r\n1e+20\r\n", ",1e+20\r\n"},
		{"Double small", func(w *Writer) { w.Double(1e-5) }, "$22\r\n1.0000000000000001e-05\r\n", ",1.0000000000000001e-05\r\n"},
		{"Double integer", func(w *Writer) { w.Double(3) }, "$1\r\n3\r\n", ",3\r\n"},
		{"Double inf", func(w *Writer) { w.Double(math.Inf(1)) }, "$3\r\ninf\r\n", ",inf\r\n"},
		{"Double -inf", func(w *Writer) { w.Double(math.Inf(-1)) }, "$4\r\n-inf\r\n", ",-inf\r\n"},
		{"Double nan", func(w *Writer) { w.Double(math.NaN()) }, "$3\r\nnan\r\n", ",nan\r\n"},
		{"Double after data", func(w *Writer) { w.Array(2); w.Double(2.25); w.Int(1) }, "*2\r\n$4\r\n2.25\r\n:1\r\n", "*2\r\n,2.25\r\n:1\r\n"},
		{"Bool true", func(w *Writer) { w.Bool(true) }, ":1\r\n", "#t\r\n"},
		{"Bool false", func(w *Writer) { w.Bool(false) }, ":0\r\n", "#f\r\n"},
		{"BigNumber", func(w *Writer) { w.BigNumber("12345678901234567890") }, "$20\r\n12345678901234567890\r\n", "(12345678901234567890\r\n"},
		{"Verbatim", func(w *Writer) { w.Verbatim("txt", "hi there") }, "$8\r\nhi there\r\n", "=12\r\ntxt:hi there\r\n"},
		{"Array", func(w *Writer) { w.Array(2); w.Int(1); w.Int(2) }, "*2\r\n:1\r\n:2\r\n", "*2\r\n:1\r\n:2\r\n"},
		{"Array empty", func(w *Writer) { w.Array(0) }, "*0\r\n", "*0\r\n"},
		{"Set", func(w *Writer) { w.Set(1); w.BulkString("a") }, "*1\r\n$1\r\na\r\n", "~1\r\n$1\r\na\r\n"},
		{"Map", func(w *Writer) { w.Map(1); w.BulkString("k"); w.Int(1) }, "*2\r\n$1\r\nk\r\n:1\r\n", "%1\r\n$1\r\nk\r\n:1\r\n"},
		{"Map empty", func(w *Writer) { w.Map(0) }, "*0\r\n", "%0\r\n"},
		{"PairMap", func(w *Writer) {
			w.PairMap(2)
			w.Pair()
			w.BulkString("a")
			w.Int(1)
			w.Pair()
			w.BulkString("b")
			w.Int(2)
		}, "*2\r\n*2\r\n$1\r\na\r\n:1\r\n*2\r\n$1\r\nb\r\n:2\r\n", "%2\r\n$1\r\na\r\n:1\r\n$1\r\nb\r\n:2\r\n"},
		{"Push", func(w *Writer) { w.Push(1); w.BulkString("m") }, "*1\r\n$1\r\nm\r\n", ">1\r\n$1\r\nm\r\n"},
		{"Null", func(w *Writer) { w.Null() }, "$-1\r\n", "_\r\n"},
		{"NullArray", func(w *Writer) { w.NullArray() }, "*-1\r\n", "_\r\n"},
		{"Error", func(w *Writer) { w.Error(engine.ErrSyntax) }, "-ERR syntax error\r\n", "-ERR syntax error\r\n"},
		{"Error newlines", func(w *Writer) { w.Error(&engine.Error{Code: "ERR", Msg: "a\r\nb\nc"}) }, "-ERR a  b c\r\n", "-ERR a  b c\r\n"},
		{"Error no message", func(w *Writer) { w.Error(&engine.Error{Code: "QUEUED"}) }, "-QUEUED\r\n", "-QUEUED\r\n"},
		{"ErrorText", func(w *Writer) { w.ErrorText("ERR x\ny") }, "-ERR x y\r\n", "-ERR x y\r\n"},
		{"Raw", func(w *Writer) { w.Raw([]byte("+PONG\r\n")) }, "+PONG\r\n", "+PONG\r\n"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			for _, p := range []struct {
				proto int
				want  string
			}{{2, tc.resp2}, {3, tc.resp3}} {
				w := NewWriter(p.proto)
				tc.write(w)
				if got := string(w.Bytes()); got != p.want {
					t.Errorf("RESP%d: got %q, want %q", p.proto, got, p.want)
				}
			}
		})
	}
}

func TestWriterResetAndProto(t *testing.T) {
	w := NewWriter(7)
	if w.Proto() != 2 {
		t.Fatalf("NewWriter(7).Proto() = %d, want 2", w.Proto())
	}
	w.Null()
	w.SetProto(3)
	w.Null()
	if got, want := string(w.Bytes()), "$-1\r\n_\r\n"; got != want {
		t.Fatalf("got %q, want %q", got, want)
	}
	w.Truncate(5)
	if got, want := string(w.Bytes()), "$-1\r\n"; got != want {
		t.Fatalf("after Truncate: got %q, want %q", got, want)
	}
	w.Reset()
	if w.Len() != 0 {
		t.Fatalf("after Reset: Len() = %d", w.Len())
	}
}

// TestAppendDouble checks values whose %.17g form was taken from C's printf.
func TestAppendDouble(t *testing.T) {
	cases := map[float64]string{
		0:                      "0",
		math.Copysign(0, -1):   "-0",
		100:                    "100",
		1e16:                   "10000000000000000",
		1e17:                   "1e+17",
		1e-4:                   "0.0001",
		123456789012345678:     "1.2345678901234568e+17",
		3.14159:                "3.1415899999999999",
		5e-324:                 "4.9406564584124654e-324",
		1.7976931348623157e308: "1.7976931348623157e+308",
		-2.5e-300:              "-2.5e-300",
	}
	for f, want := range cases {
		if got := string(AppendDouble(nil, f)); got != want {
			t.Errorf("AppendDouble(%v) = %q, want %q", f, got, want)
		}
	}
}

func TestWriterAllocs(t *testing.T) {
	w := NewWriter(2)
	write := func() {
		w.Reset()
		w.Array(4)
		w.Double(1.25)
		w.Int(12345)
		w.BulkString("value")
		w.Error(engine.ErrWrongType)
	}
	write()
	for _, proto := range []int{2, 3} {
		w.SetProto(proto)
		if n := testing.AllocsPerRun(100, write); n != 0 {
			t.Errorf("RESP%d: %v allocations per reply, want 0", proto, n)
		}
	}
}
