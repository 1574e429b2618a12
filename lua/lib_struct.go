package lua

import (
	"encoding/binary"
	"math"
	"strings"

	lua "github.com/yuin/gopher-lua"
)

// The struct library (Roberto Ierusalimschy's struct 0.2, as bundled with
// Redis), with lua_struct.c's rules as observed on redis-server:
//
//	> big endian   < little endian (the default)   ![n] max alignment (8),
//	a power of 2   b/B char   h/H short   l/L long   T size_t   i/I[n]
//	integer of n bytes (default 4, at most 32)   f float   d double
//	c[n] fixed string (c0: the whole string when packing, the previous
//	result as length when unpacking)   s zero-terminated string
//	x one byte of padding   space ignored
//
// The format is a C string: it ends at its first zero byte. Counts above
// INT_MAX are "integral size overflow". Alignment pads to
// (size - (pos & (size-1))) & (size-1) with size capped at the maximum
// alignment, which is only a multiple of size when size is a power of 2.
// size ignores letters and digits it does not know; pack and unpack call
// them invalid. Integers wider than 8 bytes keep their low 8 bytes (pack
// writes zeros above them; unpack sign-extends from bit (8n-1) mod 64, as
// the C shift does on x86-64). unpack's offset is a size_t: a negative
// offset wraps and is "data string too short" as soon as an item is read.
// pack returns the string, unpack the values and the next position, size
// the size of a format without variable parts.

const structMaxIntSize = 32

// structMaxAlign is MAXALIGN on x86-64: what "!" alone sets.
const structMaxAlign = 8

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
	align  uint64
}

func newStructFmt(L *lua.LState, fname string) *structFmt {
	f := checkString(L, 1, fname)
	if z := strings.IndexByte(f, 0); z >= 0 {
		f = f[:z]
	}
	return &structFmt{L: L, fname: fname, f: f, little: true, align: 1}
}

// next returns the next option byte; ok is false at the end.
func (sf *structFmt) next() (opt byte, ok bool) {
	if sf.i >= len(sf.f) {
		return 0, false
	}
	sf.i++
	return sf.f[sf.i-1], true
}

// number reads a count after an option (getnum), or returns d.
func (sf *structFmt) number(d int) int {
	if sf.i >= len(sf.f) || !isDigit(sf.f[sf.i]) {
		return d
	}
	a := 0
	for sf.i < len(sf.f) && isDigit(sf.f[sf.i]) {
		c := int(sf.f[sf.i] - '0')
		if a > math.MaxInt32/10 || a*10 > math.MaxInt32-c {
			raiseError(sf.L, "integral size overflow")
		}
		a = a*10 + c
		sf.i++
	}
	return a
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func isAlnum(c byte) bool {
	return isDigit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
}

// size is the size of option opt, reading its count (optsize); 0 for
// options without one.
func (sf *structFmt) size(opt byte) uint64 {
	switch opt {
	case 'b', 'B', 'x':
		return 1
	case 'h', 'H':
		return 2
	case 'f':
		return 4
	case 'l', 'L', 'T', 'd':
		return 8
	case 'c':
		return uint64(sf.number(1))
	case 'i', 'I':
		n := sf.number(4)
		if n > structMaxIntSize {
			raiseError(sf.L, "integral size %d is larger than limit of %d", n, structMaxIntSize)
		}
		return uint64(n)
	}
	return 0
}

// padding is gettoalign: the fill before an item of size at offset n.
func (sf *structFmt) padding(n, size uint64, opt byte) uint64 {
	if size == 0 || opt == 'c' {
		return 0
	}
	size = min(size, sf.align)
	return (size - (n & (size - 1))) & (size - 1)
}

// control applies an option that is not an item (controloptions).
func (sf *structFmt) control(opt byte) {
	switch opt {
	case ' ':
	case '>':
		sf.little = false
	case '<':
		sf.little = true
	case '!':
		a := sf.number(structMaxAlign)
		if a <= 0 || a&(a-1) != 0 {
			raiseError(sf.L, "alignment %d is not a power of 2", a)
		}
		sf.align = uint64(a)
	default:
		argError(sf.L, 1, sf.fname, "invalid format option '"+string([]byte{opt})+"'")
	}
}

// cSizeT is a C conversion of a double to size_t on x86-64.
func cSizeT(f float64) uint64 {
	if f >= 9223372036854775808.0 {
		return uint64(castInt(f-9223372036854775808.0)) ^ 1<<63
	}
	return uint64(castInt(f))
}

func structPack(L *lua.LState) int {
	sf := newStructFmt(L, "pack")
	// lua_struct pushes a nil to mark the end of the arguments: the first
	// missing one reads as nil, not as no value.
	L.Push(lua.LNil)
	var b []byte
	arg := 2
	for {
		opt, ok := sf.next()
		if !ok {
			break
		}
		size := sf.size(opt)
		for pad := sf.padding(uint64(len(b)), size, opt); pad > 0; pad-- {
			b = append(b, 0)
		}
		switch opt {
		case 'b', 'B', 'h', 'H', 'l', 'L', 'T', 'i', 'I':
			n := checkNumber(L, arg, "pack")
			arg++
			v := cSizeT(n)
			if n < 0 {
				v = uint64(castInt(n))
			}
			b = sf.putInt(b, v, int(size))
		case 'x':
			b = append(b, 0)
		case 'f':
			var buf [4]byte
			f := math.Float32bits(float32(checkNumber(L, arg, "pack")))
			arg++
			if sf.little {
				binary.LittleEndian.PutUint32(buf[:], f)
			} else {
				binary.BigEndian.PutUint32(buf[:], f)
			}
			b = append(b, buf[:]...)
		case 'd':
			var buf [8]byte
			f := math.Float64bits(checkNumber(L, arg, "pack"))
			arg++
			if sf.little {
				binary.LittleEndian.PutUint64(buf[:], f)
			} else {
				binary.BigEndian.PutUint64(buf[:], f)
			}
			b = append(b, buf[:]...)
		case 'c', 's':
			str := checkString(L, arg, "pack")
			arg++
			if size == 0 {
				size = uint64(len(str))
			}
			if uint64(len(str)) < size {
				// lua_struct names the argument after the string.
				argError(L, arg, "pack", "string too short")
			}
			b = append(b, str[:size]...)
			if opt == 's' {
				b = append(b, 0)
			}
		default:
			sf.control(opt)
		}
		if len(b) > maxStringSize {
			raiseError(L, "not enough memory")
		}
	}
	L.Push(lua.LString(b))
	return 1
}

// putInt appends the low size bytes of v; bytes beyond the eighth are 0.
func (sf *structFmt) putInt(b []byte, v uint64, size int) []byte {
	at := len(b)
	b = append(b, make([]byte, size)...)
	for k := 0; k < size && k < 8; k++ {
		if sf.little {
			b[at+k] = byte(v >> (8 * k))
		} else {
			b[at+size-1-k] = byte(v >> (8 * k))
		}
	}
	return b
}

// getInt reads a size-byte integer (getinteger).
func (sf *structFmt) getInt(p string, signed bool) float64 {
	var l uint64
	for k := range len(p) {
		if sf.little {
			l = l<<8 | uint64(p[len(p)-1-k])
		} else {
			l = l<<8 | uint64(p[k])
		}
	}
	if !signed {
		return float64(l)
	}
	mask := ^uint64(0) << ((len(p)*8 - 1) & 63)
	if l&mask != 0 {
		l |= mask
	}
	return float64(int64(l))
}

func structUnpack(L *lua.LState) int {
	sf := newStructFmt(L, "unpack")
	data := checkString(L, 2, "unpack")
	ld := uint64(len(data))
	pos := uint64(optInt(L, 3, "unpack", 1)) // a size_t
	if pos == 0 {
		argError(L, 3, "unpack", "offset must be 1 or greater")
	}
	pos--
	nargs := L.GetTop()
	n := 0
	for {
		opt, ok := sf.next()
		if !ok {
			break
		}
		size := sf.size(opt)
		pos += sf.padding(pos, size, opt)
		if size > ld || pos > ld-size {
			argError(L, 2, "unpack", "data string too short")
		}
		// Room for the item and the next position (luaL_checkstack).
		if nargs+n+2 > unpackMax+1 {
			raiseError(L, "stack overflow (too many results)")
		}
		switch opt {
		case 'b', 'B', 'h', 'H', 'l', 'L', 'T', 'i', 'I':
			L.Push(lua.LNumber(sf.getInt(data[pos:pos+size], opt >= 'a')))
			n++
		case 'x':
		case 'f':
			u := binary.LittleEndian.Uint32([]byte(data[pos : pos+4]))
			if !sf.little {
				u = binary.BigEndian.Uint32([]byte(data[pos : pos+4]))
			}
			L.Push(lua.LNumber(math.Float32frombits(u)))
			n++
		case 'd':
			u := binary.LittleEndian.Uint64([]byte(data[pos : pos+8]))
			if !sf.little {
				u = binary.BigEndian.Uint64([]byte(data[pos : pos+8]))
			}
			L.Push(lua.LNumber(math.Float64frombits(u)))
			n++
		case 'c':
			if size == 0 {
				// The previous result, a number or a numeric string.
				f, isNum := toNumber(L.Get(-1))
				if n == 0 || !isNum {
					raiseError(L, "format 'c0' needs a previous size")
				}
				size = cSizeT(f)
				L.Pop(1)
				n--
				if size > ld || pos > ld-size {
					argError(L, 2, "unpack", "data string too short")
				}
			}
			L.Push(lua.LString(data[pos : pos+size]))
			n++
		case 's':
			end := strings.IndexByte(data[pos:], 0)
			if end < 0 {
				raiseError(L, "unfinished string in data")
			}
			L.Push(lua.LString(data[pos : pos+uint64(end)]))
			n++
			size = uint64(end) + 1
		default:
			sf.control(opt)
		}
		pos += size
	}
	L.Push(lua.LNumber(float64(int64(pos + 1))))
	return n + 1
}

func structSize(L *lua.LState) int {
	sf := newStructFmt(L, "size")
	var pos uint64
	for {
		opt, ok := sf.next()
		if !ok {
			break
		}
		size := sf.size(opt)
		pos += sf.padding(pos, size, opt)
		if opt == 's' {
			argError(L, 1, "size", "option 's' has no fixed size")
		} else if opt == 'c' && size == 0 {
			argError(L, 1, "size", "option 'c0' has no fixed size")
		}
		if !isAlnum(opt) {
			sf.control(opt)
		}
		pos += size
	}
	L.Push(lua.LNumber(float64(int64(pos))))
	return 1
}
