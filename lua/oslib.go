package lua

import lua "github.com/yuin/gopher-lua"

// osClock is os.clock (Redis 7.4+): the process's CPU time in seconds.
func (s *State) osClock(L *lua.LState) int {
	f := s.opts.CPUTime
	if f == nil {
		f = processCPUTime
	}
	L.Push(lua.LNumber(f()))
	return 1
}
