package lua

import (
	"math"

	lua "github.com/yuin/gopher-lua"
)

// Rand is the PRNG behind math.random and math.randomseed: the 48-bit linear
// congruential generator of POSIX drand48 (x' = a*x + c mod 2^48,
// a = 0x5DEECE66D, c = 0xB), which Redis uses so scripts are reproducible
// across platforms (redisLrand48). One Rand serves every Lua state of a
// server: Redis seeds it once at start-up and neither SCRIPT FLUSH nor a new
// script reseeds it. Not safe for concurrent use; callers hold the engine lock.
type Rand struct{ x uint64 }

const (
	rand48A    = 0x5DEECE66D
	rand48C    = 0xB
	rand48Mask = 1<<48 - 1
	// rand48Max is REDIS_LRAND48_MAX (INT32_MAX), the divisor of math.random.
	rand48Max = math.MaxInt32
)

// NewRand returns a generator in the state POSIX gives drand48 before any
// seeding (0x1234ABCD330E), which is where Redis starts.
func NewRand() *Rand { return &Rand{x: 0x1234ABCD330E} }

// Seed is srand48: the high 32 bits of the state are seed, the low 16 0x330E.
func (r *Rand) Seed(seed int32) {
	r.x = uint64(uint32(seed))<<16 | 0x330E
}

// Next is lrand48: the next 31-bit non-negative value.
func (r *Rand) Next() int32 {
	r.x = (rand48A*r.x + rand48C) & rand48Mask
	return int32(r.x >> 17)
}

// mathRandom is Lua 5.1's math.random over Redis's generator: the
// fraction is lrand48()%MAX/MAX, then scaled as Lua 5.1 scales rand().
func (s *State) mathRandom(L *lua.LState) int {
	r := float64(s.rand.Next()%rand48Max) / float64(rand48Max)
	switch L.GetTop() {
	case 0:
		L.Push(lua.LNumber(r))
	case 1:
		u := checkCInt(L, 1, "random")
		if u < 1 {
			argError(L, 1, "random", "interval is empty")
		}
		L.Push(lua.LNumber(math.Floor(r*float64(u)) + 1))
	case 2:
		l := checkCInt(L, 1, "random")
		u := checkCInt(L, 2, "random")
		if l > u {
			argError(L, 2, "random", "interval is empty")
		}
		L.Push(lua.LNumber(math.Floor(r*float64(u-l+1)) + float64(l)))
	default:
		raiseError(L, "wrong number of arguments")
	}
	return 1
}

// mathRandomseed is srand48 of the argument cast to int, as Redis does.
func (s *State) mathRandomseed(L *lua.LState) int {
	s.rand.Seed(int32(checkCInt(L, 1, "randomseed")))
	return 0
}
