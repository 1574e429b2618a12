// Package difftest is redcurrent's differential test harness: it runs case
// files (README.md describes the format) on a reference redis-server and on a
// target server, in RESP2 and RESP3, and requires byte-identical replies,
// apart from relaxations each case names for one line.
//
// A test package starts one redis-server for all its tests with a Reference
// and Main, and calls Run with the reference's Endpoint method and a function
// returning the target. A second, newer reference (NewReference8, the Redis
// 8 build $REDCURRENT_REDIS8_SERVER names) goes in Runner.Refs: each case
// then runs on every reference its @since allows, and the references must
// agree with each other, with the case's written replies and with the
// target. The package also offers the pieces it is built from:
// StartRedis, a raw RESP client (Dial, Conn) and a reply parser (ReadReply,
// Value).
package difftest
