package lua

import (
	"strings"

	lua "github.com/yuin/gopher-lua"
)

// A Lua 5.1 pattern matcher, written from the reference manual (§5.4.1):
// backtracking over single-character classes with the ? * + - suffixes,
// captures (position captures included), %b, %f frontiers and back
// references %1-%9. gopher-lua's own matcher lacks %f, anchors gmatch on ^,
// and words its errors differently.

const (
	maxCaptures   = 32
	capUnfinished = -1
	capPosition   = -2
	// patternSteps is how many matcher steps run between checks of the
	// run's context: the VM checks it only between instructions, and one
	// pattern call can take exponential time.
	patternSteps  = 1 << 14
	maxMatchDepth = 200000
)

type capture struct{ init, len int }

type matcher struct {
	L     *lua.LState
	state *State // for gsub's function replacement
	src   string
	pat   string
	level int
	caps  [maxCaptures]capture
	steps int
	depth int
}

func (m *matcher) fail(msg string) { raiseError(m.L, "%s", msg) }

func (m *matcher) tick() {
	m.steps++
	if m.steps%patternSteps == 0 {
		if ctx := m.L.Context(); ctx != nil && ctx.Err() != nil {
			raiseError(m.L, "%s", ctx.Err().Error())
		}
	}
}

func classMatches(c byte, cl byte) bool {
	var r bool
	lower := cl | 0x20
	switch lower {
	case 'a':
		r = isAlpha(c)
	case 'c':
		r = c < 32 || c == 127
	case 'd':
		r = c >= '0' && c <= '9'
	case 'l':
		r = c >= 'a' && c <= 'z'
	case 'p':
		r = isPunct(c)
	case 's':
		r = isSpace(c)
	case 'u':
		r = c >= 'A' && c <= 'Z'
	case 'w':
		r = isAlpha(c) || (c >= '0' && c <= '9')
	case 'x':
		r = (c >= '0' && c <= '9') || (c|0x20 >= 'a' && c|0x20 <= 'f')
	case 'z':
		r = c == 0
	default:
		return cl == c
	}
	if cl >= 'A' && cl <= 'Z' {
		return !r
	}
	return r
}

func isAlpha(c byte) bool { return c|0x20 >= 'a' && c|0x20 <= 'z' }

func isPunct(c byte) bool {
	return c > 32 && c < 127 && !isAlpha(c) && !(c >= '0' && c <= '9')
}

// classEnd returns the index just past the single-character class at p.
func (m *matcher) classEnd(p int) int {
	pat := m.pat
	c := pat[p]
	p++
	switch c {
	case '%':
		if p >= len(pat) {
			m.fail("malformed pattern (ends with '%')")
		}
		return p + 1
	case '[':
		if p < len(pat) && pat[p] == '^' {
			p++
		}
		for {
			if p >= len(pat) {
				m.fail("malformed pattern (missing ']')")
			}
			c := pat[p]
			p++
			if c == '%' && p < len(pat) {
				p++
			}
			if p < len(pat) && pat[p] == ']' {
				return p + 1
			}
		}
	}
	return p
}

// bracketMatches tests c against the set pat[p..ec] where pat[p] is '['
// and pat[ec] is ']'.
func (m *matcher) bracketMatches(c byte, p, ec int) bool {
	pat := m.pat
	sig := true
	if pat[p+1] == '^' {
		sig = false
		p++
	}
	for p++; p < ec; p++ {
		switch {
		case pat[p] == '%':
			p++
			if classMatches(c, pat[p]) {
				return sig
			}
		case pat[p+1] == '-' && p+2 < ec:
			p += 2
			if pat[p-2] <= c && c <= pat[p] {
				return sig
			}
		case pat[p] == c:
			return sig
		}
	}
	return !sig
}

func (m *matcher) singleMatch(s, p, ep int) bool {
	if s >= len(m.src) {
		return false
	}
	c := m.src[s]
	switch m.pat[p] {
	case '.':
		return true
	case '%':
		return classMatches(c, m.pat[p+1])
	case '[':
		return m.bracketMatches(c, p, ep-1)
	}
	return m.pat[p] == c
}

// match returns the end of a match of pat[p:] at src[s:], or -1.
func (m *matcher) match(s, p int) int {
	m.depth++
	defer func() { m.depth-- }()
	if m.depth > maxMatchDepth {
		m.fail("pattern too complex")
	}
	pat := m.pat
	for {
		m.tick()
		if p == len(pat) {
			return s
		}
		switch pat[p] {
		case '(':
			if p+1 < len(pat) && pat[p+1] == ')' {
				return m.startCapture(s, p+2, capPosition)
			}
			return m.startCapture(s, p+1, capUnfinished)
		case ')':
			return m.endCapture(s, p+1)
		case '%':
			if p+1 < len(pat) {
				switch d := pat[p+1]; {
				case d == 'b':
					s = m.matchBalance(s, p+2)
					if s == -1 {
						return -1
					}
					p += 4
					continue
				case d == 'f':
					p += 2
					if p >= len(pat) || pat[p] != '[' {
						m.fail("missing '[' after '%f' in pattern")
					}
					ep := m.classEnd(p)
					var prev, cur byte
					if s > 0 {
						prev = m.src[s-1]
					}
					if s < len(m.src) {
						cur = m.src[s]
					}
					if !m.bracketMatches(prev, p, ep-1) && m.bracketMatches(cur, p, ep-1) {
						p = ep
						continue
					}
					return -1
				case d >= '0' && d <= '9':
					s = m.matchCapture(s, d)
					if s == -1 {
						return -1
					}
					p += 2
					continue
				}
			}
		case '$':
			if p+1 == len(pat) {
				if s == len(m.src) {
					return s
				}
				return -1
			}
		}
		ep := m.classEnd(p)
		ok := m.singleMatch(s, p, ep)
		if ep < len(pat) {
			switch pat[ep] {
			case '?':
				if ok {
					if r := m.match(s+1, ep+1); r != -1 {
						return r
					}
				}
				p = ep + 1
				continue
			case '*':
				return m.maxExpand(s, p, ep)
			case '+':
				if !ok {
					return -1
				}
				return m.maxExpand(s+1, p, ep)
			case '-':
				return m.minExpand(s, p, ep)
			}
		}
		if !ok {
			return -1
		}
		s++
		p = ep
	}
}

func (m *matcher) maxExpand(s, p, ep int) int {
	i := 0
	for m.singleMatch(s+i, p, ep) {
		i++
		m.tick()
	}
	for ; i >= 0; i-- {
		if r := m.match(s+i, ep+1); r != -1 {
			return r
		}
	}
	return -1
}

func (m *matcher) minExpand(s, p, ep int) int {
	for {
		if r := m.match(s, ep+1); r != -1 {
			return r
		}
		if !m.singleMatch(s, p, ep) {
			return -1
		}
		s++
	}
}

func (m *matcher) startCapture(s, p, what int) int {
	if m.level >= maxCaptures {
		m.fail("too many captures")
	}
	m.caps[m.level] = capture{s, what}
	m.level++
	r := m.match(s, p)
	if r == -1 {
		m.level--
	}
	return r
}

func (m *matcher) endCapture(s, p int) int {
	l := -1
	for i := m.level - 1; i >= 0; i-- {
		if m.caps[i].len == capUnfinished {
			l = i
			break
		}
	}
	if l < 0 {
		m.fail("invalid pattern capture")
	}
	m.caps[l].len = s - m.caps[l].init
	r := m.match(s, p)
	if r == -1 {
		m.caps[l].len = capUnfinished
	}
	return r
}

func (m *matcher) matchBalance(s, p int) int {
	if p+1 >= len(m.pat) {
		m.fail("unbalanced pattern")
	}
	if s >= len(m.src) || m.src[s] != m.pat[p] {
		return -1
	}
	b, e := m.pat[p], m.pat[p+1]
	depth := 1
	for s++; s < len(m.src); s++ {
		m.tick()
		switch m.src[s] {
		case e:
			depth--
			if depth == 0 {
				return s + 1
			}
		case b:
			depth++
		}
	}
	return -1
}

func (m *matcher) checkCapture(d byte) int {
	l := int(d) - '1'
	if l < 0 || l >= m.level || m.caps[l].len == capUnfinished {
		m.fail("invalid capture index")
	}
	return l
}

func (m *matcher) matchCapture(s int, d byte) int {
	l := m.checkCapture(d)
	c := m.caps[l]
	capStr := m.src[c.init : c.init+c.len]
	if len(m.src)-s >= c.len && m.src[s:s+c.len] == capStr {
		return s + c.len
	}
	return -1
}

// captureValue is capture i of a match src[s:e]; with no captures, capture
// 0 is the whole match.
func (m *matcher) captureValue(i, s, e int) lua.LValue {
	if i >= m.level {
		if i == 0 {
			return lua.LString(m.src[s:e])
		}
		m.fail("invalid capture index")
	}
	c := m.caps[i]
	switch c.len {
	case capUnfinished:
		m.fail("unfinished capture")
	case capPosition:
		return lua.LNumber(c.init + 1)
	}
	return lua.LString(m.src[c.init : c.init+c.len])
}

// pushCaptures pushes the captures (or the whole match when there are none
// and whole is set) and returns how many.
func (m *matcher) pushCaptures(s, e int, whole bool) int {
	n := m.level
	if n == 0 && whole {
		n = 1
	}
	for i := 0; i < n; i++ {
		m.L.Push(m.captureValue(i, s, e))
	}
	return n
}

// posrelat is Lua 5.1's: negative positions count from the end.
func posrelat(pos int64, n int) int64 {
	if pos < 0 {
		pos += int64(n) + 1
	}
	if pos < 0 {
		return 0
	}
	return pos
}

const patternSpecials = "^$*+?.([%-"

func strFindAux(L *lua.LState, find bool) int {
	fname := "match"
	if find {
		fname = "find"
	}
	s := checkString(L, 1, fname)
	p := checkString(L, 2, fname)
	init := posrelat(optInt(L, 3, fname, 1), len(s)) - 1
	if init < 0 {
		init = 0
	} else if init > int64(len(s)) {
		init = int64(len(s))
	}
	if find && (lua.LVAsBool(L.Get(4)) || !strings.ContainsAny(p, patternSpecials)) {
		if i := strings.Index(s[init:], p); i >= 0 {
			L.Push(lua.LNumber(int(init) + i + 1))
			L.Push(lua.LNumber(int(init) + i + len(p)))
			return 2
		}
		L.Push(lua.LNil)
		return 1
	}
	anchor := strings.HasPrefix(p, "^")
	if anchor {
		p = p[1:]
	}
	m := &matcher{L: L, src: s, pat: p}
	for s1 := int(init); ; s1++ {
		m.level = 0
		if e := m.match(s1, 0); e != -1 {
			if find {
				L.Push(lua.LNumber(s1 + 1))
				L.Push(lua.LNumber(e))
				return m.pushCaptures(-1, -1, false) + 2
			}
			return m.pushCaptures(s1, e, true)
		}
		if anchor || s1 >= len(s) {
			break
		}
	}
	L.Push(lua.LNil)
	return 1
}

func strFind(L *lua.LState) int  { return strFindAux(L, true) }
func strMatch(L *lua.LState) int { return strFindAux(L, false) }

// strGmatch: in Lua 5.1 '^' is not an anchor here, just a character.
func strGmatch(L *lua.LState) int {
	s := checkString(L, 1, "gmatch")
	p := checkString(L, 2, "gmatch")
	pos := 0
	L.Push(L.NewFunction(func(L *lua.LState) int {
		m := &matcher{L: L, src: s, pat: p}
		for src := pos; src <= len(s); src++ {
			m.level = 0
			if e := m.match(src, 0); e != -1 {
				pos = e
				if e == src {
					pos++
				}
				return m.pushCaptures(src, e, true)
			}
		}
		pos = len(s) + 1
		return 0
	}))
	return 1
}

func (st *State) strGsub(L *lua.LState) int {
	src := checkString(L, 1, "gsub")
	p := checkString(L, 2, "gsub")
	repl := L.Get(3)
	switch repl.Type() {
	case lua.LTNumber, lua.LTString, lua.LTTable, lua.LTFunction:
	default:
		argError(L, 3, "gsub", "string/function/table expected")
	}
	maxN := optCInt(L, 4, "gsub", int64(len(src))+1)
	anchor := strings.HasPrefix(p, "^")
	if anchor {
		p = p[1:]
	}
	m := &matcher{L: L, src: src, pat: p, state: st}
	var b strings.Builder
	n := int64(0)
	s := 0
	for n < maxN {
		m.level = 0
		e := m.match(s, 0)
		if e != -1 {
			n++
			m.addValue(&b, s, e, repl)
		}
		switch {
		case e != -1 && e > s:
			s = e
		case s < len(src):
			b.WriteByte(src[s])
			s++
		default:
			goto done
		}
		if b.Len() > maxStringSize {
			raiseError(L, "not enough memory")
		}
		if anchor {
			break
		}
	}
done:
	b.WriteString(src[s:])
	L.Push(lua.LString(b.String()))
	L.Push(lua.LNumber(n))
	return 2
}

func (m *matcher) addValue(b *strings.Builder, s, e int, repl lua.LValue) {
	L := m.L
	var v lua.LValue
	switch r := repl.(type) {
	case lua.LString, lua.LNumber:
		rs, _ := toStr(r)
		for i := 0; i < len(rs); i++ {
			c := rs[i]
			if c != '%' || i+1 >= len(rs) {
				b.WriteByte(c)
				continue
			}
			i++
			d := rs[i]
			switch {
			case d < '0' || d > '9':
				b.WriteByte(d)
			case d == '0':
				b.WriteString(m.src[s:e])
			default:
				cv := m.captureValue(int(d-'1'), s, e)
				str, _ := toStr(cv)
				b.WriteString(str)
			}
		}
		return
	case *lua.LTable:
		v = L.GetTable(r, m.captureValue(0, s, e))
	case *lua.LFunction:
		L.Push(r)
		n := m.pushCaptures(s, e, true)
		m.state.call(L, n, 1, false)
		v = L.Get(-1)
		L.Pop(1)
	}
	if !lua.LVAsBool(v) {
		b.WriteString(m.src[s:e])
		return
	}
	str, ok := toStr(v)
	if !ok {
		raiseError(L, "invalid replacement value (a %s)", v.Type().String())
	}
	b.WriteString(str)
}
