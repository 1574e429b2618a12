package lua

import (
	"math"
	"strings"

	lua "github.com/yuin/gopher-lua"
)

// openTable returns Lua 5.1's table library: getn, setn, maxn, insert,
// remove, concat, sort, foreach, foreachi. Functions that write refuse
// protected tables (Redis's readonly flag stops them in lua_rawset).
func (s *State) openTable(orig *lua.LTable) *lua.LTable {
	L := s.L
	t := L.NewTable()
	funcs := map[string]lua.LGFunction{
		"getn":     s.tabGetn,
		"setn":     func(L *lua.LState) int { raiseError(L, "'setn' is obsolete"); return 0 },
		"maxn":     s.tabMaxn,
		"insert":   s.tabInsert,
		"remove":   s.tabRemove,
		"concat":   s.tabConcat,
		"sort":     s.tabSort,
		"foreach":  s.tabForeach,
		"foreachi": s.tabForeachi,
	}
	for name, fn := range funcs {
		t.RawSetString(name, L.NewFunction(fn))
	}
	return t
}

// writable returns the table argument n, refusing protected proxies.
func (s *State) writable(L *lua.LState, n int, fname string) *lua.LTable {
	t := checkTable(L, n, fname)
	if s.isProtected(t) {
		readonlyRefuse(L)
	}
	return t
}

func (s *State) tabGetn(L *lua.LState) int {
	L.Push(lua.LNumber(s.real(checkTable(L, 1, "getn")).Len()))
	return 1
}

func (s *State) tabMaxn(L *lua.LState) int {
	max := 0.0
	s.real(checkTable(L, 1, "maxn")).ForEach(func(k, _ lua.LValue) {
		if n, ok := k.(lua.LNumber); ok && float64(n) > max {
			max = float64(n)
		}
	})
	L.Push(lua.LNumber(max))
	return 1
}

func (s *State) tabInsert(L *lua.LState) int {
	t := s.writable(L, 1, "insert")
	e := t.Len() + 1
	switch L.GetTop() {
	case 2:
		t.RawSetInt(e, L.Get(2))
	case 3:
		pos := int(checkCInt(L, 2, "insert"))
		if pos > e {
			e = pos
		}
		for i := e; i > pos; i-- {
			checkKilled(L, int64(i))
			t.RawSetInt(i, t.RawGetInt(i-1))
		}
		t.RawSetInt(pos, L.Get(3))
	default:
		raiseError(L, "wrong number of arguments to 'insert'")
	}
	return 0
}

func (s *State) tabRemove(L *lua.LState) int {
	t := s.writable(L, 1, "remove")
	e := t.Len()
	pos := int(optCInt(L, 2, "remove", int64(e)))
	if pos < 1 || pos > e {
		return 0 // outside the array part: nothing to remove
	}
	v := t.RawGetInt(pos)
	for ; pos < e; pos++ {
		t.RawSetInt(pos, t.RawGetInt(pos+1))
	}
	t.RawSetInt(e, lua.LNil)
	L.Push(v)
	return 1
}

func (s *State) tabConcat(L *lua.LState) int {
	t := s.real(checkTable(L, 1, "concat"))
	sep := ""
	if L.Get(2) != lua.LNil {
		sep = checkString(L, 2, "concat")
	}
	i := optCInt(L, 3, "concat", 1)
	var j int64
	if L.Get(4) == lua.LNil {
		j = int64(t.Len())
	} else {
		j = checkCInt(L, 4, "concat")
	}
	var b strings.Builder
	for k := i; k <= j; k++ {
		checkKilled(L, k)
		str, ok := toStr(t.RawGetInt(int(k)))
		if !ok {
			raiseError(L, "invalid value (%s) at index %d in table for 'concat'", t.RawGetInt(int(k)).Type().String(), k)
		}
		b.WriteString(str)
		if k != j {
			b.WriteString(sep)
		}
		if b.Len() > maxStringSize {
			raiseError(L, "not enough memory")
		}
	}
	L.Push(lua.LString(b.String()))
	return 1
}

func (s *State) tabForeach(L *lua.LState) int {
	t := s.real(checkTable(L, 1, "foreach"))
	fn := L.Get(2)
	if _, ok := fn.(*lua.LFunction); !ok {
		typeError(L, 2, "foreach", "function")
	}
	k := lua.LValue(lua.LNil)
	for {
		nk, nv := t.Next(k)
		if nk == lua.LNil {
			return 0
		}
		L.Push(fn)
		L.Push(nk)
		L.Push(nv)
		s.call(L, 2, 1, false)
		if r := L.Get(-1); r != lua.LNil {
			return 1
		}
		L.Pop(1)
		k = nk
	}
}

func (s *State) tabForeachi(L *lua.LState) int {
	t := s.real(checkTable(L, 1, "foreachi"))
	fn := L.Get(2)
	if _, ok := fn.(*lua.LFunction); !ok {
		typeError(L, 2, "foreachi", "function")
	}
	n := t.Len()
	for i := 1; i <= n; i++ {
		L.Push(fn)
		L.Push(lua.LNumber(i))
		L.Push(t.RawGetInt(i))
		s.call(L, 2, 1, false)
		if r := L.Get(-1); r != lua.LNil {
			return 1
		}
		L.Pop(1)
	}
	return 0
}

// tabSort is a quicksort in the manner Lua 5.1 documents: the order
// function must be a strict order, and one that is not (always true) makes
// the partition run off the array, which is reported as
// "invalid order function for sorting".
func (s *State) tabSort(L *lua.LState) int {
	t := s.writable(L, 1, "sort")
	n := t.Len()
	var cmp lua.LValue = lua.LNil
	if L.GetTop() >= 2 && L.Get(2) != lua.LNil {
		if _, ok := L.Get(2).(*lua.LFunction); !ok {
			typeError(L, 2, "sort", "function")
		}
		cmp = L.Get(2)
	}
	less := func(a, b lua.LValue) bool {
		if cmp == lua.LNil {
			return L.LessThan(a, b)
		}
		L.Push(cmp)
		L.Push(a)
		L.Push(b)
		s.call(L, 2, 1, false)
		r := lua.LVAsBool(L.Get(-1))
		L.Pop(1)
		return r
	}
	get := func(i int) lua.LValue { return t.RawGetInt(i) }
	set := func(i int, v lua.LValue) { t.RawSetInt(i, v) }
	var sort func(lo, hi int)
	sort = func(lo, hi int) {
		for lo < hi {
			// Median of three into lo, mid, hi.
			if less(get(hi), get(lo)) {
				a, b := get(lo), get(hi)
				set(lo, b)
				set(hi, a)
			}
			if hi-lo == 1 {
				return
			}
			mid := lo + (hi-lo)/2
			if less(get(mid), get(lo)) {
				a, b := get(lo), get(mid)
				set(lo, b)
				set(mid, a)
			} else if less(get(hi), get(mid)) {
				a, b := get(mid), get(hi)
				set(mid, b)
				set(hi, a)
			}
			if hi-lo == 2 {
				return
			}
			pivot := get(mid)
			a, b := get(mid), get(hi-1)
			set(mid, b)
			set(hi-1, a)
			i, j := lo, hi-1
			for {
				for i++; less(get(i), pivot); i++ {
					if i >= hi {
						raiseError(L, "invalid order function for sorting")
					}
				}
				for j--; less(pivot, get(j)); j-- {
					if j <= lo {
						raiseError(L, "invalid order function for sorting")
					}
				}
				if j < i {
					break
				}
				x, y := get(i), get(j)
				set(i, y)
				set(j, x)
			}
			x, y := get(hi-1), get(i)
			set(hi-1, y)
			set(i, x)
			// Recurse into the smaller part, loop on the larger.
			if i-lo < hi-i {
				sort(lo, i-1)
				lo = i + 1
			} else {
				sort(i+1, hi)
				hi = i - 1
			}
		}
	}
	sort(1, n)
	return 0
}

// openMath returns gopher-lua's math library with random and randomseed
// on Redis's PRNG and max/min checking their arguments as Lua 5.1 does.
func (s *State) openMath(orig *lua.LTable) *lua.LTable {
	L := s.L
	t := L.NewTable()
	orig.ForEach(func(k, v lua.LValue) { t.RawSet(k, v) })
	t.RawSetString("random", L.NewFunction(s.mathRandom))
	t.RawSetString("randomseed", L.NewFunction(s.mathRandomseed))
	t.RawSetString("max", L.NewFunction(func(L *lua.LState) int { return mathMinMax(L, "max", 1) }))
	t.RawSetString("min", L.NewFunction(func(L *lua.LState) int { return mathMinMax(L, "min", -1) }))
	t.RawSetString("huge", lua.LNumber(math.Inf(1)))
	return t
}

func mathMinMax(L *lua.LState, fname string, sign float64) int {
	best := checkNumber(L, 1, fname)
	for i := 2; i <= L.GetTop(); i++ {
		v := checkNumber(L, i, fname)
		if (v-best)*sign > 0 {
			best = v
		}
	}
	L.Push(lua.LNumber(best))
	return 1
}
