package redcurrent_test

import (
	"encoding/binary"
	"errors"
	"os"
	"testing"

	"github.com/redcurrent/redcurrent"
	"github.com/redcurrent/redcurrent/internal/difftest"
)

// dumpLib is the library both servers load, dump and restore.
const dumpLib = "#!lua name=dumplib\n" +
	"redis.register_function('dl_echo', function(keys, args) return 'echo:' .. args[1] end)\n" +
	"redis.register_function{function_name='dl_incr', callback=function(keys, args) return redis.call('INCRBY', keys[1], args[1]) end}\n"

// TestFunctionDumpRoundTrip checks that FUNCTION DUMP payloads travel both
// ways between redis-server and redcurrent: a library dumped by one is
// restored into the other and called there; a corrupted payload (bad CRC,
// bad RDB version) gives Redis's exact error on both.
func TestFunctionDumpRoundTrip(t *testing.T) {
	ep, err := ref.Endpoint()
	if err != nil {
		if errors.Is(err, difftest.ErrNoRedis) && os.Getenv("REDCURRENT_REQUIRE_REDIS") != "1" {
			t.Skipf("skipped, %v (set REDCURRENT_REQUIRE_REDIS=1 to fail instead)", err)
		}
		t.Fatal(err)
	}
	srv := redcurrent.RunT(t)
	refc := dialProto(t, ep.Addr, 2)
	tgtc := dialProto(t, srv.Addr(), 2)
	for _, c := range []*difftest.Conn{refc, tgtc} {
		mustDo(t, c, "+OK\r\n", "FUNCTION", "FLUSH")
		mustDo(t, c, "+OK\r\n", "FLUSHALL")
	}
	t.Cleanup(func() {
		refc.Do("FUNCTION", "FLUSH")
		refc.Do("FLUSHALL")
	})

	refVersion := ""
	hello := do(t, refc, "HELLO", "2")
	for i := 0; i+1 < len(hello.Elems); i += 2 {
		if hello.Elems[i].Str == "version" {
			refVersion = hello.Elems[i+1].Str
		}
	}

	calls := func(t *testing.T, c *difftest.Conn) {
		t.Helper()
		mustDo(t, c, "$7\r\necho:hi\r\n", "FCALL", "dl_echo", "0", "hi")
		mustDo(t, c, ":5\r\n", "FCALL", "dl_incr", "1", "ctr", "5")
		mustDo(t, c, ":7\r\n", "FCALL", "DL_INCR", "1", "ctr", "2")
	}
	dump := func(t *testing.T, c *difftest.Conn) string {
		t.Helper()
		v := do(t, c, "FUNCTION", "DUMP")
		if v.Type != '$' {
			t.Fatalf("FUNCTION DUMP: %s", v)
		}
		return v.Str
	}

	t.Run("redis-to-redcurrent", func(t *testing.T) {
		mustDo(t, refc, "$7\r\ndumplib\r\n", "FUNCTION", "LOAD", dumpLib)
		payload := dump(t, refc)
		mustDo(t, tgtc, "+OK\r\n", "FUNCTION", "RESTORE", payload)
		calls(t, tgtc)
		// redis-server compresses the code (LZF, rdbcompression yes),
		// redcurrent does not; the re-dump still restores on redis-server.
		mustDo(t, refc, "+OK\r\n", "FUNCTION", "RESTORE", dump(t, tgtc), "FLUSH")
		mustDo(t, refc, "$7\r\necho:hi\r\n", "FCALL", "dl_echo", "0", "hi")
		// APPEND (the default) refuses an existing library; REPLACE takes it.
		mustDo(t, tgtc, "-ERR Library dumplib already exists\r\n", "FUNCTION", "RESTORE", payload)
		mustDo(t, refc, "-ERR Library dumplib already exists\r\n", "FUNCTION", "RESTORE", payload)
		mustDo(t, tgtc, "+OK\r\n", "FUNCTION", "RESTORE", payload, "REPLACE")
		mustDo(t, tgtc, "+OK\r\n", "FUNCTION", "FLUSH")
		mustDo(t, tgtc, "+OK\r\n", "FLUSHALL")
	})

	t.Run("redcurrent-to-redis", func(t *testing.T) {
		mustDo(t, tgtc, "+OK\r\n", "FUNCTION", "FLUSH")
		mustDo(t, tgtc, "$7\r\ndumplib\r\n", "FUNCTION", "LOAD", dumpLib)
		payload := dump(t, tgtc)
		mustDo(t, refc, "+OK\r\n", "FUNCTION", "FLUSH")
		mustDo(t, refc, "+OK\r\n", "FLUSHALL")
		mustDo(t, refc, "+OK\r\n", "FUNCTION", "RESTORE", payload)
		calls(t, refc)
		// FLUSH policy on redis-server: replaces everything.
		mustDo(t, refc, "+OK\r\n", "FUNCTION", "RESTORE", payload, "FLUSH")
		mustDo(t, refc, "$7\r\necho:hi\r\n", "FCALL", "dl_echo", "0", "hi")
	})

	t.Run("corrupted", func(t *testing.T) {
		payload := []byte(dump(t, tgtc))
		if len(payload) < 10 {
			t.Fatalf("payload too short: %q", payload)
		}
		n := len(payload)
		badCRC := append([]byte(nil), payload...)
		badCRC[n-1] ^= 0xff
		badBody := append([]byte(nil), payload...)
		badBody[n-11] ^= 0x01 // a byte of the library code: the CRC no longer matches
		badVersion := append([]byte(nil), payload...)
		binary.LittleEndian.PutUint16(badVersion[n-10:], 0xff) // newer than any RDB version
		// redis-server checks the version before the CRC: a payload from a
		// too new RDB version fails even with a correct checksum.
		rv := newVersionGoodCRC(payload, 0xff)
		const want = "-ERR DUMP payload version or checksum are wrong\r\n"
		for _, c := range []*difftest.Conn{refc, tgtc} {
			mustDo(t, c, "+OK\r\n", "FUNCTION", "FLUSH")
			for name, p := range map[string][]byte{"bad crc": badCRC, "bad body": badBody, "bad version": badVersion, "bad version, good crc": rv, "short": payload[:5], "empty": nil} {
				got, err := c.Do("FUNCTION", "RESTORE", string(p))
				if err != nil {
					t.Fatalf("%s: %v", name, err)
				}
				if string(got) != want {
					t.Errorf("RESTORE %s = %q, want %q", name, got, want)
				}
			}
			// Nothing was restored.
			mustDo(t, c, "*0\r\n", "FUNCTION", "LIST")
		}
		// Valid trailers around bodies that are not (good) function records.
		lib := func(code string) []byte { // RDB string, 14-bit length
			return append([]byte{0xF5, 0x40 | byte(len(code)>>8), byte(len(code))}, code...)
		}
		a1 := lib("#!lua name=a1\nredis.register_function('f1', function() return 1 end)")
		a2 := lib("#!lua name=a2\nredis.register_function('f1', function() return 2 end)")
		cases := []struct {
			body []byte
			want string
		}{
			{[]byte{0x01, 'x'}, "-ERR given type is not a function\r\n"},
			// 7.0 still reads 7.0-rc records (and fails on this one:
			// "Failed loading library name"); later Redis refuses them.
			{[]byte{0xF6, 'x'}, "-ERR Pre-GA function format not supported\r\n"},
			{[]byte{0xF5, 0x3f, 'x'}, "-ERR Failed loading library payload\r\n"},
			{append(append([]byte(nil), a1...), a1...), "-ERR Library 'a1' already exists\r\n"},
			{append(append([]byte(nil), a1...), a2...), "-ERR Function f1 already exists\r\n"},
			{lib("#!lua name=a3\nreturn 1"), "-ERR No functions registered\r\n"},
		}
		for _, tc := range cases {
			p := newVersionGoodCRC(append(tc.body, make([]byte, 10)...), 10)
			for _, c := range []*difftest.Conn{refc, tgtc} {
				if c == refc && tc.body[0] == 0xF6 && refVersion < "7.2" {
					continue
				}
				mustDo(t, c, tc.want, "FUNCTION", "RESTORE", string(p))
			}
		}
		// APPEND onto an existing library: libraryJoin's text, no quotes.
		for _, c := range []*difftest.Conn{refc, tgtc} {
			mustDo(t, c, "+OK\r\n", "FUNCTION", "RESTORE", string(newVersionGoodCRC(append(a1, make([]byte, 10)...), 10)))
			mustDo(t, c, "-ERR Library a1 already exists\r\n", "FUNCTION", "RESTORE", string(newVersionGoodCRC(append(a1, make([]byte, 10)...), 10)))
			mustDo(t, c, "-ERR Function f1 already exists\r\n", "FUNCTION", "RESTORE", string(newVersionGoodCRC(append(a2, make([]byte, 10)...), 10)))
			mustDo(t, c, "-ERR Wrong restore policy given, value should be either FLUSH, APPEND or REPLACE.\r\n", "FUNCTION", "RESTORE", string(payload), "MERGE")
			mustDo(t, c, "+OK\r\n", "FUNCTION", "FLUSH")
		}
	})
}

// newVersionGoodCRC rewrites a payload's RDB version and recomputes its CRC.
func newVersionGoodCRC(payload []byte, version uint16) []byte {
	p := append([]byte(nil), payload...)
	n := len(p)
	binary.LittleEndian.PutUint16(p[n-10:], version)
	binary.LittleEndian.PutUint64(p[n-8:], crc64Jones(p[:n-8]))
	return p
}

// crc64Jones is Redis's crc64 (Jones polynomial, reflected, no inversions).
func crc64Jones(p []byte) uint64 {
	const poly = 0x95ac9329ac4bc9b5
	var crc uint64
	for _, b := range p {
		crc ^= uint64(b)
		for i := 0; i < 8; i++ {
			if crc&1 != 0 {
				crc = crc>>1 ^ poly
			} else {
				crc >>= 1
			}
		}
	}
	return crc
}
