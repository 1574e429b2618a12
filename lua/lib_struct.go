package lua

import (
	"encoding/binary"
	"math"
	"strings"

	lua "github.com/yuin/gopher-lua"
)

// The struct library (Roberto Ierusalimschy's struct 0.2, as bundled with
// Redis), written from its documented format language:
//
//	> big endian   < little endian   = native (little)   ![n] max alignment
//	b/B signed/unsigned char   h/H short   l/L long   T size_t
//	i/I[n] integer of n bytes (default 4)   f float   d double
//	c[n] fixed string (c0: whole string when packing, the previous
//	number as length when unpacking)   s zero-terminated string
//	x one byte of padding   space ignored
//
// pack returns the string, unpack the values and the next position, size
// the size of a format without variable parts.

const structMaxIntSize = 32

func (s *State) openStruct() *lua.LTable {
	L := s.L
	t := L.NewTable()
	t.RawSetString("pack", L.NewFunction(structPack))
	t.RawSetString("unpack", L.NewFunction(structUnpack))
	t.RawSetString("size", L.NewFunction(structSize))
	return t
}

type structFmt struct {
	L      *lua.LState
	fname  string
	f      string
	i      int
	little bool
	align  int
}

// next returns the next option and its size; ok is false at the end.
func (sf *structFmt) next() (opt byte, size int, ok bool) {
	for sf.i < len(sf.f) {
		opt = sf.f[sf.i]
		sf.i++
		switch opt {
		case ' ':
			continue
		case '>':
			sf.little = false
			continue
		case '<', '=':
			sf.little = true
			continue
		case '!':
			sf.align = sf.number(8)
			continue
		case 'x', 'b', 'B':
			return opt, 1, true
		case 'h', 'H':
			return opt, 2, true
		case 'l', 'L', 'T', 'd':
			return opt, 8, true
		case 'f':
			return opt, 4, true
		case 'i', 'I':
			n := sf.number(4)
			if n > structMaxIntSize {
				raiseError(sf.L, "integral size %d is larger than limit of %d", n, structMaxIntSize)
			}
			return opt, n, true
		case 'c':
			return opt, sf.number(1), true
		case 's':
			return opt, 0, true
		default:
			argError(sf.L, 1, sf.fname, "invalid format option '"+string(opt)+"'")
		}
	}
	return 0, 0, false
}

func (sf *structFmt) number(d int) int {
	if sf.i >= len(sf.f) || sf.f[sf.i] < '0' || sf.f[sf.i] > '9' {
		return d
	}
	n := 0
	for sf.i < len(sf.f) && sf.f[sf.i] >= '0' && sf.f[sf.i] <= '9' {
		n = n*10 + int(sf.f[sf.i]-'0')
		if n > 1<<20 {
			raiseError(sf.L, "size too large")
		}
		sf.i++
	}
	return n
}

// padding is the fill needed before an item of size at offset n.
func (sf *structFmt) padding(n, size int, opt byte) int {
	if size == 0 || opt == 'c' || opt == 's' {
		return 0
	}
	a := size
	if a > sf.align {
		a = sf.align
	}
	if a <= 1 {
		return 0
	}
	return (a - n%a) % a
}

func newStructFmt(L *lua.LState, fname string) *structFmt {
	return &structFmt{L: L, fname: fname, f: checkString(L, 1, fname), little: true, align: 1}
}

func (sf *structFmt) putInt(b []byte, v uint64, size int) []byte {
	buf := make([]byte, size)
	for k := 0; k < size; k++ {
		var byt byte
		if k < 8 {
			byt = byte(v >> (8 * k))
		} else if int64(v) < 0 {
			byt = 0xff
		}
		if sf.little {
			buf[k] = byt
		} else {
			buf[size-1-k] = byt
		}
	}
	return append(b, buf...)
}

func structPack(L *lua.LState) int {
	sf := newStructFmt(L, "pack")
	var b []byte
	arg := 2
	for {
		opt, size, ok := sf.next()
		if !ok {
			break
		}
		for pad := sf.padding(len(b), size, opt); pad > 0; pad-- {
			b = append(b, 0)
		}
		switch opt {
		case 'x':
			b = append(b, 0)
			continue
		case 'b', 'B', 'h', 'H', 'l', 'L', 'T', 'i', 'I':
			n := checkNumber(L, arg, "pack")
			var v uint64
			if opt >= 'a' {
				v = uint64(castInt(n))
			} else if n < 0 {
				v = uint64(castInt(n))
			} else if n >= 18446744073709551616.0 {
				v = 0
			} else {
				v = uint64(n)
			}
			b = sf.putInt(b, v, size)
		case 'f':
			var buf [4]byte
			f := math.Float32bits(float32(checkNumber(L, arg, "pack")))
			if sf.little {
				binary.LittleEndian.PutUint32(buf[:], f)
			} else {
				binary.BigEndian.PutUint32(buf[:], f)
			}
			b = append(b, buf[:]...)
		case 'd':
			var buf [8]byte
			f := math.Float64bits(checkNumber(L, arg, "pack"))
			if sf.little {
				binary.LittleEndian.PutUint64(buf[:], f)
			} else {
				binary.BigEndian.PutUint64(buf[:], f)
			}
			b = append(b, buf[:]...)
		case 'c':
			str := checkString(L, arg, "pack")
			if size == 0 {
				size = len(str)
			}
			if len(str) < size {
				argError(L, arg, "pack", "string too short")
			}
			b = append(b, str[:size]...)
		case 's':
			str := checkString(L, arg, "pack")
			if strings.IndexByte(str, 0) >= 0 {
				argError(L, arg, "pack", "string contains zeros")
			}
			b = append(b, str...)
			b = append(b, 0)
		}
		arg++
		if len(b) > maxStringSize {
			raiseError(L, "not enough memory")
		}
	}
	L.Push(lua.LString(b))
	return 1
}

func structUnpack(L *lua.LState) int {
	sf := newStructFmt(L, "unpack")
	data := checkString(L, 2, "unpack")
	pos := int(optInt(L, 3, "unpack", 1)) - 1
	if pos < 0 || pos > len(data) {
		argError(L, 3, "unpack", "offset must be 1 or greater")
	}
	n := 0
	var last lua.LValue = lua.LNil
	for {
		opt, size, ok := sf.next()
		if !ok {
			break
		}
		pos += sf.padding(pos, size, opt)
		if opt == 'c' && size == 0 {
			f, isNum := last.(lua.LNumber)
			if !isNum || n == 0 {
				raiseError(L, "format 'c0' needs a previous size")
			}
			size = int(f)
			L.Pop(1)
			n--
		}
		if opt != 's' && (size < 0 || pos+size > len(data)) {
			argError(L, 2, "unpack", "data string too short")
		}
		var v lua.LValue
		switch opt {
		case 'x':
			pos++
			continue
		case 'b', 'B', 'h', 'H', 'l', 'L', 'T', 'i', 'I':
			var u uint64
			for k := 0; k < size && k < 8; k++ {
				var byt byte
				if sf.little {
					byt = data[pos+k]
				} else {
					byt = data[pos+size-1-k]
				}
				u |= uint64(byt) << (8 * k)
			}
			if opt >= 'a' && size < 8 {
				shift := uint(64 - 8*size)
				v = lua.LNumber(float64(int64(u<<shift) >> shift))
			} else if opt >= 'a' {
				v = lua.LNumber(float64(int64(u)))
			} else {
				v = lua.LNumber(float64(u))
			}
		case 'f':
			raw := []byte(data[pos : pos+4])
			var u uint32
			if sf.little {
				u = binary.LittleEndian.Uint32(raw)
			} else {
				u = binary.BigEndian.Uint32(raw)
			}
			v = lua.LNumber(math.Float32frombits(u))
		case 'd':
			raw := []byte(data[pos : pos+8])
			var u uint64
			if sf.little {
				u = binary.LittleEndian.Uint64(raw)
			} else {
				u = binary.BigEndian.Uint64(raw)
			}
			v = lua.LNumber(math.Float64frombits(u))
		case 'c':
			v = lua.LString(data[pos : pos+size])
		case 's':
			end := strings.IndexByte(data[pos:], 0)
			if end < 0 {
				raiseError(L, "unfinished string in data")
			}
			v = lua.LString(data[pos : pos+end])
			size = end + 1
		}
		pos += size
		L.Push(v)
		last = v
		n++
		if n > unpackMax {
			raiseError(L, "too many results to unpack")
		}
	}
	L.Push(lua.LNumber(pos + 1))
	return n + 1
}

func structSize(L *lua.LState) int {
	sf := newStructFmt(L, "size")
	pos := 0
	for {
		opt, size, ok := sf.next()
		if !ok {
			break
		}
		if opt == 's' || (opt == 'c' && size == 0) {
			argError(L, 1, "size", "options 'c0' and 's' have no fixed size")
		}
		pos += sf.padding(pos, size, opt) + size
	}
	L.Push(lua.LNumber(pos))
	return 1
}
