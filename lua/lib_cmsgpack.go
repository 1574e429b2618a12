package lua

import (
	"encoding/binary"
	"math"

	lua "github.com/yuin/gopher-lua"
)

// The cmsgpack library (lua-cmsgpack 0.4.0 behaviour): pack(...) encodes
// each argument and concatenates them; a table is an array when its keys
// are exactly 1..n, integers take the smallest encoding, non-integral
// numbers are float32 when that is lossless, and tables nested deeper
// than 16 pack as nil. unpack decodes every object; unpack_one and
// unpack_limit return the next offset (-1 at the end) before the objects,
// except unpack_limit(s, 0) (offset 0), which is unpack.

const msgpackMaxNesting = 16

const errBadMsgpack = "Bad data format in input."

func (s *State) openCmsgpack() *lua.LTable {
	L := s.L
	t := L.NewTable()
	t.RawSetString("pack", L.NewFunction(s.msgpackPack))
	t.RawSetString("unpack", L.NewFunction(func(L *lua.LState) int { return msgpackUnpack(L, 0, 0) }))
	t.RawSetString("unpack_one", L.NewFunction(func(L *lua.LState) int {
		return msgpackUnpack(L, 1, optInt(L, 2, "unpack_one", 0))
	}))
	t.RawSetString("unpack_limit", L.NewFunction(func(L *lua.LState) int {
		return msgpackUnpack(L, checkInt(L, 2, "unpack_limit"), optInt(L, 3, "unpack_limit", 0))
	}))
	t.RawSetString("_NAME", lua.LString("cmsgpack"))
	t.RawSetString("_VERSION", lua.LString("lua-cmsgpack 0.4.0"))
	t.RawSetString("_COPYRIGHT", lua.LString("Copyright (C) 2012, Salvatore Sanfilippo"))
	t.RawSetString("_DESCRIPTION", lua.LString("MessagePack C implementation for Lua"))
	return t
}

func (s *State) msgpackPack(L *lua.LState) int {
	if L.GetTop() == 0 {
		argError(L, 0, "pack", "MessagePack pack needs input.")
	}
	var b []byte
	for i := 1; i <= L.GetTop(); i++ {
		b = s.msgpackEncode(L, b, L.Get(i), 0)
	}
	L.Push(lua.LString(b))
	return 1
}

func msgpackLen(b []byte, n int, fix byte, fixMax int, c16, c32 byte) []byte {
	switch {
	case n < fixMax:
		return append(b, fix|byte(n))
	case n <= 0xffff:
		return binary.BigEndian.AppendUint16(append(b, c16), uint16(n))
	default:
		return binary.BigEndian.AppendUint32(append(b, c32), uint32(n))
	}
}

func (s *State) msgpackEncode(L *lua.LState, b []byte, v lua.LValue, depth int) []byte {
	if len(b) > maxStringSize {
		raiseError(L, "not enough memory")
	}
	switch x := v.(type) {
	case lua.LBool:
		if x {
			return append(b, 0xc3)
		}
		return append(b, 0xc2)
	case lua.LNumber:
		f := float64(x)
		if f == math.Trunc(f) && f >= -9223372036854775808.0 && f < 9223372036854775808.0 {
			return msgpackInt(b, int64(f))
		}
		if float64(float32(f)) == f {
			return binary.BigEndian.AppendUint32(append(b, 0xca), math.Float32bits(float32(f)))
		}
		return binary.BigEndian.AppendUint64(append(b, 0xcb), math.Float64bits(f))
	case lua.LString:
		n := len(x)
		switch {
		case n < 32:
			b = append(b, 0xa0|byte(n))
		case n <= 0xff:
			b = append(b, 0xd9, byte(n))
		case n <= 0xffff:
			b = binary.BigEndian.AppendUint16(append(b, 0xda), uint16(n))
		default:
			b = binary.BigEndian.AppendUint32(append(b, 0xdb), uint32(n))
		}
		return append(b, x...)
	case *lua.LTable:
		if depth >= msgpackMaxNesting {
			return append(b, 0xc0)
		}
		t := s.real(x)
		count, isArray := 0, true
		t.ForEach(func(k, _ lua.LValue) {
			count++
			if n, ok := k.(lua.LNumber); !ok || float64(n) != math.Trunc(float64(n)) || n < 1 {
				isArray = false
			}
		})
		if isArray {
			for i := 1; i <= count; i++ {
				if t.RawGetInt(i) == lua.LNil {
					isArray = false
					break
				}
			}
		}
		if isArray {
			b = msgpackLen(b, count, 0x90, 16, 0xdc, 0xdd)
			for i := 1; i <= count; i++ {
				b = s.msgpackEncode(L, b, t.RawGetInt(i), depth+1)
			}
			return b
		}
		b = msgpackLen(b, count, 0x80, 16, 0xde, 0xdf)
		t.ForEach(func(k, v lua.LValue) {
			b = s.msgpackEncode(L, b, k, depth+1)
			b = s.msgpackEncode(L, b, v, depth+1)
		})
		return b
	}
	return append(b, 0xc0)
}

func msgpackInt(b []byte, n int64) []byte {
	switch {
	case n >= 0 && n < 128:
		return append(b, byte(n))
	case n >= 0 && n <= 0xff:
		return append(b, 0xcc, byte(n))
	case n >= 0 && n <= 0xffff:
		return binary.BigEndian.AppendUint16(append(b, 0xcd), uint16(n))
	case n >= 0 && n <= 0xffffffff:
		return binary.BigEndian.AppendUint32(append(b, 0xce), uint32(n))
	case n >= 0:
		return binary.BigEndian.AppendUint64(append(b, 0xcf), uint64(n))
	case n >= -32:
		return append(b, byte(n))
	case n >= -128:
		return append(b, 0xd0, byte(n))
	case n >= -32768:
		return binary.BigEndian.AppendUint16(append(b, 0xd1), uint16(n))
	case n >= -2147483648:
		return binary.BigEndian.AppendUint32(append(b, 0xd2), uint32(n))
	}
	return binary.BigEndian.AppendUint64(append(b, 0xd3), uint64(n))
}

// msgpackDecoder decodes as mp_decode_to_lua_type does, one error at a
// time: truncated input is "Missing bytes in input.", a byte that starts no
// supported type (bin and ext types included) "Bad data format in input.".
// top counts the C stack slots the C decoder would hold (the string
// argument, the results so far, and per open table the table and its
// pending key or index), so nesting and result counts fail where
// LUAI_MAXCSTACK (8,000) makes lua_checkstack fail in Redis.
type msgpackDecoder struct {
	L    *lua.LState
	data string
	pos  int
	top  int
}

const (
	errMsgpackEOF = "Missing bytes in input."
	maxCStack     = unpackMax + 1 // LUAI_MAXCSTACK
)

// checkStack is luaL_checkstack(L, 1, msg).
func (d *msgpackDecoder) checkStack(msg string) {
	if d.top+1 > maxCStack {
		raiseError(d.L, "stack overflow (%s)", msg)
	}
}

func (d *msgpackDecoder) take(n int) string {
	if n < 0 || len(d.data)-d.pos < n {
		raiseError(d.L, errMsgpackEOF)
	}
	s := d.data[d.pos : d.pos+n]
	d.pos += n
	return s
}

func (d *msgpackDecoder) uint(n int) uint64 {
	s := d.take(n)
	var u uint64
	for i := 0; i < n; i++ {
		u = u<<8 | uint64(s[i])
	}
	return u
}

func (d *msgpackDecoder) decode() lua.LValue {
	if d.pos >= len(d.data) {
		raiseError(d.L, errMsgpackEOF)
	}
	d.checkStack("too many return values at once; use unpack_one or unpack_limit instead.")
	c := d.take(1)[0]
	switch {
	case c <= 0x7f:
		return lua.LNumber(c)
	case c >= 0xe0:
		return lua.LNumber(int8(c))
	case c >= 0x80 && c <= 0x8f:
		return d.mapOf(int(c & 0x0f))
	case c >= 0x90 && c <= 0x9f:
		return d.arrayOf(int(c & 0x0f))
	case c >= 0xa0 && c <= 0xbf:
		return lua.LString(d.take(int(c & 0x1f)))
	}
	switch c {
	case 0xc0:
		return lua.LNil
	case 0xc2:
		return lua.LFalse
	case 0xc3:
		return lua.LTrue
	case 0xd9:
		return lua.LString(d.take(int(d.uint(1))))
	case 0xda:
		return lua.LString(d.take(int(d.uint(2))))
	case 0xdb:
		return lua.LString(d.take(int(d.uint(4))))
	case 0xca:
		return lua.LNumber(math.Float32frombits(uint32(d.uint(4))))
	case 0xcb:
		return lua.LNumber(math.Float64frombits(d.uint(8)))
	case 0xcc:
		return lua.LNumber(d.uint(1))
	case 0xcd:
		return lua.LNumber(d.uint(2))
	case 0xce:
		return lua.LNumber(d.uint(4))
	case 0xcf:
		// lua_pushunsigned is lua_pushinteger on 64-bit builds: above
		// 2^63-1 the value reads as negative.
		return lua.LNumber(float64(int64(d.uint(8))))
	case 0xd0:
		return lua.LNumber(int8(d.uint(1)))
	case 0xd1:
		return lua.LNumber(int16(d.uint(2)))
	case 0xd2:
		return lua.LNumber(int32(d.uint(4)))
	case 0xd3:
		return lua.LNumber(float64(int64(d.uint(8))))
	case 0xdc:
		return d.arrayOf(int(d.uint(2)))
	case 0xdd:
		return d.arrayOf(int(d.uint(4)))
	case 0xde:
		return d.mapOf(int(d.uint(2)))
	case 0xdf:
		return d.mapOf(int(d.uint(4)))
	}
	raiseError(d.L, errBadMsgpack)
	return lua.LNil
}

// arrayOf decodes n elements. The table is sized by what the input can
// hold (each element takes a byte), not by n: a declared count alone
// allocates nothing.
func (d *msgpackDecoder) arrayOf(n int) lua.LValue {
	t := d.L.CreateTable(min(n, len(d.data)-d.pos), 0)
	d.top++ // the table
	d.checkStack("in function mp_decode_to_lua_array")
	for i := 1; i <= n; i++ {
		d.top++ // the index
		t.RawSetInt(i, d.decode())
		d.top--
	}
	d.top--
	return t
}

// mapOf decodes n key-value pairs. A nil or NaN key fails as lua_settable
// does, without a position: the error is raised inside the C library.
func (d *msgpackDecoder) mapOf(n int) lua.LValue {
	t := d.L.CreateTable(0, min(n, (len(d.data)-d.pos)/2))
	d.top++ // the table
	for i := 0; i < n; i++ {
		k := d.decode()
		d.top++ // the key
		v := d.decode()
		d.top--
		switch x := k.(type) {
		case *lua.LNilType:
			d.L.Error(lua.LString("table index is nil"), 0)
		case lua.LNumber:
			if x != x {
				d.L.Error(lua.LString("table index is NaN"), 0)
			}
		}
		t.RawSet(k, v)
	}
	d.top--
	return t
}

// msgpackUnpack is mp_unpack_full: limit objects from offset, every
// object when both are 0 (unpack). When not decoding everything, the
// offset after them (-1 at the end) comes first. offset and limit are
// lua_Integers; the errors print them, and the input's length, as C ints.
func msgpackUnpack(L *lua.LState, limit, offset int64) int {
	data := checkString(L, 1, "unpack")
	if offset < 0 || limit < 0 {
		// Redis prints the length where it means the limit.
		raiseError(L, "Invalid request to unpack with offset of %d and limit of %d.", int32(offset), int32(len(data)))
	}
	if offset > int64(len(data)) {
		raiseError(L, "Start offset %d greater than input length %d.", int32(offset), int32(len(data)))
	}
	all := limit == 0 && offset == 0
	if all {
		limit = math.MaxInt32
	}
	d := &msgpackDecoder{L: L, data: data, pos: int(offset), top: 1}
	var vals []lua.LValue
	for d.pos < len(data) && int64(len(vals)) < limit {
		vals = append(vals, d.decode())
		d.top++
	}
	n := len(vals)
	if !all {
		d.checkStack("in function mp_unpack_full")
		next := int64(d.pos)
		if d.pos >= len(data) {
			next = -1
		}
		L.Push(lua.LNumber(next))
		n++
	}
	for _, v := range vals {
		L.Push(v)
	}
	return n
}
