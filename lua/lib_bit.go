package lua

import (
	"math"
	"math/bits"

	lua "github.com/yuin/gopher-lua"
)

// The bit library (LuaBitOp 1.0.2 semantics): operands are numbers
// normalised to signed 32-bit integers, rounding to nearest (ties to even)
// and wrapping modulo 2^32; results are signed 32-bit.

func (s *State) openBit() *lua.LTable {
	L := s.L
	t := L.NewTable()
	funcs := map[string]lua.LGFunction{
		"tobit":   func(L *lua.LState) int { return bitRet(L, bitArg(L, 1, "tobit")) },
		"bnot":    func(L *lua.LState) int { return bitRet(L, ^bitArg(L, 1, "bnot")) },
		"band":    bitFold("band", func(a, b int32) int32 { return a & b }),
		"bor":     bitFold("bor", func(a, b int32) int32 { return a | b }),
		"bxor":    bitFold("bxor", func(a, b int32) int32 { return a ^ b }),
		"lshift":  bitShift("lshift", func(x uint32, n uint) uint32 { return x << n }),
		"rshift":  bitShift("rshift", func(x uint32, n uint) uint32 { return x >> n }),
		"arshift": bitShift("arshift", func(x uint32, n uint) uint32 { return uint32(int32(x) >> n) }),
		"rol":     bitShift("rol", func(x uint32, n uint) uint32 { return bits.RotateLeft32(x, int(n)) }),
		"ror":     bitShift("ror", func(x uint32, n uint) uint32 { return bits.RotateLeft32(x, -int(n)) }),
		"bswap":   func(L *lua.LState) int { return bitRet(L, int32(bits.ReverseBytes32(uint32(bitArg(L, 1, "bswap"))))) },
		"tohex":   bitTohex,
	}
	for name, fn := range funcs {
		t.RawSetString(name, L.NewFunction(fn))
	}
	return t
}

// tobit normalises a number as LuaBitOp does.
func tobit(f float64) int32 {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return 0
	}
	r := math.Mod(math.RoundToEven(f), 4294967296)
	if r < 0 {
		r += 4294967296
	}
	return int32(uint32(r))
}

func bitArg(L *lua.LState, n int, fname string) int32 {
	return tobit(checkNumber(L, n, fname))
}

func bitRet(L *lua.LState, v int32) int {
	L.Push(lua.LNumber(v))
	return 1
}

func bitFold(fname string, op func(a, b int32) int32) lua.LGFunction {
	return func(L *lua.LState) int {
		r := bitArg(L, 1, fname)
		for i := 2; i <= L.GetTop(); i++ {
			r = op(r, bitArg(L, i, fname))
		}
		return bitRet(L, r)
	}
}

func bitShift(fname string, op func(x uint32, n uint) uint32) lua.LGFunction {
	return func(L *lua.LState) int {
		x := uint32(bitArg(L, 1, fname))
		n := uint(bitArg(L, 2, fname)) & 31
		return bitRet(L, int32(op(x, n)))
	}
}

// bitTohex: n digits (default 8, at most 8); negative n means upper case.
func bitTohex(L *lua.LState) int {
	x := uint32(bitArg(L, 1, "tohex"))
	n := int64(8)
	if L.Get(2) != lua.LNil {
		n = int64(bitArg(L, 2, "tohex"))
	}
	digits := "0123456789abcdef"
	if n < 0 {
		n = -n
		digits = "0123456789ABCDEF"
	}
	if n > 8 {
		n = 8
	}
	buf := make([]byte, n)
	for i := int(n) - 1; i >= 0; i-- {
		buf[i] = digits[x&15]
		x >>= 4
	}
	L.Push(lua.LString(buf))
	return 1
}
