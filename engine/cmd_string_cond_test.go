package engine

import "testing"

// DIGEST is XXH3-64 as 16 lower-case hex digits; the values were computed
// with libxxhash 0.8.1 (XXH3_64bits), as Redis's vendored xxhash computes
// them. SET's IF* conditions and DELEX compare values or digests.
func TestDigestAndConditions(t *testing.T) {
	runScripts(t, []scriptCase{
		{"digest", []step{
			{cmd: "SET k hello"},
			{cmd: "DIGEST k", resp2: "$16\r\n9555e8555c62dcfd\r\n"},
			{cmd: "SET k ''"},
			{cmd: "DIGEST k", resp2: "$16\r\n2d06800538d394c2\r\n"},
			{cmd: "SET k 12345"},
			{cmd: "DIGEST k", resp2: "$16\r\nf34099ede96b5581\r\n"},
			{cmd: "DIGEST nokey", resp2: "$-1\r\n", resp3: "_\r\n"},
		}},
		{"set conditions", []step{
			{cmd: "SET k hello"},
			{cmd: "SET k x IFDEQ 9555E8555C62DCFD", resp2: "+OK\r\n"},
			{cmd: "SET k y IFDEQ 9555e8555c62dcfd", resp2: "$-1\r\n", resp3: "_\r\n"},
			{cmd: "SET k y IFDEQ abc GET", resp2: "-ERR must be exactly 16 hexadecimal characters\r\n"},
			{cmd: "SET k y IFNE x GET", resp2: "$1\r\nx\r\n"},
			{cmd: "SET k y IFEQ x GET", resp2: "$1\r\nx\r\n"},
			{cmd: "GET k", resp2: "$1\r\ny\r\n"},
			{cmd: "SET m v IFDNE abc", resp2: "+OK\r\n"},
			{cmd: "DELEX m IFDEQ abc", resp2: "-ERR must be exactly 16 hexadecimal characters\r\n"},
			{cmd: "DELEX m IFNE v", resp2: ":0\r\n"},
			{cmd: "DELEX m IFEQ v", resp2: ":1\r\n"},
			{cmd: "DELEX m", resp2: ":0\r\n"},
		}},
	})
}
