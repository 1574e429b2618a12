package main

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/dave/jennifer/jen"
)

// renderArgs emits, for every command of one group, the argument struct and
// its parser (contract sections 2.1 and 2.2):
//
//	// SET key value [NX | XX] [GET] [EX seconds | PX milliseconds | ...]
//	type SetArgs struct {
//		Key        []byte
//		Value      []byte
//		Condition  string // "NX", "XX", or "" when absent
//		Get        bool
//		Expiration SetArgsExpiration
//	}
//
//	type SetArgsExpiration struct {
//		Which   string // "EX", "PX", "EXAT", "PXAT", "KEEPTTL", or "" when absent
//		Seconds int64
//		...
//	}
//
//	// ParseSet parses argv for SET. ...
//	func ParseSet(argv [][]byte, a *SetArgs) error {
//		i, n := 1, len(argv)
//		if i >= n {
//			return &ArgError{Arg: "key", Msg: "ERR syntax error"}
//		}
//		a.Key = argv[i]
//		i++
//		...
//	opts1:
//		for i < n {
//			switch {
//			case eqFold(argv[i], "NX"):
//				if a.Condition != "" && a.Condition != "NX" {
//					return &ArgError{Arg: "condition", Msg: "ERR syntax error"}
//				}
//				a.Condition = "NX"
//				i++
//			...
//			default:
//				break opts1
//			}
//		}
//		if i < n {
//			return &ArgError{Msg: "ERR syntax error"}
//		}
//		return nil
//	}
//
// The parser is straight-line code: no grammar table is read at run time, and
// it allocates only the slices of multiple arguments (and an *ArgError on
// failure).
func renderArgs(cmds []*Command) (*jen.File, error) {
	f := newFile()
	for _, c := range cmds {
		if !hasParser(c) {
			continue
		}
		if err := renderCommandArgs(f, c); err != nil {
			return nil, fmt.Errorf("%s: %w", c.FullName(), err)
		}
	}
	return f, nil
}

// hasParser: every command except a container that cannot run bare gets a
// parser and a handler. A container runs bare when its arity allows argc 1
// (COMMAND, arity -1), as Redis's lookupCommand returns the container then.
func hasParser(c *Command) bool {
	if len(c.subs) == 0 {
		return true
	}
	return c.Arity == -1 || c.Arity == 1
}

const (
	msgSyntax = "ERR syntax error"
	msgInt    = "ERR value is not an integer or out of range"
	msgFloat  = "ERR value is not a valid float"
)

func renderCommandArgs(f *jen.File, c *Command) error {
	g := &pgen{cmd: c, goName: GoName(c)}
	argsType := g.goName + "Args"

	// Types first: the Args struct, then the nested structs it names.
	var decls []jen.Code
	fields := g.structFields(c.Arguments, argsType, false, &decls)
	an := c.Redcurrent
	if an == nil {
		an = &CommandAnn{}
	}
	if an.LateErrors != "" {
		fields = append(fields, jen.Id("Err").Op("*").Id("ArgError").Comment("a parse error the handler reports where Redis checks (late_errors)"))
	}
	comment(f, syntaxLine(c))
	f.Type().Id(argsType).Struct(fields...)
	for _, d := range decls {
		f.Add(d)
	}

	start := 1
	if c.Container != "" {
		start = 2
	}
	g.start = start
	anyOrder, err := optionsAnyOrder(c)
	if err != nil {
		return err
	}
	g.anyOrder = anyOrder
	g.maxOptions = an.MaxOptions
	g.needValues = an.OptionsNeedValues
	main := g.seq(c.Arguments, func(name string) *jen.Statement { return jen.Id("a").Dot(name) }, "", 0)

	body := []jen.Code{jen.List(jen.Id("i"), jen.Id("n")).Op(":=").List(jen.Lit(start), jen.Len(jen.Id("argv")))}
	// arg_counts: checked first, and returned at once even under
	// late_errors (the exported parser checks it then).
	var argCounts jen.Code
	if len(an.ArgCounts) > 0 {
		msg := an.ArgCountsError
		if msg == "" {
			msg = msgSyntax
		}
		var cond *jen.Statement
		for k, v := range an.ArgCounts {
			c := jen.Len(jen.Id("argv")).Op("-").Lit(start).Op("!=").Lit(v)
			if k == 0 {
				cond = c
			} else {
				cond = cond.Op("&&").Add(c)
			}
		}
		argCounts = jen.If(cond).Block(jen.Return(g.errValue("", msg, jen.Lit(start))))
		if an.LateErrors != "all" {
			body = append(body, argCounts)
		}
	}
	if an.MaxArgs != nil {
		msg := an.MaxArgsError
		if msg == "" {
			msg = msgSyntax
		}
		at := jen.Id("i").Op("+").Lit(*an.MaxArgs)
		if an.LateErrors != "" {
			// Recorded for the handler; the parse goes on (the handler
			// needs the key), and this error wins.
			body = append(body, jen.If(jen.Id("n").Op("-").Id("i").Op(">").Lit(*an.MaxArgs)).Block(jen.Id("a").Dot("Err").Op("=").Add(g.errValue("", msg, at))))
		} else {
			body = append(body, jen.If(jen.Id("n").Op("-").Id("i").Op(">").Lit(*an.MaxArgs)).Block(g.errReturn("", msg, at)))
		}
	}
	body = append(body, g.prelude...)
	body = append(body, main...)
	if !an.IgnoreExtraArgs {
		body = append(body, jen.If(jen.Id("i").Op("<").Id("n")).Block(g.syntaxErr("", jen.Id("i"))))
	} else {
		body = append(body, jen.List(jen.Id("_"), jen.Id("_")).Op("=").List(jen.Id("i"), jen.Id("n")).Comment("extra arguments are ignored"))
	}
	// Checks Redis makes after its option loop: conflicting flags, then the
	// values whose conversion it defers.
	body = append(body, g.late...)
	body = append(body, g.deferred...)
	body = append(body, jen.Return(jen.Nil()))
	name := strings.ToLower(c.FullName())
	comment(f, fmt.Sprintf("Parse%s parses argv for %s into a (argv[0] is the command name%s).\n"+
		"Arity has already been checked. On failure it returns an *ArgError with Redis's reply.",
		g.goName, strings.ToUpper(name), map[bool]string{true: ", argv[1] the subcommand", false: ""}[c.Container != ""]))
	params := []jen.Code{jen.Id("argv").Index().Index().Byte(), jen.Id("a").Op("*").Id(argsType)}
	if an.LateErrors != "all" {
		f.Func().Id("Parse" + g.goName).Params(params...).Error().Block(body...)
		return nil
	}
	// late_errors "all": the parse proper returns its first error, which
	// the exported parser stores in a.Err for the handler.
	// A max_args error, recorded first, wins.
	//	func ParseXClaim(argv [][]byte, a *XClaimArgs) error {
	//		if err := parseXClaim(argv, a); err != nil && a.Err == nil {
	//			a.Err = err
	//		}
	//		return nil
	//	}
	inner := "parse" + g.goName
	var wrapper []jen.Code
	if argCounts != nil {
		wrapper = append(wrapper, argCounts)
	}
	wrapper = append(wrapper,
		jen.If(jen.Id("err").Op(":=").Id(inner).Call(jen.Id("argv"), jen.Id("a")), jen.Id("err").Op("!=").Nil().Op("&&").Id("a").Dot("Err").Op("==").Nil()).Block(
			jen.Id("a").Dot("Err").Op("=").Id("err"),
		),
		jen.Return(jen.Nil()),
	)
	f.Func().Id("Parse" + g.goName).Params(params...).Error().Block(wrapper...)
	comment(f, fmt.Sprintf("%s is Parse%s's parse proper; its error goes to a.Err.", inner, g.goName))
	f.Func().Id(inner).Params(params...).Op("*").Id("ArgError").Block(body...)
	return nil
}

// optionsAnyOrder returns the name of the first argument of the option group
// that redcurrent.options_any_order designates, or "".
func optionsAnyOrder(c *Command) (string, error) {
	if c.Redcurrent == nil || len(c.Redcurrent.OptionsAnyOrder) == 0 {
		return "", nil
	}
	raw := c.Redcurrent.OptionsAnyOrder
	var b bool
	var name string
	if json.Unmarshal(raw, &b) == nil {
		if !b {
			return "", nil
		}
	} else if json.Unmarshal(raw, &name) != nil {
		return "", fmt.Errorf("redcurrent.options_any_order must be true or an argument name")
	}
	args := c.Arguments
	for k := 0; k < len(args); k++ {
		if !isOption(args[k]) {
			continue
		}
		first := args[k]
		for ; k < len(args) && isOption(args[k]); k++ {
			if name == "" || args[k].Name == name {
				return first.Name, nil
			}
		}
	}
	if name == "" {
		return "", fmt.Errorf("redcurrent.options_any_order: the command has no option group")
	}
	return "", fmt.Errorf("redcurrent.options_any_order: %q is not a top-level option", name)
}

// ---- Go types ----

func isScalar(a *Arg) bool {
	switch a.Type {
	case "key", "string", "pattern", "integer", "unix-time", "double":
		return true
	}
	return false
}

func scalarType(a *Arg) *jen.Statement {
	if a.ann().Parser == "raw" {
		return jen.Index().Byte()
	}
	switch a.Type {
	case "integer", "unix-time":
		if a.ann().Parser == "string2ull" {
			return jen.Uint64()
		}
		return jen.Int64()
	case "double":
		return jen.Float64()
	}
	return jen.Index().Byte()
}

// pureOneof: a oneof whose members are all pure tokens is a string.
func pureOneof(a *Arg) bool {
	if a.Type != "oneof" {
		return false
	}
	for _, m := range a.Arguments {
		if m.Type != "pure-token" {
			return false
		}
	}
	return true
}

// isFlagSet: a pure oneof with redcurrent.conflicts is a struct of bools,
// since members the conflicts do not forbid combine (EXPIRE XX GT).
func isFlagSet(a *Arg) bool { return pureOneof(a) && len(a.ann().Conflicts) > 0 }

// hasValue reports whether a member of a oneof needs a field.
func hasValue(a *Arg) bool { return a.Type != "pure-token" }

// which is the value of Which (or of a pure oneof's string) for a member.
func which(m *Arg) string {
	if m.Token != "" {
		return m.Token
	}
	return strings.ToUpper(m.Name)
}

// elemType is the Go type of one occurrence of a; nested structs are named
// owner+Field and appended to decls.
func (g *pgen) elemType(a *Arg, owner string, decls *[]jen.Code) *jen.Statement {
	switch {
	case isScalar(a):
		return scalarType(a)
	case a.Type == "pure-token":
		return jen.Bool()
	case pureOneof(a) && !isFlagSet(a):
		return jen.String()
	}
	name := owner + fieldName(a.Name)
	var fields []jen.Code
	if isFlagSet(a) {
		for _, m := range a.Arguments {
			fields = append(fields, jen.Id(fieldName(m.Name)).Bool().Comment(m.Token))
		}
	} else if a.Type == "oneof" {
		fields = append(fields, jen.Id("Which").String().Comment(whichComment(a)))
		for _, m := range a.Arguments {
			if hasValue(m) {
				fields = append(fields, jen.Id(fieldName(m.Name)).Add(g.fieldType(m, name, true, decls)))
			}
		}
	} else {
		if asOptional(a) && !a.Multiple {
			fields = append(fields, jen.Id("Set").Bool().Comment("the block was given"))
		}
		fields = append(fields, g.structFields(a.Arguments, name, false, decls)...)
	}
	*decls = append(*decls, jen.Commentf("%s is %s's argument %q.", name, g.cmd.FullName(), a.Name), jen.Type().Id(name).Struct(fields...))
	return jen.Id(name)
}

func whichComment(a *Arg) string {
	var parts []string
	for _, m := range a.Arguments {
		parts = append(parts, fmt.Sprintf("%q", which(m)))
	}
	if !a.Optional {
		return strings.Join(parts, ", ")
	}
	return strings.Join(parts, ", ") + `, or "" when absent`
}

// fieldType wraps elemType for optional and multiple arguments. Inside a
// oneof, Which says what was given, so members are not Opt.
func (g *pgen) fieldType(a *Arg, owner string, inOneof bool, decls *[]jen.Code) *jen.Statement {
	if inOneof && a.Optional {
		c := *a
		c.Optional = false // Which already says it was given
		a = &c
	}
	t := g.elemType(a, owner, decls)
	switch {
	case isArgBlock(a):
		return g.listType(a, owner+fieldName(a.Name), decls)
	case a.Multiple:
		return jen.Index().Add(t)
	case a.Optional && !inOneof && isScalar(a):
		return jen.Id("Opt").Types(t)
	}
	return t
}

// isArgBlock reports a multiple block made of one-argument elements only
// (XADD's field value pairs, MSET's key value pairs): it is parsed as a
// window on argv, with no allocation.
func isArgBlock(a *Arg) bool {
	if a.Type != "block" || !a.Multiple || a.Token != "" || len(a.Arguments) == 0 {
		return false
	}
	for _, c := range a.Arguments {
		if !isOneArg(c) || c.Optional || c.Multiple {
			return false
		}
	}
	return true
}

// listType declares the list type of an argument block (isArgBlock) and
// returns it:
//
//	// XAddArgsDataList is XADD's argument "data": a window on argv.
//	type XAddArgsDataList struct{ flat [][]byte }
//	func (l XAddArgsDataList) Len() int
//	func (l XAddArgsDataList) At(i int) XAddArgsData
//	func (l XAddArgsDataList) All() iter.Seq2[int, XAddArgsData]
//	func (l XAddArgsDataList) Flat() [][]byte
func (g *pgen) listType(a *Arg, elem string, decls *[]jen.Code) *jen.Statement {
	name := elem + "List"
	k := len(a.Arguments)
	l := jen.Id("l").Id(name)
	var fields []jen.Code
	for j, c := range a.Arguments {
		fields = append(fields, jen.Id(fieldName(c.Name)).Op(":").Id("l").Dot("flat").Index(jen.Lit(k).Op("*").Id("i").Op("+").Lit(j)))
	}
	*decls = append(*decls,
		jen.Commentf("%s is %s's argument %q: a window on argv, %d arguments an element.", name, g.cmd.FullName(), a.Name, k),
		jen.Type().Id(name).Struct(jen.Id("flat").Index().Index().Byte()),
		jen.Comment("Len is the number of elements."),
		jen.Func().Params(l.Clone()).Id("Len").Params().Int().Block(jen.Return(jen.Len(jen.Id("l").Dot("flat")).Op("/").Lit(k))),
		jen.Comment("At is element i."),
		jen.Func().Params(l.Clone()).Id("At").Params(jen.Id("i").Int()).Id(elem).Block(jen.Return(jen.Id(elem).Values(fields...))),
		jen.Comment("All yields the elements in order."),
		jen.Func().Params(l.Clone()).Id("All").Params().Qual("iter", "Seq2").Types(jen.Int(), jen.Id(elem)).Block(
			jen.Return(jen.Func().Params(jen.Id("yield").Func().Params(jen.Int(), jen.Id(elem)).Bool()).Block(
				jen.For(jen.Id("i").Op(":=").Range().Id("l").Dot("Len").Call()).Block(
					jen.If(jen.Op("!").Id("yield").Call(jen.Id("i"), jen.Id("l").Dot("At").Call(jen.Id("i")))).Block(jen.Return()),
				),
			)),
		),
		jen.Comment("Flat is the arguments themselves, element after element."),
		jen.Func().Params(l.Clone()).Id("Flat").Params().Index().Index().Byte().Block(jen.Return(jen.Id("l").Dot("flat"))),
	)
	return jen.Id(name)
}

func (g *pgen) structFields(args []*Arg, owner string, inOneof bool, decls *[]jen.Code) []jen.Code {
	var fields []jen.Code
	for _, a := range args {
		fd := jen.Id(fieldName(a.Name)).Add(g.fieldType(a, owner, inOneof, decls))
		if pureOneof(a) && !a.Multiple && !isFlagSet(a) {
			fd.Comment(whichComment(a))
		}
		fields = append(fields, fd)
	}
	return fields
}

// ---- grammar analysis ----

// tokens are the words that announce a: its own token, or every member's
// of a oneof, or the first (required) child's of a block. nil if a can
// start with an arbitrary value.
func tokens(a *Arg) []string {
	if a.Token != "" {
		return []string{a.Token}
	}
	switch a.Type {
	case "oneof":
		var out []string
		for _, m := range a.Arguments {
			t := tokens(m)
			if t == nil {
				return nil
			}
			out = append(out, t...)
		}
		return out
	case "block":
		if !a.Arguments[0].Optional {
			return tokens(a.Arguments[0])
		}
	}
	return nil
}

// isOption: an optional argument that announces itself with a token joins
// an option group (contract 2.2 rule 2).
func isOption(a *Arg) bool { return asOptional(a) && tokens(a) != nil }

// asOptional reports whether the parser treats a as optional: optional in
// the grammar, or a required block marked as_option (the handler checks
// its Set).
func asOptional(a *Arg) bool { return a.Optional || a.ann().AsOption }

// minArgs is how many argv elements one occurrence of a needs at least.
func minArgs(a *Arg, required bool) int {
	if (a.Optional || a.ann().Unchecked) && !required {
		return 0
	}
	n := 0
	if a.Token != "" {
		n++
	}
	switch {
	case isScalar(a):
		n++
	case a.Type == "block":
		n += minSeq(a.Arguments)
	case a.Type == "oneof":
		least := -1
		for _, m := range a.Arguments {
			if k := minArgs(m, true); least < 0 || k < least {
				least = k
			}
		}
		n += least
	}
	return n
}

func minSeq(args []*Arg) int {
	n := 0
	for _, a := range args {
		n += minArgs(a, false)
	}
	return n
}

// fixedSize is the exact number of argv elements of one occurrence, or -1.
func fixedSize(a *Arg) int {
	if a.Optional || a.Multiple {
		return -1
	}
	n := 0
	if a.Token != "" {
		n++
	}
	switch {
	case isScalar(a):
		n++
	case a.Type == "block":
		for _, c := range a.Arguments {
			k := fixedSize(c)
			if k < 0 {
				return -1
			}
			n += k
		}
	case a.Type == "oneof":
		size := -2
		for _, m := range a.Arguments {
			k := fixedSize(m)
			if k < 0 || (size != -2 && k != size) {
				return -1
			}
			size = k
		}
		n += size
	}
	return n
}

// ---- parser emission ----

type pgen struct {
	cmd      *Command
	goName   string
	start    int
	vars     int    // counter for unique local names
	anyOrder string // first argument of the options_any_order group
	optIdx   *jen.Statement

	maxOptions    int        // redcurrent.max_options, 0 for no bound
	needValues    bool       // redcurrent.options_need_values
	base          lvFunc     // the fields of the arguments being parsed (check_with, check_by)
	countDeclared bool       // nopts is declared
	prelude       []jen.Code // declarations at the top of the parser
	late          []jen.Code // conflicts checks, after the leftover check
	deferred      []jen.Code // deferred conversions, last
}

func (g *pgen) newVar(prefix string) string {
	g.vars++
	return fmt.Sprintf("%s%d", prefix, g.vars)
}

type lvFunc func(field string) *jen.Statement

// argError is &ArgError{Arg: path, Msg: msg} on one line.
func argError(path, msg string) *jen.Statement {
	var vals []jen.Code
	if path != "" {
		vals = append(vals, jen.Id("Arg").Op(":").Lit(path))
	}
	vals = append(vals, jen.Id("Msg").Op(":").Lit(msg))
	return jen.Op("&").Id("ArgError").Values(vals...)
}

// errReturn returns msg for the argument at path; {arg} in msg names
// argv[at] (at may be nil when msg has no {arg}).
func (g *pgen) errReturn(path, msg string, at ...*jen.Statement) jen.Code {
	return jen.Return(g.errValue(path, msg, at...))
}

// errValue is the *ArgError errReturn returns.
func (g *pgen) errValue(path, msg string, at ...*jen.Statement) *jen.Statement {
	if !strings.Contains(msg, "{arg}") && !strings.Contains(msg, "{name}") {
		return argError(path, msg)
	}
	idx := jen.Id("i")
	if len(at) > 0 && at[0] != nil {
		idx = at[0]
	}
	return jen.Id("argErrorAt").Call(jen.Lit(path), jen.Lit(msg), jen.Id("argv"), idx, jen.Lit(g.start-1))
}

// syntaxErr is "ERR syntax error", or the command's syntax_error with the
// offending argument (argv[at], or the option's token) substituted.
func (g *pgen) syntaxErr(path string, at *jen.Statement) jen.Code {
	if g.cmd.Redcurrent != nil && g.cmd.Redcurrent.SyntaxError != "" {
		// Inside an option, the offending argument is the option's token
		// (HELLO: "Syntax error in HELLO option 'AUTH'").
		idx := at
		if g.optIdx != nil {
			idx = g.optIdx
		}
		return g.errReturn(path, g.cmd.Redcurrent.SyntaxError, idx)
	}
	return g.errReturn(path, msgSyntax)
}

func (g *pgen) needOne(path string) jen.Code {
	return jen.If(jen.Id("i").Op(">=").Id("n")).Block(g.syntaxErr(path, jen.Id("i")))
}

func matchAny(toks []string) *jen.Statement {
	var s *jen.Statement
	for _, t := range toks {
		c := jen.Id("eqFold").Call(jen.Id("argv").Index(jen.Id("i")), jen.Lit(t))
		if s == nil {
			s = c
		} else {
			s = s.Op("||").Add(c)
		}
	}
	return s
}

// seq parses a run of sibling arguments (top level or a block's children).
// tail is how many argv elements must remain for what follows the run.
func (g *pgen) seq(args []*Arg, base lvFunc, path string, tail int) []jen.Code {
	var out []jen.Code
	// With options_any_order, the designated group is also tried before each
	// positional argument that precedes it.
	var early []*Arg
	if g.anyOrder != "" && path == "" {
		for k, a := range args {
			if a.Name == g.anyOrder {
				for m := k; m < len(args) && isOption(args[m]); m++ {
					early = append(early, args[m])
				}
			}
		}
	}
	for k := 0; k < len(args); {
		a := args[k]
		if isOption(a) {
			m := k
			for m < len(args) && isOption(args[m]) {
				m++
			}
			if len(early) > 0 && args[k].Name == g.anyOrder {
				early = nil
			}
			// options_need_values: a group inside a block that required
			// arguments follow is tried once, when those still fit.
			once := -1
			if g.needValues && path != "" {
				if after := tail + minSeq(args[m:]); after > 0 {
					once = after
				}
			}
			out = append(out, g.optionGroup(args[k:m], base, path, once)...)
			k = m
			continue
		}
		if len(early) > 0 {
			out = append(out, g.optionGroup(early, base, path, -1)...)
		}
		after := tail + minSeq(args[k+1:])
		var stop []string
		if k+1 < len(args) && isOption(args[k+1]) && !a.ann().Greedy {
			for m := k + 1; m < len(args) && isOption(args[m]); m++ {
				stop = append(stop, tokens(args[m])...)
			}
		}
		p := joinPath(path, a.Name)
		switch {
		case a.Multiple:
			out = append(out, g.multiple(a, base(fieldName(a.Name)), p, after, stop, false, false)...)
		case a.Optional:
			// Taken only if the required arguments after it still fit
			// (AUTH [username] password).
			body := g.store(a, base, p, after)
			out = append(out, jen.If(jen.Id("n").Op("-").Id("i").Op(">").Lit(after)).Block(body...))
		case a.ann().Unchecked:
			// Taken when present; the handler reports its absence.
			body := g.store(a, base, p, after)
			out = append(out, jen.If(jen.Id("i").Op("<").Id("n")).Block(body...))
		default:
			out = append(out, g.store(a, base, p, after)...)
		}
		k++
	}
	return out
}

// store parses one occurrence of a (not multiple) into its field of base,
// setting Set for an optional scalar or block.
func (g *pgen) store(a *Arg, base lvFunc, path string, tail int) []jen.Code {
	g.base = base
	fn := fieldName(a.Name)
	var out []jen.Code
	if a.Optional {
		switch {
		case isScalar(a):
			out = append(out, base(fn).Dot("Set").Op("=").True())
			return append(out, g.take(a, func() *jen.Statement { return base(fn).Dot("V") }, path, false, tail)...)
		case a.Type == "block":
			out = append(out, base(fn).Dot("Set").Op("=").True())
		}
	}
	return append(out, g.take(a, func() *jen.Statement { return base(fn) }, path, false, tail)...)
}

// multiple parses a multiple argument into the slice lv.
//   - each (multiple_token, GET pattern [GET pattern ...], or an untokened
//     oneof inside an option group): one occurrence, appended; the option
//     group's loop brings the next.
//   - a token given once (KEYS key [key ...]): the token, then values.
//   - positional: values while more than `after` elements remain and the
//     next option group's tokens do not match.
func (g *pgen) multiple(a *Arg, lv *jen.Statement, path string, after int, stop []string, tokenMatched, each bool) []jen.Code {
	slice := func() *jen.Statement { return jen.Add(lv.Clone()) }
	var out []jen.Code
	elemOnly := *a
	elemOnly.Multiple = false
	elemOnly.Optional = false
	elemType := func() *jen.Statement {
		var decls []jen.Code
		t := g.elemType(&elemOnly, "", &decls)
		if len(decls) > 0 {
			t = jen.Id(g.structNameFor(path))
		}
		return t
	}
	if each {
		e := g.newVar("e")
		out = append(out, jen.Var().Id(e).Add(elemType()))
		out = append(out, g.take(&elemOnly, func() *jen.Statement { return jen.Id(e) }, path, tokenMatched, 0)...)
		out = append(out, slice().Op("=").Append(slice(), jen.Id(e)))
		return out
	}
	if a.Token != "" {
		if !tokenMatched {
			out = append(out, jen.If(jen.Id("i").Op(">=").Id("n").Op("||").Op("!").Id("eqFold").Call(jen.Id("argv").Index(jen.Id("i")), jen.Lit(a.Token))).Block(g.syntaxErr(path, jen.Id("i"))))
		}
		out = append(out, jen.Id("i").Op("++"))
		elemOnly.Token = ""
	}
	e := g.newVar("e")
	cond := jen.Id("i").Op("<").Id("n").Op("-").Lit(after)
	if after == 0 {
		cond = jen.Id("i").Op("<").Id("n")
	}
	var loop []jen.Code
	if len(stop) > 0 {
		loop = append(loop, jen.If(matchAny(stop)).Block(jen.Break()))
	}
	if a.ann().CheckEnds {
		// The list ends at the first value the check rejects.
		loop = append(loop, jen.If(g.checkCall(a, path, jen.Id("i")).Op("!=").Nil()).Block(jen.Break()))
	} else if a.ann().Check != "" {
		loop = append(loop, g.checkStmts(a, path, jen.Id("i"))...)
	}
	if isOneArg(&elemOnly) {
		// Each element is one argument taken as is: the slice is a window
		// on argv (capacity capped), so parsing DEL or MGET allocates
		// nothing.
		//	s1 := i
		//	for i < n { i++ }
		//	a.Key = argv[s1:i:i]
		start := g.newVar("s")
		out = append(out, jen.Id(start).Op(":=").Id("i"))
		loop = append(loop, jen.Id("i").Op("++"))
		out = append(out, jen.For(cond).Block(loop...))
		out = append(out, slice().Op("=").Id("argv").Index(jen.Id(start), jen.Id("i"), jen.Id("i")))
		if (!a.Optional || a.Token != "") && !a.ann().CheckEnds {
			out = append(out, jen.If(jen.Len(slice()).Op("==").Lit(0)).Block(g.syntaxErr(path, jen.Id("i"))))
		}
		return out
	}
	if isArgBlock(a) && a.Token == "" && a.ann().Unchecked {
		// unchecked: every remaining argument, however many; the handler
		// checks the count.
		//	a.Data = XAddArgsDataList{flat: argv[i:n:n]}
		//	i = n
		end := jen.Id("n")
		if after > 0 {
			e := g.newVar("e")
			out = append(out, jen.Id(e).Op(":=").Max(jen.Id("i"), jen.Id("n").Op("-").Lit(after)))
			end = jen.Id(e)
		}
		return append(out,
			slice().Op("=").Id(g.structNameFor(path)+"List").Values(jen.Id("flat").Op(":").Id("argv").Index(jen.Id("i").Op(":").Add(end.Clone()).Op(":").Add(end.Clone()))),
			jen.Id("i").Op("=").Add(end.Clone()),
		)
	}
	if cf := a.ann().CountFrom; cf != "" && isArgBlock(a) && a.Token == "" {
		// count_from: exactly as many elements as the count says.
		//	m1 := a.Numkeys * 2
		//	if int64(n-i) < m1 { return count_error }
		//	e1 := i + int(m1)
		//	a.Data = MSetExArgsDataList{flat: argv[i:e1:e1]}
		//	i = e1
		msg := a.ann().CountError
		if msg == "" {
			msg = msgSyntax
		}
		need, end := g.newVar("m"), g.newVar("e")
		return append(out,
			jen.Id(need).Op(":=").Int64().Call(g.base(fieldName(cf))).Op("*").Lit(int64(len(a.Arguments))),
			jen.If(jen.Int64().Call(jen.Id("n").Op("-").Id("i")).Op("<").Id(need)).Block(g.errReturn(path, msg)),
			jen.Id(end).Op(":=").Id("i").Op("+").Int().Call(jen.Id(need)),
			slice().Op("=").Id(g.structNameFor(path)+"List").Values(jen.Id("flat").Op(":").Id("argv").Index(jen.Id("i").Op(":").Id(end).Op(":").Id(end))),
			jen.Id("i").Op("=").Id(end),
		)
	}
	if isArgBlock(a) && a.Token == "" {
		// The elements are argv itself, k at a time (listType).
		//	s1 := i
		//	for i < n { if n-i < k { ... } i += k }
		//	a.Data = XAddArgsDataList{flat: argv[s1:i:i]}
		k := len(a.Arguments)
		var ret jen.Code
		if msg := a.ann().PartialError; msg != "" {
			ret = g.errReturn(path, msg)
		} else {
			ret = g.syntaxErr(path, jen.Id("i"))
		}
		left := jen.Id("n").Op("-").Id("i")
		if after > 0 {
			left = jen.Id("n").Op("-").Lit(after).Op("-").Id("i")
		}
		start := g.newVar("s")
		out = append(out, jen.Id(start).Op(":=").Id("i"))
		loop = append(loop, jen.If(left.Op("<").Lit(k)).Block(ret), jen.Id("i").Op("+=").Lit(k))
		out = append(out, jen.For(cond).Block(loop...))
		out = append(out, slice().Op("=").Id(g.structNameFor(path)+"List").Values(jen.Id("flat").Op(":").Id("argv").Index(jen.Id(start), jen.Id("i"), jen.Id("i"))))
		if !a.Optional {
			out = append(out, jen.If(jen.Id("i").Op("==").Id(start)).Block(g.syntaxErr(path, jen.Id("i"))))
		}
		return out
	}
	if a.Type == "block" {
		if size := fixedSize(&elemOnly); size > 1 {
			var ret jen.Code
			if msg := a.ann().PartialError; msg != "" {
				ret = g.errReturn(path, msg)
			} else {
				ret = g.syntaxErr(path, jen.Id("i"))
			}
			left := jen.Id("n").Op("-").Id("i")
			if after > 0 {
				left = jen.Id("n").Op("-").Lit(after).Op("-").Id("i")
			}
			loop = append(loop, jen.If(left.Op("<").Lit(size)).Block(ret))
		}
	}
	loop = append(loop, jen.Var().Id(e).Add(elemType()))
	loop = append(loop, g.take(&elemOnly, func() *jen.Statement { return jen.Id(e) }, path, false, after)...)
	loop = append(loop, slice().Op("=").Append(slice(), jen.Id(e)))
	out = append(out, jen.For(cond).Block(loop...))
	if !a.Optional || a.Token != "" {
		out = append(out, jen.If(jen.Len(slice()).Op("==").Lit(0)).Block(g.syntaxErr(path, jen.Id("i"))))
	}
	return out
}

// isOneArg reports an element that is exactly one argument kept as its
// bytes: no token, no conversion.
func isOneArg(a *Arg) bool {
	switch a.Type {
	case "key", "string", "pattern":
		return a.Token == ""
	}
	return false
}

// structNameFor gives the struct type of an argument at path (a.b.c) in
// this command: the Args type, then each step's field name.
func (g *pgen) structNameFor(path string) string {
	name := g.goName + "Args"
	for _, p := range strings.Split(path, ".") {
		name += fieldName(p)
	}
	return name
}

// take parses one occurrence of a, token included (already matched when
// tokenMatched), into target, which has a's element type.
func (g *pgen) take(a *Arg, target func() *jen.Statement, path string, tokenMatched bool, tail int) []jen.Code {
	var out []jen.Code
	if a.Token != "" {
		if !tokenMatched {
			out = append(out, jen.If(jen.Id("i").Op(">=").Id("n").Op("||").Op("!").Id("eqFold").Call(jen.Id("argv").Index(jen.Id("i")), jen.Lit(a.Token))).Block(g.syntaxErr(path, jen.Id("i"))))
		}
		out = append(out, jen.Id("i").Op("++"))
	}
	switch {
	case a.Type == "pure-token":
		out = append(out, target().Op("=").True())
	case isScalar(a):
		out = append(out, g.needOne(path))
		out = append(out, g.scalar(a, target, path)...)
		out = append(out, jen.Id("i").Op("++"))
	case a.Type == "block" && a.ann().SplitEvenly != "":
		// split_evenly: rest arguments, k children, rest/k each.
		//	if rest := n - i - tail; rest == 0 { syntax error } else if rest%k != 0 { error }
		//	per := (n - i - tail) / k
		//	a.Child = argv[i : i+per : i+per]; i += per   (per child)
		rest, per := g.newVar("rest"), g.newVar("per")
		k := len(a.Arguments)
		left := jen.Id("n").Op("-").Id("i")
		if tail > 0 {
			left = left.Op("-").Lit(tail)
		}
		out = append(out, jen.Id(rest).Op(":=").Add(left))
		out = append(out, jen.If(jen.Id(rest).Op("==").Lit(0)).Block(g.syntaxErr(path, jen.Id("i"))))
		out = append(out, jen.If(jen.Id(rest).Op("%").Lit(k).Op("!=").Lit(0)).Block(g.errReturn(path, a.ann().SplitEvenly)))
		out = append(out, jen.Id(per).Op(":=").Id(rest).Op("/").Lit(k))
		for _, c := range a.Arguments {
			end := jen.Id("i").Op("+").Id(per)
			out = append(out, target().Dot(fieldName(c.Name)).Op("=").Id("argv").Index(jen.Id("i").Op(":").Add(end).Op(":").Add(end.Clone())))
			out = append(out, jen.Id("i").Op("+=").Id(per))
		}
	case a.Type == "block":
		base := func(field string) *jen.Statement { return target().Dot(field) }
		out = append(out, g.seq(a.Arguments, base, path, tail)...)
	case a.Type == "oneof":
		if !a.ann().Unchecked { // else taken only when present (seq)
			out = append(out, g.needOne(path))
		}
		var cases []jen.Code
		var fallback *Arg
		// A member chosen by the count of remaining arguments comes first.
		for _, m := range a.Arguments {
			if k := m.ann().OnlyIfRemaining; k > 0 {
				cases = append(cases, jen.Case(jen.Id("n").Op("-").Id("i").Op("==").Lit(k)).Block(g.member(a, target, m, path, false, tail)...))
			}
		}
		for _, m := range a.Arguments {
			if m.ann().OnlyIfRemaining > 0 {
				continue
			}
			toks := memberTokens(a, m)
			if toks == nil {
				if fallback == nil {
					fallback = m
				}
				continue
			}
			cases = append(cases, jen.Case(matchAny(toks)).Block(g.member(a, target, m, path, m.Token != "", tail)...))
		}
		switch {
		case fallback != nil:
			cases = append(cases, jen.Default().Block(g.member(a, target, fallback, path, false, tail)...))
		case a.ann().Error != "":
			cases = append(cases, jen.Default().Block(g.errReturn(path, a.ann().Error, jen.Id("i"))))
		default:
			cases = append(cases, jen.Default().Block(g.syntaxErr(path, jen.Id("i"))))
		}
		out = append(out, jen.Switch().Block(cases...))
	}
	return out
}

// memberTokens are the words that select member m of oneof o: its tokens
// plus the aliases o declares for them.
func memberTokens(o, m *Arg) []string {
	toks := tokens(m)
	if toks == nil || m.Token == "" {
		return toks
	}
	var aliases []string
	for alias, target := range o.ann().Aliases {
		if strings.EqualFold(target, m.Token) {
			aliases = append(aliases, alias)
		}
	}
	sort.Strings(aliases)
	return append(append([]string(nil), toks...), aliases...)
}

// member records which member of oneof o was given and parses it.
func (g *pgen) member(o *Arg, target func() *jen.Statement, m *Arg, path string, tokenMatched bool, tail int) []jen.Code {
	mp := joinPath(path, m.Name)
	if isFlagSet(o) {
		return []jen.Code{target().Dot(fieldName(m.Name)).Op("=").True(), jen.Id("i").Op("++")}
	}
	if pureOneof(o) {
		return []jen.Code{target().Op("=").Lit(which(m)), jen.Id("i").Op("++")}
	}
	out := []jen.Code{target().Dot("Which").Op("=").Lit(which(m))}
	if !hasValue(m) {
		return append(out, jen.Id("i").Op("++"))
	}
	mt := m
	if m.Optional {
		c := *m
		c.Optional = false // inside a oneof, Which already says it was given
		mt = &c
	}
	field := func() *jen.Statement { return target().Dot(fieldName(m.Name)) }
	if mt.Multiple {
		return append(out, g.multiple(mt, field(), mp, tail, nil, tokenMatched, mt.MultipleToken)...)
	}
	return append(out, g.take(mt, field, mp, tokenMatched, tail)...)
}

// scalar converts argv[i] into target. A deferred value only records i
// here; its conversion is emitted at the end of the parser.
func (g *pgen) scalar(a *Arg, target func() *jen.Statement, path string) []jen.Code {
	an := a.ann()
	if an.Deferred {
		d := g.newVar("at")
		g.prelude = append(g.prelude, jen.Id(d).Op(":=").Lit(-1))
		conv := g.convert(a, target, path, jen.Id(d))
		g.deferred = append(g.deferred, jen.If(jen.Id(d).Op(">=").Lit(0)).Block(conv...))
		return []jen.Code{jen.Id(d).Op("=").Id("i")}
	}
	return g.convert(a, target, path, jen.Id("i"))
}

// convert parses argv[at] into target.
func (g *pgen) convert(a *Arg, target func() *jen.Statement, path string, at *jen.Statement) []jen.Code {
	an := a.ann()
	val := jen.Id("argv").Index(at.Clone())
	if an.Parser == "raw" {
		return []jen.Code{target().Op("=").Add(val)}
	}
	switch a.Type {
	case "integer", "unix-time":
		msg := msgInt
		if an.Error != "" {
			msg = an.Error
		}
		if an.Parser == "string2ull" {
			return []jen.Code{jen.If(jen.List(jen.Id("v"), jen.Id("ok")).Op(":=").Id("ParseUint").Call(val), jen.Op("!").Id("ok")).Block(g.errReturn(path, msg, at)).Else().Block(target().Op("=").Id("v"))}
		}
		rangeMsg := msg
		if an.RangeError != "" {
			rangeMsg = an.RangeError
		}
		var cond *jen.Statement
		if an.Min != nil {
			cond = jen.Id("v").Op("<").Lit(int(*an.Min))
		}
		if an.Max != nil {
			c := jen.Id("v").Op(">").Lit(int(*an.Max))
			if cond == nil {
				cond = c
			} else {
				cond = cond.Op("||").Add(c)
			}
		}
		st := jen.If(jen.List(jen.Id("v"), jen.Id("ok")).Op(":=").Id("ParseInt").Call(val), jen.Op("!").Id("ok")).Block(g.errReturn(path, msg, at))
		if cond != nil {
			var ret jen.Code
			if rangeMsg == msgSyntax {
				ret = g.syntaxErr(path, at)
			} else {
				ret = g.errReturn(path, rangeMsg, at)
			}
			st = st.Else().If(cond).Block(ret)
		}
		st = st.Else().Block(target().Op("=").Id("v"))
		return []jen.Code{st}
	case "double":
		msg := msgFloat
		if an.Error != "" {
			msg = an.Error
		}
		return []jen.Code{jen.If(jen.List(jen.Id("v"), jen.Id("ok")).Op(":=").Id("ParseFloat").Call(val), jen.Op("!").Id("ok")).Block(g.errReturn(path, msg, at)).Else().Block(target().Op("=").Id("v"))}
	}
	return append(g.checkStmts(a, path, at), target().Op("=").Add(val))
}

// checkCall is a's check (check, not check_by) of argv[at] as an
// expression: nil or the *ArgError to return.
//
//	check("last-id", Checks.StreamID, argv[i], nil)
//	check("max-deleted-id", Checks.MaxDeletedID, argv[i], a.LastID)   // check_with
//	checkInteger("min-idle-time", "ERR Invalid min-idle-time ...", argv[i])
func (g *pgen) checkCall(a *Arg, path string, at *jen.Statement) *jen.Statement {
	an := a.ann()
	val := jen.Id("argv").Index(at.Clone())
	if an.Check == "integer" {
		msg := msgInt
		if an.Error != "" {
			msg = an.Error
		}
		return jen.Id("checkInteger").Call(jen.Lit(path), jen.Lit(msg), val)
	}
	ref := jen.Nil()
	if an.CheckWith != "" {
		ref = g.base(fieldName(an.CheckWith))
	}
	return jen.Id("check").Call(jen.Lit(path), jen.Id("Checks").Dot(checkFieldName(an.Check)), val, ref)
}

// checkStmts returns a's check (or check_by) of argv[at] as statements
// that return its error.
//
//	switch a.Trim.Strategy {
//	case "MAXLEN":
//		if err := check("trim.threshold", Checks.StreamMaxlen, argv[i], nil); err != nil {
//			return err
//		}
//	...
//	}
func (g *pgen) checkStmts(a *Arg, path string, at *jen.Statement) []jen.Code {
	an := a.ann()
	val := jen.Id("argv").Index(at.Clone())
	ret := func(call *jen.Statement) jen.Code {
		return jen.If(jen.Id("err").Op(":=").Add(call), jen.Id("err").Op("!=").Nil()).Block(jen.Return(jen.Id("err")))
	}
	if an.Check != "" {
		return []jen.Code{ret(g.checkCall(a, path, at))}
	}
	for by, checks := range an.CheckBy {
		toks := make([]string, 0, len(checks))
		for t := range checks {
			toks = append(toks, t)
		}
		sort.Strings(toks)
		var cases []jen.Code
		for _, t := range toks {
			call := jen.Id("check").Call(jen.Lit(path), jen.Id("Checks").Dot(checkFieldName(checks[t])), val.Clone(), jen.Nil())
			cases = append(cases, jen.Case(jen.Lit(t)).Block(ret(call)))
		}
		return []jen.Code{jen.Switch(g.base(fieldName(by))).Block(cases...)}
	}
	return nil
}

// optionGroup emits the any-order loop over a run of optional tokened
// arguments (contract 2.2 rule 2). With once >= 0 (options_need_values,
// inside a block) the group is tried a single time, and only when more
// than once arguments remain.
func (g *pgen) optionGroup(group []*Arg, base lvFunc, path string, once int) []jen.Code {
	label := g.newVar("opts")
	var cases []jen.Code
	seen := map[string]bool{}
	saved := g.optIdx
	if g.cmd.Redcurrent != nil && g.cmd.Redcurrent.SyntaxError != "" {
		g.optIdx = jen.Id("o")
	}
	defer func() { g.optIdx = saved }()
	if g.maxOptions > 0 && !g.countDeclared {
		g.countDeclared = true
		g.prelude = append(g.prelude, jen.Id("nopts").Op(":=").Lit(0))
	}
	prologue := func() []jen.Code {
		var out []jen.Code
		if g.optIdx != nil {
			out = append(out, jen.Id("o").Op(":=").Id("i"), jen.Id("_").Op("=").Id("o"))
		}
		if g.maxOptions > 0 {
			// redcurrent.max_options: one option more is a syntax error.
			out = append(out, jen.Id("nopts").Op("++"), jen.If(jen.Id("nopts").Op(">").Lit(g.maxOptions)).Block(g.syntaxErr(path, jen.Id("i"))))
		}
		return out
	}
	for _, a := range group {
		p := joinPath(path, a.Name)
		fn := fieldName(a.Name)
		lv := func() *jen.Statement { return base(fn) }
		g.base = base
		if isFlagSet(a) {
			for _, cf := range a.ann().Conflicts {
				l, r := lv().Dot(fieldName(cf.Members[0])), lv().Dot(fieldName(cf.Members[1]))
				g.late = append(g.late, jen.If(l.Op("&&").Add(r)).Block(g.errReturn(p, cf.Error)))
			}
		}
		switch {
		case a.Token != "" || a.Type == "block" || (a.Type == "oneof" && a.Multiple):
			// One case for the whole argument.
			toks := tokens(a)
			toks = dedupe(toks, seen)
			if len(toks) == 0 {
				continue
			}
			body := prologue()
			switch {
			case a.Multiple:
				stop := groupTokens(group)
				if a.ann().Greedy {
					stop = nil
				}
				body = append(body, g.multiple(a, lv(), p, 0, stop, a.Token != "", a.MultipleToken || a.Token == "")...)
			case isScalar(a):
				body = append(body, lv().Dot("Set").Op("=").True())
				body = append(body, g.take(a, func() *jen.Statement { return lv().Dot("V") }, p, true, 0)...)
			case a.Type == "block":
				if msg := a.ann().RepeatError; msg != "" {
					body = append(body, jen.If(lv().Dot("Set")).Block(g.errReturn(p, msg)))
				}
				body = append(body, lv().Dot("Set").Op("=").True())
				body = append(body, g.take(a, lv, p, a.Token != "", 0)...)
			default:
				body = append(body, g.take(a, lv, p, a.Token != "", 0)...)
			}
			cases = append(cases, jen.Case(g.optMatch(toks, a)).Block(body...))
			if a.Type == "block" {
				// A child marked any_position is also an option of this
				// group: given before the block (or without it), it fills
				// the block's field and leaves Set alone.
				for _, c := range a.Arguments {
					if !c.ann().AnyPosition {
						continue
					}
					ctoks := dedupe(tokens(c), seen)
					if len(ctoks) == 0 {
						continue
					}
					cp := joinPath(p, c.Name)
					cf := func() *jen.Statement { return lv().Dot(fieldName(c.Name)) }
					g.base = func(f string) *jen.Statement { return lv().Dot(f) }
					cbody := append(prologue(), cf().Dot("Set").Op("=").True())
					cbody = append(cbody, g.take(c, func() *jen.Statement { return cf().Dot("V") }, cp, true, 0)...)
					cases = append(cases, jen.Case(g.optMatch(ctoks, c)).Block(cbody...))
				}
			}
		default:
			// An untokened oneof: one case per member, with the conflict rule.
			for _, m := range a.Arguments {
				toks := dedupe(memberTokens(a, m), seen)
				if len(toks) == 0 {
					continue
				}
				body := prologue()
				if isFlagSet(a) {
					body = append(body, g.member(a, lv, m, p, true, 0)...)
					cases = append(cases, jen.Case(g.optMatch(toks, m)).Block(body...))
					continue
				}
				w := which(m)
				var cur *jen.Statement
				if pureOneof(a) {
					cur = lv()
				} else {
					cur = lv().Dot("Which")
				}
				msg := msgSyntax
				if a.ann().ConflictError != "" {
					msg = a.ann().ConflictError
				}
				var ret jen.Code
				if msg == msgSyntax {
					ret = g.syntaxErr(p, jen.Id("i"))
				} else {
					ret = g.errReturn(p, msg)
				}
				body = append(body, jen.If(cur.Clone().Op("!=").Lit("").Op("&&").Add(cur.Clone()).Op("!=").Lit(w)).Block(ret))
				body = append(body, g.member(a, lv, m, p, m.Token != "", 0)...)
				cases = append(cases, jen.Case(g.optMatch(toks, m)).Block(body...))
			}
		}
	}
	if an := g.cmd.Redcurrent; an != nil && len(an.OptionErrors) > 0 {
		words := make([]string, 0, len(an.OptionErrors))
		for w := range an.OptionErrors {
			words = append(words, w)
		}
		sort.Strings(words)
		for _, w := range words {
			if toks := dedupe([]string{w}, seen); len(toks) > 0 {
				cases = append(cases, jen.Case(matchAny(toks)).Block(g.errReturn(path, an.OptionErrors[w], jen.Id("i"))))
			}
		}
	}
	cases = append(cases, jen.Default().Block(jen.Break().Id(label)))
	if once >= 0 {
		//	opts2:
		//		for i < n && n-i > 1 {
		//			switch { case ...: ...; default: break opts2 }
		//			break
		//		}
		return []jen.Code{
			jen.Id(label).Op(":"),
			jen.For(jen.Id("i").Op("<").Id("n").Op("&&").Id("n").Op("-").Id("i").Op(">").Lit(once)).Block(jen.Switch().Block(cases...), jen.Break()),
		}
	}
	return []jen.Code{
		jen.Id(label).Op(":"),
		jen.For(jen.Id("i").Op("<").Id("n")).Block(jen.Switch().Block(cases...)),
	}
}

// optMatch is the case condition for an option announced by toks: the
// match, and with options_need_values the presence of the values that
// follow the token (a, the option or the member it announces).
func (g *pgen) optMatch(toks []string, a *Arg) *jen.Statement {
	m := matchAny(toks)
	if !g.needValues {
		return m
	}
	need := minArgs(a, true) - 1
	if need <= 0 {
		return m
	}
	if len(toks) > 1 {
		m = jen.Parens(m)
	}
	return m.Op("&&").Id("n").Op("-").Id("i").Op(">").Lit(need)
}

func groupTokens(group []*Arg) []string {
	var out []string
	for _, a := range group {
		out = append(out, tokens(a)...)
	}
	return out
}

// dedupe drops tokens an earlier case of the same switch already matches.
func dedupe(toks []string, seen map[string]bool) []string {
	var out []string
	for _, t := range toks {
		if !seen[t] {
			seen[t] = true
			out = append(out, t)
		}
	}
	return out
}

// ---- syntax line ----

// syntaxLine renders the command's grammar the way Redis's documentation
// does: "SET key value [NX | XX] [GET] ...".
func syntaxLine(c *Command) string {
	parts := []string{c.FullName()}
	for _, a := range c.Arguments {
		parts = append(parts, argSyntax(a))
	}
	return wrapComment(strings.Join(parts, " "))
}

func argSyntax(a *Arg) string {
	one := argSyntaxOne(a)
	if a.Multiple {
		rep := one
		if a.Token != "" && !a.MultipleToken {
			rep = argSyntaxValue(a)
		}
		one = one + " [" + rep + " ...]"
	}
	if a.Optional {
		return "[" + one + "]"
	}
	if a.Type == "oneof" && a.Token == "" {
		return "<" + one + ">"
	}
	return one
}

func argSyntaxOne(a *Arg) string {
	v := argSyntaxValue(a)
	if a.Token != "" && a.Type != "pure-token" {
		return a.Token + " " + v
	}
	return v
}

func argSyntaxValue(a *Arg) string {
	switch a.Type {
	case "pure-token":
		return a.Token
	case "oneof":
		var ps []string
		for _, m := range a.Arguments {
			ps = append(ps, argSyntaxMember(m))
		}
		s := strings.Join(ps, " | ")
		if a.Token != "" {
			return "<" + s + ">"
		}
		return s
	case "block":
		var ps []string
		for _, m := range a.Arguments {
			ps = append(ps, argSyntax(m))
		}
		return strings.Join(ps, " ")
	}
	if a.Display != "" {
		return a.Display
	}
	return a.Name
}

// argSyntaxMember: oneof members are shown without their own brackets
// unless they are optional blocks.
func argSyntaxMember(m *Arg) string {
	c := *m
	c.Optional = false
	s := argSyntax(&c)
	if c.Type == "oneof" && c.Token == "" && strings.HasPrefix(s, "<") {
		return s
	}
	if m.Optional {
		return "[" + s + "]"
	}
	return s
}

// wrapComment breaks a long syntax line at spaces, indenting continuations.
func wrapComment(s string) string {
	const width = 100
	var lines []string
	for len(s) > width {
		cut := strings.LastIndex(s[:width], " ")
		if cut <= 0 {
			break
		}
		lines = append(lines, s[:cut])
		s = s[cut+1:]
	}
	lines = append(lines, s)
	return strings.Join(lines, "\n")
}

// groups returns the command groups in sorted order with their commands
// sorted by full name.
func groups(s *Spec) ([]string, map[string][]*Command) {
	by := map[string][]*Command{}
	for _, c := range s.Commands {
		by[c.Group] = append(by[c.Group], c)
	}
	var names []string
	for g, cs := range by {
		names = append(names, g)
		sort.Slice(cs, func(i, j int) bool { return cs[i].FullName() < cs[j].FullName() })
	}
	sort.Strings(names)
	return names, by
}
