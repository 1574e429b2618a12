package parsetest

// Stream parse cases: XADD's option group with LIMIT anywhere
// (any_position) and MAXLEN/MINID given twice (repeat_error).
func init() {
	cases = append(cases, []parseCase{
		{argv: "XADD s * f v", want: ""},
		{argv: "XADD s NOMKSTREAM MAXLEN ~ 5 LIMIT 10 * f v", want: ""},
		{argv: "XADD s LIMIT 10 MAXLEN ~ 5 * f v", want: ""},
		{argv: "XADD s MAXLEN 1 MINID 1 * f v", want: "ERR syntax error, MAXLEN and MINID options at the same time are not compatible"},
		{argv: "XADD s MAXLEN 1 MAXLEN 2 * f v", want: "ERR syntax error, MAXLEN and MINID options at the same time are not compatible"},
		{argv: "XADD s MAXLEN ~ 5 LIMIT x * f v", want: "ERR value is not an integer or out of range"},
		{argv: "XADD s MAXLEN ~ 5 LIMIT -1 * f v", want: "ERR The LIMIT argument must be >= 0."},
		{argv: "XADD s * f v g", want: "ERR wrong number of arguments for 'xadd' command"},
		{argv: "XADD s * MAXLEN 5", want: ""},
		{argv: "XRANGE s - + COUNT x", want: "ERR value is not an integer or out of range"},
		{argv: "XRANGE s - + FOO 1", want: "ERR syntax error"},
		{argv: "XTRIM s MAXLEN ~ 5 LIMIT x", want: "ERR value is not an integer or out of range"},
		{argv: "XTRIM s FOO 1", want: "ERR syntax error"},
		{argv: "XTRIM s LIMIT 5 MAXLEN ~ 1", want: ""},
		{argv: "XTRIM s MAXLEN 1 MINID 2", want: "ERR syntax error, MAXLEN and MINID options at the same time are not compatible"},
		{argv: "XSETID s 1-1 ENTRIESADDED x", want: "ERR value is not an integer or out of range"},
		{argv: "XSETID s 1-1 FOO", want: "ERR syntax error"},
	}...)
}
