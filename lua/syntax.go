package lua

import (
	"fmt"
	"strconv"
	"strings"
)

// checkSyntax reads src as Lua 5.1's parser reads it, building nothing,
// and returns its first syntax error in Lua 5.1's words ("user_script:1:
// '=' expected near 'x'"), or nil. gopher-lua's own parser (a generated
// LALR parser) only knows "syntax error" and accepts some things Lua 5.1
// does not (goto, labels, some escapes and numerals); this pass runs first
// so that the compile errors of EVAL, SCRIPT LOAD, FUNCTION LOAD and
// loadstring read as Redis's.
//
// It follows the Lua 5.1 grammar (reference manual §8) with the parser's
// documented limits and messages: a statement is read by its first token,
// an expression by operator priority, each block up to the token that ends
// it; a missing token is reported as "'x' expected", with "(to close 'y'
// at line n)" when the opening token is on another line; whatever cannot
// start an expression is an "unexpected symbol".
//
// It also returns src with the numerals gopher-lua's lexer cannot read
// (hexadecimal ones with a binary exponent, "0x1p4") written in decimal.
func checkSyntax(src, chunk string) (string, error) {
	p := &parser{lx: lexer{src: src, line: 1, chunk: chunk}}
	if err := p.run(); err != nil {
		return "", err
	}
	if len(p.lx.fixes) == 0 {
		return src, nil
	}
	var b []byte
	at := 0
	for _, f := range p.lx.fixes {
		b = append(b, src[at:f.start]...)
		b = append(b, f.text...)
		at = f.end
	}
	b = append(b, src[at:]...)
	return string(b), nil
}

// numFix replaces src[start:end] with text.
type numFix struct {
	start, end int
	text       string
}

// A luaSyntaxError carries the finished message.
type luaSyntaxError struct{ msg string }

func (e *luaSyntaxError) Error() string { return e.msg }

// Token kinds: a single-character token is its byte value; the others
// follow.
const (
	tkAnd = 257 + iota
	tkBreak
	tkDo
	tkElse
	tkElseif
	tkEnd
	tkFalse
	tkFor
	tkFunction
	tkIf
	tkIn
	tkLocal
	tkNil
	tkNot
	tkOr
	tkRepeat
	tkReturn
	tkThen
	tkTrue
	tkUntil
	tkWhile
	tkConcat
	tkDots
	tkEq
	tkGE
	tkLE
	tkNE
	tkNumber
	tkName
	tkString
	tkEOS
)

var tokenNames = map[int]string{
	tkAnd: "and", tkBreak: "break", tkDo: "do", tkElse: "else", tkElseif: "elseif", tkEnd: "end",
	tkFalse: "false", tkFor: "for", tkFunction: "function", tkIf: "if", tkIn: "in", tkLocal: "local",
	tkNil: "nil", tkNot: "not", tkOr: "or", tkRepeat: "repeat", tkReturn: "return", tkThen: "then",
	tkTrue: "true", tkUntil: "until", tkWhile: "while", tkConcat: "..", tkDots: "...", tkEq: "==",
	tkGE: ">=", tkLE: "<=", tkNE: "~=", tkNumber: "<number>", tkName: "<name>", tkString: "<string>",
	tkEOS: "<eof>",
}

var reserved = map[string]int{}

func init() {
	for k := tkAnd; k <= tkWhile; k++ {
		reserved[tokenNames[k]] = k
	}
}

// tokenText is how a token kind is shown in messages.
func tokenText(k int) string {
	if k < 257 {
		if k < 32 || k == 127 {
			return fmt.Sprintf("char(%d)", k)
		}
		return byteText(byte(k))
	}
	return tokenNames[k]
}

// byteText is the one-byte string of c (for bytes above 127 too).
func byteText(c byte) string { return string([]byte{c}) }

type token struct {
	kind int
	line int    // the line the token ends on
	text string // what the lexer read, for names, strings and numerals
}

type lexer struct {
	src   string
	pos   int
	line  int
	chunk string
	// last is the text of the most recently read name, string or
	// numeral: Lua shows it after "near" for such tokens.
	last  string
	fixes []numFix
}

func (lx *lexer) cur() int {
	if lx.pos < len(lx.src) {
		return int(lx.src[lx.pos])
	}
	return -1
}

func (lx *lexer) peekAt(n int) int {
	if lx.pos+n < len(lx.src) {
		return int(lx.src[lx.pos+n])
	}
	return -1
}

func isNewline(c int) bool { return c == '\n' || c == '\r' }

// newline skips a line break: "\n", "\r", "\n\r" or "\r\n".
func (lx *lexer) newline() {
	c := lx.cur()
	lx.pos++
	if n := lx.cur(); isNewline(n) && n != c {
		lx.pos++
	}
	lx.line++
}

// Character classes of the C locale, plus '_' for names.
func lexDigit(c int) bool { return c >= '0' && c <= '9' }
func lexAlpha(c int) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_' }
func lexAlnum(c int) bool { return lexAlpha(c) || lexDigit(c) }

// lexError is luaX_lexerror: near shows the token, or nothing for kind 0.
func (lx *lexer) lexError(msg string, kind int, text string) error {
	m := lx.chunk + ":" + strconv.Itoa(lx.line) + ": " + msg
	switch kind {
	case 0:
	case tkName, tkString, tkNumber:
		m += " near '" + text + "'"
	default:
		m += " near '" + tokenText(kind) + "'"
	}
	return &luaSyntaxError{m}
}

// sep reads a long bracket's "[===" or "]===" at the current position
// and returns its level, or -(level)-1 when the bracket does not repeat.
func (lx *lexer) sep(b *[]byte) int {
	s := lx.cur()
	*b = append(*b, byte(s))
	lx.pos++
	n := 0
	for lx.cur() == '=' {
		*b = append(*b, '=')
		lx.pos++
		n++
	}
	if lx.cur() == s {
		return n
	}
	return -n - 1
}

// longString reads a long string or comment whose opening bracket of
// level lvl has been read up to its second '['.
func (lx *lexer) longString(b []byte, lvl int, comment bool) (string, error) {
	b = append(b, '[')
	lx.pos++
	if isNewline(lx.cur()) {
		lx.newline()
	}
	for {
		switch c := lx.cur(); {
		case c < 0:
			what := "unfinished long string"
			if comment {
				what = "unfinished long comment"
			}
			return "", lx.lexError(what, tkEOS, "")
		case c == ']':
			if lx.sep(&b) == lvl {
				b = append(b, ']')
				lx.pos++
				return string(b), nil
			}
		case isNewline(c):
			b = append(b, '\n')
			lx.newline()
		default:
			b = append(b, byte(c))
			lx.pos++
		}
	}
}

// quoted reads a string between quote characters.
func (lx *lexer) quoted() (string, error) {
	del := lx.cur()
	b := []byte{byte(del)}
	lx.pos++
	for lx.cur() != del {
		switch c := lx.cur(); {
		case c < 0:
			return "", lx.lexError("unfinished string", tkEOS, "")
		case isNewline(c):
			return "", lx.lexError("unfinished string", tkString, string(b))
		case c == '\\':
			lx.pos++
			switch e := lx.cur(); {
			case e < 0:
				// reported as unfinished by the next round
			case isNewline(e):
				b = append(b, '\n')
				lx.newline()
			case lexDigit(e):
				n := 0
				for i := 0; i < 3 && lexDigit(lx.cur()); i++ {
					n = n*10 + lx.cur() - '0'
					lx.pos++
				}
				if n > 255 {
					return "", lx.lexError("escape sequence too large", tkString, string(b))
				}
				b = append(b, byte(n))
			default:
				if r, ok := map[int]byte{'a': 7, 'b': 8, 'f': 12, 'n': 10, 'r': 13, 't': 9, 'v': 11}[e]; ok {
					b = append(b, r)
				} else {
					b = append(b, byte(e)) // \\, \", \', and any other character
				}
				lx.pos++
			}
		default:
			b = append(b, byte(c))
			lx.pos++
		}
	}
	b = append(b, byte(del))
	lx.pos++
	return string(b), nil
}

// numeral reads a number: digits and dots, an optional exponent sign,
// then letters, digits and underscores; strtod must take all of it.
func (lx *lexer) numeral() (string, error) {
	start := lx.pos
	for lexDigit(lx.cur()) || lx.cur() == '.' {
		lx.pos++
	}
	if c := lx.cur(); c == 'e' || c == 'E' {
		lx.pos++
		if c := lx.cur(); c == '+' || c == '-' {
			lx.pos++
		}
	}
	for lexAlnum(lx.cur()) {
		lx.pos++
	}
	text := lx.src[start:lx.pos]
	v, ok := str2d(text)
	if !ok {
		return "", lx.lexError("malformed number", tkNumber, text)
	}
	if strings.ContainsAny(text, "pP") {
		lx.fixes = append(lx.fixes, numFix{start, lx.pos, strconv.FormatFloat(v, 'g', -1, 64)})
	}
	return text, nil
}

// next reads the next token.
func (lx *lexer) next() (token, error) {
	lx.last = ""
	for {
		c := lx.cur()
		switch {
		case c < 0:
			return token{kind: tkEOS, line: lx.line}, nil
		case isNewline(c):
			lx.newline()
		case c == ' ' || c == '\t' || c == '\v' || c == '\f':
			lx.pos++
		case c == '-':
			if lx.peekAt(1) != '-' {
				lx.pos++
				return token{kind: '-', line: lx.line}, nil
			}
			lx.pos += 2
			if lx.cur() == '[' {
				var b []byte
				if lvl := lx.sep(&b); lvl >= 0 {
					if _, err := lx.longString(b, lvl, true); err != nil {
						return token{}, err
					}
					continue
				}
			}
			for c := lx.cur(); c >= 0 && !isNewline(c); c = lx.cur() {
				lx.pos++
			}
		case c == '[':
			var b []byte
			lvl := lx.sep(&b)
			if lvl >= 0 {
				s, err := lx.longString(b, lvl, false)
				if err != nil {
					return token{}, err
				}
				lx.last = s
				return token{kind: tkString, line: lx.line, text: s}, nil
			}
			if lvl != -1 {
				return token{}, lx.lexError("invalid long string delimiter", tkString, string(b))
			}
			return token{kind: '[', line: lx.line}, nil
		case c == '=' || c == '<' || c == '>' || c == '~':
			lx.pos++
			if lx.cur() != '=' {
				return token{kind: c, line: lx.line}, nil
			}
			lx.pos++
			return token{kind: map[int]int{'=': tkEq, '<': tkLE, '>': tkGE, '~': tkNE}[c], line: lx.line}, nil
		case c == '"' || c == '\'':
			s, err := lx.quoted()
			if err != nil {
				return token{}, err
			}
			lx.last = s
			return token{kind: tkString, line: lx.line, text: s}, nil
		case c == '.':
			if lx.peekAt(1) == '.' {
				lx.pos += 2
				if lx.cur() == '.' {
					lx.pos++
					return token{kind: tkDots, line: lx.line}, nil
				}
				return token{kind: tkConcat, line: lx.line}, nil
			}
			if !lexDigit(lx.peekAt(1)) {
				lx.pos++
				return token{kind: '.', line: lx.line}, nil
			}
			fallthrough
		case lexDigit(c):
			s, err := lx.numeral()
			if err != nil {
				return token{}, err
			}
			lx.last = s
			return token{kind: tkNumber, line: lx.line, text: s}, nil
		case lexAlpha(c):
			start := lx.pos
			for lexAlnum(lx.cur()) {
				lx.pos++
			}
			s := lx.src[start:lx.pos]
			if k, ok := reserved[s]; ok {
				return token{kind: k, line: lx.line}, nil
			}
			lx.last = s
			return token{kind: tkName, line: lx.line, text: s}, nil
		default:
			lx.pos++
			return token{kind: c, line: lx.line}, nil
		}
	}
}

// Limits of Lua 5.1's parser (luaconf.h).
const (
	maxSyntaxLevels = 200 // LUAI_MAXCCALLS
	maxLocals       = 200 // LUAI_MAXVARS
	maxUpvalues     = 60  // LUAI_MAXUPVALUES
)

// funcState is what the checker tracks of a function being read.
type funcState struct {
	parent  *funcState
	vararg  bool
	line    int // the line it is defined on, 0 for the main chunk
	actives []string
	blocks  []blockState
	upvals  []string
}

type blockState struct {
	nactive   int
	breakable bool
}

type parser struct {
	lx       lexer
	t        token
	ahead    *token
	lastline int
	fs       *funcState
	level    int
}

// bail carries a syntax error out of the recursive descent.
type bail struct{ err error }

func (p *parser) run() (err error) {
	defer func() {
		if r := recover(); r != nil {
			// Anything but a syntax error would be a bug here: leave the
			// source to gopher-lua's parser then.
			if b, ok := r.(bail); ok {
				err = b.err
			}
		}
	}()
	p.fs = &funcState{vararg: true}
	p.next()
	p.chunk()
	p.check(tkEOS)
	return nil
}

func (p *parser) fail(err error) { panic(bail{err}) }

func (p *parser) next() {
	p.lastline = p.lx.line
	if p.ahead != nil {
		p.t = *p.ahead
		p.ahead = nil
		return
	}
	t, err := p.lx.next()
	if err != nil {
		p.fail(err)
	}
	p.t = t
}

func (p *parser) lookahead() int {
	if p.ahead == nil {
		t, err := p.lx.next()
		if err != nil {
			p.fail(err)
		}
		p.ahead = &t
	}
	return p.ahead.kind
}

// syntaxErr is luaX_syntaxerror: msg near the current token, on the line
// the lexer is at.
func (p *parser) syntaxErr(msg string) {
	p.fail(p.lx.lexError(msg, p.t.kind, p.lx.last))
}

func (p *parser) errorExpected(k int) { p.syntaxErr("'" + tokenText(k) + "' expected") }

func (p *parser) test(k int) bool {
	if p.t.kind == k {
		p.next()
		return true
	}
	return false
}

func (p *parser) check(k int) {
	if p.t.kind != k {
		p.errorExpected(k)
	}
}

func (p *parser) checkNext(k int) {
	p.check(k)
	p.next()
}

// checkMatch expects what, closing who opened on line.
func (p *parser) checkMatch(what, who, line int) {
	if p.test(what) {
		return
	}
	if line == p.lx.line {
		p.errorExpected(what)
	}
	p.syntaxErr(fmt.Sprintf("'%s' expected (to close '%s' at line %d)", tokenText(what), tokenText(who), line))
}

func (p *parser) checkName() string {
	p.check(tkName)
	s := p.t.text
	p.next()
	return s
}

func (p *parser) enterLevel() {
	p.level++
	if p.level > maxSyntaxLevels {
		p.fail(p.lx.lexError("chunk has too many syntax levels", 0, ""))
	}
}

func (p *parser) leaveLevel() { p.level-- }

// errorLimit is Lua's report of a function over one of its limits.
func (p *parser) errorLimit(limit int, what string) {
	msg := fmt.Sprintf("main function has more than %d %s", limit, what)
	if p.fs.line != 0 {
		msg = fmt.Sprintf("function at line %d has more than %d %s", p.fs.line, limit, what)
	}
	p.fail(p.lx.lexError(msg, 0, ""))
}

// newLocals declares locals, which become visible at activate.
func (p *parser) newLocal(name string, n int) {
	if len(p.fs.actives)+n+1 > maxLocals {
		p.errorLimit(maxLocals, "local variables")
	}
}

func (p *parser) activate(names ...string) { p.fs.actives = append(p.fs.actives, names...) }

// singleVar resolves a name as Lua does, counting the upvalues it makes.
func (p *parser) singleVar(name string) {
	var resolve func(fs *funcState) bool
	resolve = func(fs *funcState) bool {
		if fs == nil {
			return false
		}
		for i := len(fs.actives) - 1; i >= 0; i-- {
			if fs.actives[i] == name {
				return true
			}
		}
		for _, u := range fs.upvals {
			if u == name {
				return true
			}
		}
		if !resolve(fs.parent) {
			return false
		}
		if len(fs.upvals)+1 > maxUpvalues {
			p.fs = fs
			p.errorLimit(maxUpvalues, "upvalues")
		}
		fs.upvals = append(fs.upvals, name)
		return true
	}
	resolve(p.fs)
}

func blockFollow(k int) bool {
	switch k {
	case tkElse, tkElseif, tkEnd, tkUntil, tkEOS:
		return true
	}
	return false
}

func (p *parser) openBlock(breakable bool) {
	p.fs.blocks = append(p.fs.blocks, blockState{nactive: len(p.fs.actives), breakable: breakable})
}

func (p *parser) closeBlock() {
	b := p.fs.blocks[len(p.fs.blocks)-1]
	p.fs.blocks = p.fs.blocks[:len(p.fs.blocks)-1]
	p.fs.actives = p.fs.actives[:b.nactive]
}

func (p *parser) chunk() {
	p.enterLevel()
	last := false
	for !last && !blockFollow(p.t.kind) {
		last = p.statement()
		p.test(';')
	}
	p.leaveLevel()
}

func (p *parser) block() {
	p.openBlock(false)
	p.chunk()
	p.closeBlock()
}

// statement reads one statement; true for return and break, which end a
// block.
func (p *parser) statement() bool {
	line := p.lx.line
	switch p.t.kind {
	case tkIf:
		p.ifStat(line)
	case tkWhile:
		p.next()
		p.expr()
		p.openBlock(true)
		p.checkNext(tkDo)
		p.block()
		p.checkMatch(tkEnd, tkWhile, line)
		p.closeBlock()
	case tkDo:
		p.next()
		p.block()
		p.checkMatch(tkEnd, tkDo, line)
	case tkFor:
		p.forStat(line)
	case tkRepeat:
		p.openBlock(true)
		p.openBlock(false)
		p.next()
		p.chunk()
		p.checkMatch(tkUntil, tkRepeat, line)
		p.expr()
		p.closeBlock()
		p.closeBlock()
	case tkFunction:
		p.next()
		p.singleVar(p.checkName())
		for p.t.kind == '.' {
			p.next()
			p.checkName()
		}
		self := false
		if p.t.kind == ':' {
			p.next()
			p.checkName()
			self = true
		}
		p.body(self, line)
	case tkLocal:
		p.next()
		if p.test(tkFunction) {
			name := p.checkName()
			p.newLocal(name, 0)
			p.activate(name)
			p.body(false, p.lx.line)
		} else {
			p.localStat()
		}
	case tkReturn:
		p.next()
		if !blockFollow(p.t.kind) && p.t.kind != ';' {
			p.exprList()
		}
		return true
	case tkBreak:
		p.next()
		breakable := false
		for _, b := range p.fs.blocks {
			breakable = breakable || b.breakable
		}
		if !breakable {
			p.syntaxErr("no loop to break")
		}
		return true
	default:
		p.exprStat()
	}
	return false
}

func (p *parser) ifStat(line int) {
	p.thenBlock()
	for p.t.kind == tkElseif {
		p.thenBlock()
	}
	if p.test(tkElse) {
		p.block()
	}
	p.checkMatch(tkEnd, tkIf, line)
}

func (p *parser) thenBlock() {
	p.next()
	p.expr()
	p.checkNext(tkThen)
	p.block()
}

func (p *parser) forStat(line int) {
	p.openBlock(true)
	p.next()
	name := p.checkName()
	switch p.t.kind {
	case '=':
		p.newLocal("(for index)", 0)
		p.newLocal("(for limit)", 1)
		p.newLocal("(for step)", 2)
		p.newLocal(name, 3)
		p.next()
		p.expr()
		p.checkNext(',')
		p.expr()
		if p.test(',') {
			p.expr()
		}
		p.forBody([]string{"(for index)", "(for limit)", "(for step)"}, name)
	case ',', tkIn:
		p.newLocal("(for generator)", 0)
		p.newLocal("(for state)", 1)
		p.newLocal("(for control)", 2)
		p.newLocal(name, 3)
		names := []string{name}
		for p.test(',') {
			n := p.checkName()
			p.newLocal(n, len(names)+3)
			names = append(names, n)
		}
		p.checkNext(tkIn)
		p.exprList()
		p.forBody([]string{"(for generator)", "(for state)", "(for control)"}, names...)
	default:
		p.syntaxErr("'=' or 'in' expected")
	}
	p.checkMatch(tkEnd, tkFor, line)
	p.closeBlock()
}

func (p *parser) forBody(hidden []string, names ...string) {
	p.activate(hidden...)
	p.checkNext(tkDo)
	p.openBlock(false)
	p.activate(names...)
	p.block()
	p.closeBlock()
}

func (p *parser) localStat() {
	var names []string
	for {
		n := p.checkName()
		p.newLocal(n, len(names))
		names = append(names, n)
		if !p.test(',') {
			break
		}
	}
	if p.test('=') {
		p.exprList()
	}
	p.activate(names...)
}

// body reads a function's parameters and body.
func (p *parser) body(self bool, line int) {
	fs := &funcState{parent: p.fs, line: line}
	p.fs = fs
	p.openBlock(false)
	if self {
		p.newLocal("self", 0)
		p.activate("self")
	}
	p.checkNext('(')
	if p.t.kind != ')' {
		for {
			switch p.t.kind {
			case tkName:
				n := p.checkName()
				p.newLocal(n, 0)
				p.activate(n)
			case tkDots:
				// Lua 5.1 (LUA_COMPAT_VARARG) gives it a local "arg".
				p.next()
				p.newLocal("arg", 0)
				p.activate("arg")
				fs.vararg = true
			default:
				p.syntaxErr("<name> or '...' expected")
			}
			if fs.vararg || !p.test(',') {
				break
			}
		}
	}
	p.checkNext(')')
	p.chunk()
	p.checkMatch(tkEnd, tkFunction, line)
	p.fs = fs.parent
}

func (p *parser) exprList() {
	p.expr()
	for p.test(',') {
		p.expr()
	}
}

// exprStat is a function call or an assignment.
func (p *parser) exprStat() {
	if k := p.primaryExp(); k != expCall {
		p.assignment(k)
	}
}

// assignment reads the rest of an assignment whose first target (of
// kind k) has been read.
func (p *parser) assignment(k int) {
	if k != expVar {
		p.syntaxErr("syntax error")
	}
	if p.test(',') {
		p.assignment(p.primaryExp())
		return
	}
	p.checkNext('=')
	p.exprList()
}

// Kinds of prefix expression: only a name or an indexed value can be
// assigned to, and only a call can stand as a statement.
const (
	expOther = iota
	expVar
	expCall
)

// primaryExp reads a prefix expression and its suffixes.
func (p *parser) primaryExp() int {
	kind := p.prefixExp()
	for {
		switch p.t.kind {
		case '.':
			p.next()
			p.checkName()
			kind = expVar
		case '[':
			p.next()
			p.expr()
			p.checkNext(']')
			kind = expVar
		case ':':
			p.next()
			p.checkName()
			p.funcArgs()
			kind = expCall
		case '(', tkString, '{':
			p.funcArgs()
			kind = expCall
		default:
			return kind
		}
	}
}

func (p *parser) prefixExp() int {
	switch p.t.kind {
	case tkName:
		p.singleVar(p.checkName())
		return expVar
	case '(':
		line := p.lx.line
		p.next()
		p.expr()
		p.checkMatch(')', '(', line)
		return expOther
	}
	p.syntaxErr("unexpected symbol")
	return expOther
}

func (p *parser) funcArgs() {
	line := p.lx.line
	switch p.t.kind {
	case '(':
		if line != p.lastline {
			p.syntaxErr("ambiguous syntax (function call x new statement)")
		}
		p.next()
		if p.t.kind != ')' {
			p.exprList()
		}
		p.checkMatch(')', '(', line)
	case tkString:
		p.next()
	case '{':
		p.constructor()
	default:
		p.syntaxErr("function arguments expected")
	}
}

func (p *parser) constructor() {
	line := p.lx.line
	p.checkNext('{')
	for p.t.kind != '}' {
		switch p.t.kind {
		case tkName:
			if p.lookahead() != '=' {
				p.expr()
			} else {
				p.next()
				p.checkNext('=')
				p.expr()
			}
		case '[':
			p.next()
			p.expr()
			p.checkNext(']')
			p.checkNext('=')
			p.expr()
		default:
			p.expr()
		}
		if !p.test(',') && !p.test(';') {
			break
		}
	}
	p.checkMatch('}', '{', line)
}

func (p *parser) simpleExp() {
	switch p.t.kind {
	case tkNumber, tkString, tkNil, tkTrue, tkFalse:
		p.next()
	case tkDots:
		if !p.fs.vararg {
			p.syntaxErr("cannot use '...' outside a vararg function")
		}
		p.next()
	case '{':
		p.constructor()
	case tkFunction:
		p.next()
		p.body(false, p.lx.line)
	default:
		p.primaryExp()
	}
}

// Operator priorities (left, right) of Lua 5.1.
func binaryPriority(k int) (int, int, bool) {
	switch k {
	case '+', '-':
		return 6, 6, true
	case '*', '/', '%':
		return 7, 7, true
	case '^':
		return 10, 9, true
	case tkConcat:
		return 5, 4, true
	case tkNE, tkEq, '<', tkLE, '>', tkGE:
		return 3, 3, true
	case tkAnd:
		return 2, 2, true
	case tkOr:
		return 1, 1, true
	}
	return 0, 0, false
}

const unaryPriority = 8

func (p *parser) expr() { p.subExpr(0) }

func (p *parser) subExpr(limit int) {
	p.enterLevel()
	switch p.t.kind {
	case tkNot, '-', '#':
		p.next()
		p.subExpr(unaryPriority)
	default:
		p.simpleExp()
	}
	for {
		left, right, ok := binaryPriority(p.t.kind)
		if !ok || left <= limit {
			break
		}
		p.next()
		p.subExpr(right)
	}
	p.leaveLevel()
}
