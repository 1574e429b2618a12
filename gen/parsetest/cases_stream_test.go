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
		// XADD counts its fields after its option loop (unchecked).
		{argv: "XADD s * f v g", want: "", redis: "-ERR wrong number of arguments for 'xadd' command"},
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

// Checks (generated.Checks, installed by the engine) run where Redis parses
// a value mid-loop; options_need_values; unchecked; late_errors.
func init() {
	const invalidID = "ERR Invalid stream ID specified as stream command argument"
	cases = append(cases, []parseCase{
		{argv: "XADD s MAXLEN 5 f v", want: invalidID},
		{argv: "XADD s NOMKSTREAM f v", want: invalidID},
		{argv: "XADD s NOMKSTREAM MAXLEN", want: invalidID},
		{argv: "XADD s MAXLEN abc LIMIT -1 * f v", want: "ERR value is not an integer or out of range"},
		{argv: "XADD s MAXLEN -1 * f", want: "ERR The MAXLEN argument must be >= 0."},
		{argv: "XADD s MINID abc LIMIT -1 * f v", want: invalidID},
		{argv: "XADD s MAXLEN ~ 5", want: "", redis: "-ERR wrong number of arguments for 'xadd' command"},
		{argv: "XADD s LIMIT 5 * f", want: "", redis: "-ERR syntax error, LIMIT cannot be used without specifying a trimming strategy"},
		{argv: "XTRIM s MAXLEN ~", want: "ERR value is not an integer or out of range"},
		{argv: "XTRIM s MINID ~", want: invalidID},
		{argv: "XTRIM s MAXLEN ~ ~ 5", want: "ERR value is not an integer or out of range"},
		{argv: "XTRIM s MAXLEN 0 LIMIT 5 MAXLEN", want: "ERR syntax error"},
		{argv: "XSETID s abc ENTRIESADDED abc", want: invalidID},
		{argv: "XSETID s 5-5 MAXDELETEDID 6-6 ENTRIESADDED abc", want: "ERR The ID specified in XSETID is smaller than the provided max_deleted_entry_id"},
		{argv: "XSETID s 5-5 ENTRIESADDED -1 FOO", want: "ERR entries_added must be positive"},
		{argv: "XRANGE s abc + COUNT abc", want: invalidID},
		{argv: "XRANGE s - abc FOO", want: invalidID},
		{argv: "XREVRANGE s (0-0 abc", want: invalidID},
		{argv: "XREVRANGE s (0-0 (18446744073709551615-18446744073709551615", want: "ERR invalid start ID for the interval"},
		{argv: "XAUTOCLAIM s g c abc 0 FOO", want: "ERR Invalid min-idle-time argument for XAUTOCLAIM"},
		{argv: "XAUTOCLAIM s g c 0 abc FOO", want: invalidID},
		{argv: "XAUTOCLAIM s g c 0 0 COUNT 0 FOO", want: "ERR COUNT must be > 0"},
		{argv: "XPENDING s g - + 10 c extra", want: "", redis: "-NOGROUP No such key 's' or consumer group 'g'"},
		{argv: "XPENDING s g IDLE 0 IDLE 5 - + 10", want: "ERR syntax error"},
		// late_errors: Redis looks the key and group up first.
		{argv: "XCLAIM s g c abc 1-1", want: "ERR Invalid min-idle-time argument for XCLAIM", redis: "-NOGROUP No such key 's' or consumer group 'g'"},
		{argv: "XCLAIM s g c 0 1-1 FOO IDLE abc", want: "ERR Unrecognized XCLAIM option 'FOO'", redis: "-NOGROUP No such key 's' or consumer group 'g'"},
		{argv: "XCLAIM s g c 0 JUSTID", want: "", redis: "-NOGROUP No such key 's' or consumer group 'g'"},
		{argv: "XINFO STREAM nosuchkey FULL COUNT 1 COUNT 2", want: "ERR unknown subcommand or wrong number of arguments for 'STREAM'. Try XINFO HELP.", redis: "-ERR no such key"},
		{argv: "XGROUP CREATE nosuchkey g $ MKSTREAM MKSTREAM MKSTREAM MKSTREAM", want: "ERR unknown subcommand or wrong number of arguments for 'CREATE'. Try XGROUP HELP."},
		{argv: "XGROUP CREATE nosuchkey g $ MKSTREAM ENTRIESREAD abc MKSTREAM MKSTREAM", want: "ERR value is not an integer or out of range"},
	}...)
}
