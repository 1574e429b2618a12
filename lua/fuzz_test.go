package lua

import (
	"context"
	"testing"
	"time"

	"github.com/redcurrent/redcurrent/engine"
)

// FuzzSandbox feeds arbitrary source to one long-lived State: no panic
// escapes, every run writes exactly one reply, and the sandbox survives.
func FuzzSandbox(f *testing.F) {
	for _, seed := range []string{
		"return 1", "x = 1", "return ('a'):rep(3) .. 1/3", "return string.format('%5.2f %q', 1.5, 'a\\n')",
		"return cjson.decode(cjson.encode({1,2,{a=1}}))", "return cmsgpack.unpack(cmsgpack.pack({1,'x',{a=true}}))",
		"return struct.unpack('>i4', struct.pack('>i4', -5))", "return string.gsub('hello world', '(o)', '%1%1')",
		"return ('x'):find('(()')", "return redis.call('echo', 'x')", "local t = setmetatable({}, {__concat = function() return 'c' end}) return t .. 1",
		"while true do end", "return string.rep('a', 1000):match(string.rep('a?', 30) .. string.rep('a', 30))",
	} {
		f.Add(seed)
	}
	s := NewState(Options{Caller: &fakeCaller{}})
	defer s.Close()
	f.Fuzz(func(t *testing.T, src string) {
		sc, err := s.Compile(testSHA, "user_script", []byte(src))
		if err != nil {
			return
		}
		// A deadline bounds runaway scripts; no sleeping is involved.
		ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
		defer cancel()
		w := &respWriter{proto: 2}
		s.Run(ctx, &engine.Client{}, sc, nil, nil, w)
		if w.b.Len() == 0 {
			t.Fatalf("no reply for %q", src)
		}
		// The sandbox is intact afterwards.
		w2 := &respWriter{proto: 2}
		ok, _ := s.Compile(testSHA, "user_script", []byte("return type(redis.call) .. type(string.upper)"))
		s.Run(context.Background(), &engine.Client{}, ok, nil, nil, w2)
		if w2.b.String() != bulk("functionfunction") {
			t.Fatalf("sandbox damaged by %q: %q", src, w2.b.String())
		}
	})
}

// FuzzSyntax: the Lua 5.1 syntax check stops only with a syntax error,
// never with another panic (checkSyntax would hide one and leave the
// source to gopher-lua's parser).
func FuzzSyntax(f *testing.F) {
	for _, tc := range compileCases {
		f.Add(tc.src)
	}
	f.Fuzz(func(t *testing.T, src string) {
		p := &parser{lx: lexer{src: src, line: 1, chunk: "user_script"}}
		defer func() {
			if r := recover(); r != nil {
				t.Fatalf("%q: %v", src, r)
			}
		}()
		p.fs = &funcState{vararg: true}
		func() {
			defer func() {
				if r := recover(); r != nil {
					if _, ok := r.(bail); !ok {
						panic(r)
					}
				}
			}()
			p.next()
			p.chunk()
			p.check(tkEOS)
		}()
	})
}
