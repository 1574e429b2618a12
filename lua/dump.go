package lua

import (
	"encoding/binary"
	"hash/crc64"

	"github.com/redcurrent/redcurrent/engine"
)

// FUNCTION DUMP / RESTORE payloads, in Redis's format (functionDumpCommand,
// rdbSaveFunctions, verifyDumpPayload): per library the RDB_OPCODE_FUNCTION2
// byte and the library code as an RDB string; then the RDB version as two
// little-endian bytes and the CRC64 (Jones, reflected, as Redis's crc64.c)
// of everything before it, eight little-endian bytes.

const (
	rdbOpcodeFunction2 = 0xF5
	// rdbOpcodeFunctionPreGA is 7.0-rc1/rc2's record, which Redis refuses.
	rdbOpcodeFunctionPreGA = 0xF6
	// dumpRDBVersion is the version written into payloads: 10, Redis 7.0's,
	// so that every Redis from 7.0 on accepts our dumps (a server refuses a
	// payload from a newer RDB version); the function records have not
	// changed since.
	dumpRDBVersion = 10
	// maxRDBVersion is the newest payload version RESTORE accepts (Redis
	// 8.x writes 12).
	maxRDBVersion = 12
)

// crcTable is crc64 with the Jones polynomial (0xad93d23594c935a9),
// given in the reflected form hash/crc64 expects.
var crcTable = crc64.MakeTable(0x95ac9329ac4bc9b5)

// redisCRC64 is Redis's crc64(0, p): no initial or final inversion, which
// hash/crc64 applies, so both are undone.
func redisCRC64(p []byte) uint64 { return ^crc64.Update(^uint64(0), crcTable, p) }

// dumpLibraries builds the payload.
func dumpLibraries(libs []*Library) []byte {
	var b []byte
	for _, l := range libs {
		b = append(b, rdbOpcodeFunction2)
		b = appendRDBLen(b, uint64(len(l.Code)))
		b = append(b, l.Code...)
	}
	b = binary.LittleEndian.AppendUint16(b, dumpRDBVersion)
	return binary.LittleEndian.AppendUint64(b, redisCRC64(b))
}

// parseDump checks a payload's trailer and returns the library codes.
func parseDump(p []byte) ([][]byte, error) {
	if len(p) < 10 {
		return nil, engine.ErrDumpPayload
	}
	body := p[:len(p)-10]
	ver := binary.LittleEndian.Uint16(p[len(p)-10:])
	crc := binary.LittleEndian.Uint64(p[len(p)-8:])
	if ver > maxRDBVersion || redisCRC64(p[:len(p)-8]) != crc {
		return nil, engine.ErrDumpPayload
	}
	var codes [][]byte
	for len(body) > 0 {
		switch body[0] {
		case rdbOpcodeFunction2:
		case rdbOpcodeFunctionPreGA:
			return nil, engine.Errorf("ERR", "Pre-GA function format not supported")
		default:
			return nil, engine.Errorf("ERR", "given type is not a function")
		}
		code, rest, ok := readRDBString(body[1:])
		if !ok {
			return nil, engine.Errorf("ERR", "Failed loading library payload")
		}
		codes = append(codes, code)
		body = rest
	}
	return codes, nil
}

// appendRDBLen is rdbSaveLen: 6-bit, 14-bit, 32-bit or 64-bit lengths.
func appendRDBLen(b []byte, n uint64) []byte {
	switch {
	case n < 1<<6:
		return append(b, byte(n))
	case n < 1<<14:
		return append(b, byte(n>>8)|0x40, byte(n))
	case n <= 0xffffffff:
		return binary.BigEndian.AppendUint32(append(b, 0x80), uint32(n))
	default:
		return binary.BigEndian.AppendUint64(append(b, 0x81), n)
	}
}

// readRDBLen is rdbLoadLen; enc reports a special encoding (0xC0 | n).
func readRDBLen(p []byte) (n uint64, enc bool, rest []byte, ok bool) {
	if len(p) == 0 {
		return 0, false, nil, false
	}
	switch p[0] >> 6 {
	case 0:
		return uint64(p[0] & 0x3f), false, p[1:], true
	case 1:
		if len(p) < 2 {
			return 0, false, nil, false
		}
		return uint64(p[0]&0x3f)<<8 | uint64(p[1]), false, p[2:], true
	case 2:
		switch p[0] {
		case 0x80:
			if len(p) < 5 {
				return 0, false, nil, false
			}
			return uint64(binary.BigEndian.Uint32(p[1:])), false, p[5:], true
		case 0x81:
			if len(p) < 9 {
				return 0, false, nil, false
			}
			return binary.BigEndian.Uint64(p[1:]), false, p[9:], true
		}
		return 0, false, nil, false
	default:
		return uint64(p[0] & 0x3f), true, p[1:], true
	}
}

// readRDBString is rdbGenericLoadStringObject: raw, integer-encoded or
// LZF-compressed strings (Redis compresses strings over 20 bytes).
func readRDBString(p []byte) ([]byte, []byte, bool) {
	n, enc, rest, ok := readRDBLen(p)
	if !ok {
		return nil, nil, false
	}
	if !enc {
		if uint64(len(rest)) < n {
			return nil, nil, false
		}
		return rest[:n], rest[n:], true
	}
	switch n {
	case 0, 1, 2: // 8, 16, 32-bit little-endian integers
		size := 1 << n
		if len(rest) < size {
			return nil, nil, false
		}
		var v int64
		switch n {
		case 0:
			v = int64(int8(rest[0]))
		case 1:
			v = int64(int16(binary.LittleEndian.Uint16(rest)))
		case 2:
			v = int64(int32(binary.LittleEndian.Uint32(rest)))
		}
		return []byte(itoa(int(v))), rest[size:], true
	case 3: // LZF
		clen, _, r, ok := readRDBLen(rest)
		if !ok {
			return nil, nil, false
		}
		ulen, _, r, ok := readRDBLen(r)
		if !ok || uint64(len(r)) < clen || ulen > 1<<32 {
			return nil, nil, false
		}
		out, ok := lzfDecompress(r[:clen], int(ulen))
		if !ok {
			return nil, nil, false
		}
		return out, r[clen:], true
	}
	return nil, nil, false
}

// lzfDecompress decodes liblzf's format: a control byte below 32 starts a
// literal run of ctrl+1 bytes; otherwise its top three bits are a length
// (7: add the next byte) and a back reference follows, copying len+2
// bytes from 1 + ((ctrl&31)<<8 | next byte) bytes back.
func lzfDecompress(in []byte, ulen int) ([]byte, bool) {
	out := make([]byte, 0, ulen)
	for i := 0; i < len(in); {
		ctrl := int(in[i])
		i++
		if ctrl < 32 {
			n := ctrl + 1
			if i+n > len(in) || len(out)+n > ulen {
				return nil, false
			}
			out = append(out, in[i:i+n]...)
			i += n
			continue
		}
		n := ctrl >> 5
		if n == 7 {
			if i >= len(in) {
				return nil, false
			}
			n += int(in[i])
			i++
		}
		if i >= len(in) {
			return nil, false
		}
		ref := len(out) - ((ctrl&0x1f)<<8 | int(in[i])) - 1
		i++
		n += 2
		if ref < 0 || len(out)+n > ulen {
			return nil, false
		}
		for k := 0; k < n; k++ { // byte by byte: the ranges may overlap
			out = append(out, out[ref+k])
		}
	}
	if len(out) != ulen {
		return nil, false
	}
	return out, true
}
