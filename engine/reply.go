package engine

// ReplyWriter receives exactly one complete reply per command: the shapes a
// reply can take, never its bytes. Each connection's writer encodes them for
// that connection's protocol (server/resp.go), Lua's writer builds Lua values
// (lua/reply.go), and the test recorder checks completeness. Commands never
// ask which protocol is in use; a new shape gets a method here instead.
//
// Aggregates (Array, Set, Map, PairMap, Push) announce their element count
// and are followed by exactly that many elements (Map: 2n, key then value).
type ReplyWriter interface {
	// Simple is a status reply: RESP2 and RESP3 "+s".
	Simple(s string)
	// Bulk is a binary-safe string: "$n\r\n...". A nil slice is an empty string, not null.
	Bulk(b []byte)
	// BulkString is Bulk for a Go string.
	BulkString(s string)
	// Int is an integer: ":n".
	Int(n int64)
	// Double is RESP3 ",f"; RESP2 a bulk string. Formatted as Redis's
	// addReplyDouble does (%.17g, "inf", "-inf", "nan").
	Double(f float64)
	// Bool is RESP3 "#t"/"#f"; RESP2 ":1"/":0".
	Bool(b bool)
	// BigNumber is RESP3 "(digits"; RESP2 a bulk string.
	BigNumber(s string)
	// Verbatim is RESP3 "=len\r\nfmt:text"; RESP2 a bulk string of text.
	// format is three characters, such as "txt".
	Verbatim(format, text string)
	// Array is "*n".
	Array(n int)
	// Set is RESP3 "~n"; RESP2 "*n".
	Set(n int)
	// Map is RESP3 "%n" followed by n key/value pairs; RESP2 a flat "*2n".
	Map(n int)
	// PairMap is RESP3 "%n"; RESP2 "*n" whose elements are [key, value]
	// arrays (the XREAD shape). Call Pair before each key.
	PairMap(n int)
	// Pair starts one entry of a PairMap: RESP2 "*2", RESP3 nothing.
	Pair()
	// Push is RESP3 ">n"; RESP2 "*n".
	Push(n int)
	// Null is RESP3 "_"; RESP2 "$-1" (the null bulk string).
	Null()
	// NullArray is RESP3 "_"; RESP2 "*-1" (the null array, as for an XREAD timeout).
	NullArray()
	// Error writes an error reply as one element. Only the dispatcher calls it
	// (for a whole reply, or an element of EXEC's or a script's reply):
	// handlers return errors instead.
	Error(e *Error)
}

// WriteHelp is the reply of every HELP subcommand (Redis's addReplyHelp):
// an array of status lines, lines followed by the HELP entry every such
// reply ends with ("Print this help." since 7.2, redis/redis#10965; 7.0
// said "Prints").
func WriteHelp(w ReplyWriter, lines []string) {
	w.Array(len(lines) + 2)
	for _, l := range lines {
		w.Simple(l)
	}
	w.Simple("HELP")
	w.Simple("    Print this help.")
}
