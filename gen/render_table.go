package main

import (
	"fmt"
	"sort"
	"strings"

	"github.com/dave/jennifer/jen"
)

// Go names of command flags, key spec flags, in Redis's order; and the names
// COMMAND INFO prints (addReplyFlagsForCommand), "" for hidden flags.
var flagGo = map[string]string{
	"WRITE": "FlagWrite", "READONLY": "FlagReadonly", "DENYOOM": "FlagDenyOOM", "MODULE": "FlagModule",
	"ADMIN": "FlagAdmin", "PUBSUB": "FlagPubSub", "NOSCRIPT": "FlagNoScript", "BLOCKING": "FlagBlocking",
	"LOADING": "FlagLoading", "STALE": "FlagStale", "SKIP_MONITOR": "FlagSkipMonitor",
	"SKIP_SLOWLOG": "FlagSkipSlowlog", "ASKING": "FlagAsking", "FAST": "FlagFast", "NO_AUTH": "FlagNoAuth",
	"MAY_REPLICATE": "FlagMayReplicate", "SENTINEL": "FlagSentinel", "ONLY_SENTINEL": "FlagOnlySentinel",
	"NO_MANDATORY_KEYS": "FlagNoMandatoryKeys", "PROTECTED": "FlagProtected",
	"MODULE_GETKEYS": "FlagModuleGetKeys", "MODULE_NO_CLUSTER": "FlagModuleNoCluster",
	"NO_ASYNC_LOADING": "FlagNoAsyncLoading", "NO_MULTI": "FlagNoMulti", "MOVABLE_KEYS": "FlagMovableKeys",
	"ALLOW_BUSY": "FlagAllowBusy", "TOUCHES_ARBITRARY_KEYS": "FlagTouchesArbitraryKeys",
	"SCRIPT_RUNNER": "FlagScriptRunner",
}

// infoFlagOrder is addReplyFlagsForCommand's table (server.c, Redis 7.0;
// script_runner since 8.10, redis/redis#15337).
var infoFlagOrder = []struct{ flag, name string }{
	{"WRITE", "write"}, {"READONLY", "readonly"}, {"DENYOOM", "denyoom"}, {"MODULE", "module"},
	{"ADMIN", "admin"}, {"PUBSUB", "pubsub"}, {"NOSCRIPT", "noscript"}, {"BLOCKING", "blocking"},
	{"LOADING", "loading"}, {"STALE", "stale"}, {"SKIP_MONITOR", "skip_monitor"},
	{"SKIP_SLOWLOG", "skip_slowlog"}, {"ASKING", "asking"}, {"FAST", "fast"}, {"NO_AUTH", "no_auth"},
	{"NO_MANDATORY_KEYS", "no_mandatory_keys"}, {"NO_ASYNC_LOADING", "no_async_loading"},
	{"NO_MULTI", "no_multi"}, {"MOVABLE_KEYS", "movablekeys"}, {"ALLOW_BUSY", "allow_busy"},
	{"SCRIPT_RUNNER", "script_runner"},
}

var keyFlagGo = map[string]string{
	"RO": "KeyRO", "RW": "KeyRW", "OW": "KeyOW", "RM": "KeyRM", "ACCESS": "KeyAccess",
	"UPDATE": "KeyUpdate", "INSERT": "KeyInsert", "DELETE": "KeyDelete", "NOT_KEY": "KeyNotKey",
	"INCOMPLETE": "KeyIncomplete", "VARIABLE_FLAGS": "KeyVariableFlags",
}

// keyFlagName is addReplyFlagsForKeyArgs's spelling.
func keyFlagName(f string) string {
	switch f {
	case "RO", "RW", "OW", "RM":
		return f
	}
	return strings.ToLower(f)
}

// legacyRange derives COMMAND INFO's first/last/step from the key specs and
// reports whether Redis sets CMD_MOVABLE_KEYS, as populateCommandLegacyRangeSpec
// (server.c) does.
func legacyRange(c *Command) (first, last, step int, movable bool) {
	if len(c.KeySpecs) == 0 {
		return 0, 0, 0, contains(c.CommandFlags, "MODULE_GETKEYS")
	}
	isRange := func(ks *KeySpec) bool { return ks.BeginSearch.Index != nil && ks.FindKeys.Range != nil }
	if len(c.KeySpecs) == 1 && isRange(c.KeySpecs[0]) {
		ks := c.KeySpecs[0]
		first = ks.BeginSearch.Index.Pos
		last = ks.FindKeys.Range.LastKey
		if last >= 0 {
			last += first
		}
		return first, last, ks.FindKeys.Range.Step, contains(ks.Flags, "INCOMPLETE")
	}
	const intMax = 1<<31 - 1
	first, lastAbs, prev := intMax, 0, 0
	for _, ks := range c.KeySpecs {
		if !isRange(ks) {
			movable = true
			continue
		}
		pos, r := ks.BeginSearch.Index.Pos, ks.FindKeys.Range
		if r.Step != 1 || (prev != 0 && prev != pos-1) {
			movable = true
			continue
		}
		if contains(ks.Flags, "INCOMPLETE") {
			movable = true
		}
		if pos < first {
			first = pos
		}
		abs := r.LastKey
		if abs >= 0 {
			abs += pos
		}
		// Redis compares as unsigned, so a negative lastkey wins.
		if uint32(abs) > uint32(lastAbs) {
			lastAbs = abs
		}
		prev = lastAbs
	}
	if first == intMax {
		return 0, 0, 0, true
	}
	// COMMAND INFO prints the absolute last key (relative + first when >= 0).
	return first, lastAbs, 1, movable
}

// renderTable emits the command table (contract 2.3):
//
//	type Flag uint64
//	const (FlagWrite Flag = 1 << iota; ...)
//	type KeySpec struct{ ... }
//	type Arg struct{ ... }
//	type Command struct{ Name string; ...; Subcommands []*Command; id int }
//	var cmdSet = &Command{Name: "set", Arity: -3, ...}
//	var Commands = []*Command{...} // by group, then name
//	func Lookup(name []byte) *Command
//	func (c *Command) LookupSub(name []byte) *Command
//	func (c *Command) GetKeys(argv [][]byte) ([]int, error)
func renderTable(s *Spec) (*jen.File, error) {
	f := newFile()
	renderTableTypes(f)

	names, by := groups(s)
	var top []*Command
	for _, g := range names {
		for _, c := range by[g] {
			if c.Container == "" {
				top = append(top, c)
			}
		}
	}
	all := allCommands(s)

	// ids for Invoke's switch.
	var ids []jen.Code
	for i, c := range all {
		if i == 0 {
			ids = append(ids, jen.Id(idName(c)).Op("=").Iota())
		} else {
			ids = append(ids, jen.Id(idName(c)))
		}
	}
	comment(f, "Command ids, for Invoke's switch.")
	f.Const().Defs(ids...)

	for _, c := range all {
		v, err := commandValue(c)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", c.FullName(), err)
		}
		f.Var().Id(varName(c)).Op("=").Op("&").Id("Command").Values(v)
	}

	var list []jen.Code
	for _, c := range top {
		list = append(list, jen.Id(varName(c)))
	}
	comment(f, "Commands lists every top-level command, sorted by group then name.")
	f.Var().Id("Commands").Op("=").Index().Op("*").Id("Command").Values(list...)

	comment(f, "Lookup finds a top-level command by name, ignoring ASCII case, without\nallocating. It returns nil for an unknown command.")
	f.Func().Id("Lookup").Params(jen.Id("name").Index().Byte()).Op("*").Id("Command").Block(lookupSwitch(top)...)

	var subCases []jen.Code
	for _, c := range all {
		if len(c.subs) == 0 {
			continue
		}
		subCases = append(subCases, jen.Case(jen.Id(idName(c))).Block(lookupSwitch(c.subs)...))
	}
	comment(f, "LookupSub finds a container's subcommand by name, ignoring ASCII case, without\nallocating. It returns nil for an unknown subcommand or when c has none.")
	f.Func().Params(jen.Id("c").Op("*").Id("Command")).Id("LookupSub").Params(jen.Id("name").Index().Byte()).Op("*").Id("Command").Block(
		jen.Switch(jen.Id("c").Dot("id")).Block(subCases...),
		jen.Return(jen.Nil()),
	)
	renderGetKeys(f)
	return f, nil
}

// allCommands: every command, top-level ones by group and name, each
// followed by its subcommands by name. This order fixes the ids.
func allCommands(s *Spec) []*Command {
	names, by := groups(s)
	var out []*Command
	for _, g := range names {
		for _, c := range by[g] {
			if c.Container != "" {
				continue
			}
			out = append(out, c)
			out = append(out, c.subs...)
		}
	}
	return out
}

func varName(c *Command) string { return "cmd" + GoName(c) }
func idName(c *Command) string  { return "id" + GoName(c) }

// lookupSwitch emits: switch len(name) { case 3: switch name[0] | 0x20 {
// case 's': if eqFold(name, "SET") { return cmdSet } ... } } return nil
func lookupSwitch(cmds []*Command) []jen.Code {
	byLen := map[int]map[byte][]*Command{}
	var lens []int
	for _, c := range cmds {
		l := len(c.Name)
		if byLen[l] == nil {
			byLen[l] = map[byte][]*Command{}
			lens = append(lens, l)
		}
		b := strings.ToLower(c.Name)[0]
		byLen[l][b] = append(byLen[l][b], c)
	}
	sort.Ints(lens)
	var cases []jen.Code
	for _, l := range lens {
		var firsts []int
		for b := range byLen[l] {
			firsts = append(firsts, int(b))
		}
		sort.Ints(firsts)
		var inner []jen.Code
		for _, b := range firsts {
			var body []jen.Code
			for _, c := range byLen[l][byte(b)] {
				body = append(body, jen.If(jen.Id("eqFold").Call(jen.Id("name"), jen.Lit(c.Name))).Block(jen.Return(jen.Id(varName(c)))))
			}
			inner = append(inner, jen.Case(jen.LitRune(rune(b))).Block(body...))
		}
		cases = append(cases, jen.Case(jen.Lit(l)).Block(jen.Switch(jen.Id("name").Index(jen.Lit(0)).Op("|").Id("0x20")).Block(inner...)))
	}
	if len(cases) == 0 {
		return []jen.Code{jen.Return(jen.Nil())}
	}
	return []jen.Code{jen.Switch(jen.Len(jen.Id("name"))).Block(cases...), jen.Return(jen.Nil())}
}

func strList(xs []string) jen.Code {
	if len(xs) == 0 {
		return jen.Nil()
	}
	var v []jen.Code
	for _, x := range xs {
		v = append(v, jen.Lit(x))
	}
	return jen.Index().String().Values(v...)
}

func flagExpr(goNames []string, zero string) jen.Code {
	if len(goNames) == 0 {
		return jen.Lit(0)
	}
	var e *jen.Statement
	for _, g := range goNames {
		if e == nil {
			e = jen.Id(g)
		} else {
			e = e.Op("|").Id(g)
		}
	}
	return e
}

func commandValue(c *Command) (jen.Dict, error) {
	first, last, step, movable := legacyRange(c)
	flags := append([]string(nil), c.CommandFlags...)
	if movable {
		flags = append(flags, "MOVABLE_KEYS")
	}
	var goFlags, infoNames []string
	for _, fl := range commandFlags {
		if contains(flags, fl) {
			goFlags = append(goFlags, flagGo[fl])
		}
	}
	for _, fi := range infoFlagOrder {
		if contains(flags, fi.flag) {
			infoNames = append(infoNames, fi.name)
		}
	}
	var acl []string
	for _, a := range aclCategories {
		if contains(c.ACLCategories, a) {
			acl = append(acl, "@"+strings.ToLower(a))
		}
	}
	var tips []string
	for _, t := range c.CommandTips {
		tips = append(tips, strings.ToLower(t))
	}
	var docFl []string
	for _, d := range c.DocFlags {
		docFl = append(docFl, strings.ToLower(d))
	}
	name := strings.ToLower(c.Name)
	if c.Container != "" {
		name = strings.ToLower(c.Container) + "|" + name
	}
	d := jen.Dict{
		jen.Id("Name"):  jen.Lit(name),
		jen.Id("Arity"): jen.Lit(c.Arity),
		jen.Id("Flags"): flagExpr(goFlags, "0"),
		jen.Id("Group"): jen.Lit(c.Group),
		jen.Id("id"):    jen.Id(idName(c)),
	}
	if c.Container != "" {
		d[jen.Id("Container")] = jen.Lit(strings.ToLower(c.Container))
	}
	set := func(k string, v string) {
		if v != "" {
			d[jen.Id(k)] = jen.Lit(v)
		}
	}
	set("Since", c.Since)
	set("Summary", c.Summary)
	set("Complexity", c.Complexity)
	set("DeprecatedSince", c.DeprecatedSince)
	set("ReplacedBy", c.ReplacedBy)
	if len(infoNames) > 0 {
		d[jen.Id("FlagNames")] = strList(infoNames)
	}
	if len(acl) > 0 {
		d[jen.Id("ACL")] = strList(acl)
	}
	if len(tips) > 0 {
		d[jen.Id("Tips")] = strList(tips)
	}
	if len(docFl) > 0 {
		d[jen.Id("DocFlags")] = strList(docFl)
	}
	if first != 0 || last != 0 || step != 0 {
		d[jen.Id("FirstKey")] = jen.Lit(first)
		d[jen.Id("LastKey")] = jen.Lit(last)
		d[jen.Id("Step")] = jen.Lit(step)
	}
	if len(c.History) > 0 {
		var hs []jen.Code
		for _, h := range c.History {
			hs = append(hs, jen.Values(jen.Lit(h[0]), jen.Lit(h[1])))
		}
		d[jen.Id("History")] = jen.Index().Index(jen.Lit(2)).String().Values(hs...)
	}
	if len(c.KeySpecs) > 0 {
		var ks []jen.Code
		for _, k := range c.KeySpecs {
			ks = append(ks, keySpecValue(k))
		}
		d[jen.Id("KeySpecs")] = jen.Index().Id("KeySpec").Values(ks...)
	}
	if len(c.Arguments) > 0 {
		d[jen.Id("Args")] = argsValue(c.Arguments)
	}
	if len(c.subs) > 0 {
		var ss []jen.Code
		for _, s := range c.subs {
			ss = append(ss, jen.Id(varName(s)))
		}
		d[jen.Id("Subcommands")] = jen.Index().Op("*").Id("Command").Values(ss...)
	}
	return d, nil
}

func keySpecValue(k *KeySpec) jen.Code {
	var goFlags, names []string
	for _, f := range keySpecFlags {
		if contains(k.Flags, f) {
			goFlags = append(goFlags, keyFlagGo[f])
			names = append(names, keyFlagName(f))
		}
	}
	d := jen.Dict{
		jen.Id("Flags"):     flagExpr(goFlags, "0"),
		jen.Id("FlagNames"): strList(names),
	}
	if k.Notes != "" {
		d[jen.Id("Notes")] = jen.Lit(k.Notes)
	}
	switch bs := k.BeginSearch; {
	case bs.Index != nil:
		d[jen.Id("BeginSearch")] = jen.Lit("index")
		d[jen.Id("Pos")] = jen.Lit(bs.Index.Pos)
	case bs.Keyword != nil:
		d[jen.Id("BeginSearch")] = jen.Lit("keyword")
		d[jen.Id("Keyword")] = jen.Lit(strings.ToUpper(bs.Keyword.Keyword))
		d[jen.Id("StartFrom")] = jen.Lit(bs.Keyword.StartFrom)
	default:
		d[jen.Id("BeginSearch")] = jen.Lit("unknown")
	}
	switch fk := k.FindKeys; {
	case fk.Range != nil:
		d[jen.Id("FindKeys")] = jen.Lit("range")
		d[jen.Id("LastKey")] = jen.Lit(fk.Range.LastKey)
		d[jen.Id("KeyStep")] = jen.Lit(fk.Range.Step)
		d[jen.Id("Limit")] = jen.Lit(fk.Range.Limit)
	case fk.KeyNum != nil:
		d[jen.Id("FindKeys")] = jen.Lit("keynum")
		d[jen.Id("KeyNumIdx")] = jen.Lit(fk.KeyNum.KeyNumIdx)
		d[jen.Id("FirstKey")] = jen.Lit(fk.KeyNum.FirstKey)
		d[jen.Id("KeyStep")] = jen.Lit(fk.KeyNum.Step)
	default:
		d[jen.Id("FindKeys")] = jen.Lit("unknown")
	}
	return jen.Values(d)
}

func argsValue(args []*Arg) jen.Code {
	var vs []jen.Code
	for _, a := range args {
		ksi := -1
		if a.KeySpecIndex != nil {
			ksi = *a.KeySpecIndex
		}
		d := jen.Dict{
			jen.Id("Name"):         jen.Lit(strings.ToLower(a.Name)),
			jen.Id("Type"):         jen.Lit(a.Type),
			jen.Id("KeySpecIndex"): jen.Lit(ksi),
		}
		set := func(k, v string) {
			if v != "" {
				d[jen.Id(k)] = jen.Lit(v)
			}
		}
		set("DisplayText", a.Display)
		set("Summary", a.Summary)
		set("Token", a.Token)
		set("Since", a.Since)
		set("DeprecatedSince", a.DeprecatedSince)
		if a.Optional {
			d[jen.Id("Optional")] = jen.True()
		}
		if a.Multiple {
			d[jen.Id("Multiple")] = jen.True()
		}
		if a.MultipleToken {
			d[jen.Id("MultipleToken")] = jen.True()
		}
		if len(a.Arguments) > 0 {
			d[jen.Id("Args")] = argsValue(a.Arguments)
		}
		vs = append(vs, jen.Values(d))
	}
	return jen.Index().Id("Arg").Values(vs...)
}

func renderTableTypes(f *jen.File) {
	comment(f, "Flag is a set of command flags (Redis's CMD_* in server.h), one bit each.")
	f.Type().Id("Flag").Uint64()
	var defs []jen.Code
	for i, fl := range commandFlags {
		if i == 0 {
			defs = append(defs, jen.Id(flagGo[fl]).Id("Flag").Op("=").Lit(1).Op("<<").Iota().Comment(fl))
		} else {
			defs = append(defs, jen.Id(flagGo[fl]).Comment(fl))
		}
	}
	f.Const().Defs(defs...)

	comment(f, "KeyFlag is a set of key spec flags (Redis's CMD_KEY_*).")
	f.Type().Id("KeyFlag").Uint64()
	defs = nil
	for i, fl := range keySpecFlags {
		if i == 0 {
			defs = append(defs, jen.Id(keyFlagGo[fl]).Id("KeyFlag").Op("=").Lit(1).Op("<<").Iota())
		} else {
			defs = append(defs, jen.Id(keyFlagGo[fl]))
		}
	}
	f.Const().Defs(defs...)

	comment(f, "KeySpec is a key specification, as COMMAND INFO reports it.")
	f.Type().Id("KeySpec").Struct(
		jen.Id("Notes").String(),
		jen.Id("Flags").Id("KeyFlag"),
		jen.Id("FlagNames").Index().String().Comment(`"RW", "access", ... as COMMAND INFO prints them`),
		jen.Id("BeginSearch").String().Comment(`"index", "keyword" or "unknown"`),
		jen.Id("Pos").Int().Comment("index: the position of the first key"),
		jen.Id("Keyword").String().Comment("keyword: the word before the keys"),
		jen.Id("StartFrom").Int().Comment("keyword: where to start looking; negative counts from the end"),
		jen.Id("FindKeys").String().Comment(`"range", "keynum" or "unknown"`),
		jen.Id("LastKey").Int().Comment("range: last key relative to the first; negative counts from the end"),
		jen.Id("KeyStep").Int().Comment("range and keynum: distance between keys"),
		jen.Id("Limit").Int().Comment("range: with LastKey -1, take 1/Limit of the remaining arguments"),
		jen.Id("KeyNumIdx").Int().Comment("keynum: position of the key count, relative to the begin search"),
		jen.Id("FirstKey").Int().Comment("keynum: position of the first key, relative to the begin search"),
	)

	comment(f, "Arg is one argument of a command's grammar, as COMMAND DOCS reports it.")
	f.Type().Id("Arg").Struct(
		jen.Id("Name").String(),
		jen.Id("Type").String().Comment(`"key", "string", "integer", "double", "pattern", "unix-time", "pure-token", "oneof", "block"`),
		jen.Id("DisplayText").String(),
		jen.Id("Summary").String(),
		jen.Id("KeySpecIndex").Int().Comment("-1 when the argument is not a key"),
		jen.Id("Token").String(),
		jen.Id("Since").String(),
		jen.Id("DeprecatedSince").String(),
		jen.List(jen.Id("Optional"), jen.Id("Multiple"), jen.Id("MultipleToken")).Bool(),
		jen.Id("Args").Index().Id("Arg").Comment("members of a oneof or block"),
	)

	comment(f, "Command is one command or subcommand: everything COMMAND INFO and COMMAND DOCS report.")
	f.Type().Id("Command").Struct(
		jen.Id("Name").String().Comment(`lower case; "client|setname" for a subcommand`),
		jen.Id("Container").String().Comment(`lower case, "" for a top-level command`),
		jen.Id("Arity").Int(),
		jen.Id("Flags").Id("Flag").Comment("includes FlagMovableKeys where Redis derives it"),
		jen.Id("FlagNames").Index().String().Comment("as COMMAND INFO prints them, in Redis's order"),
		jen.Id("ACL").Index().String().Comment(`"@write", ... in COMMAND INFO's order`),
		jen.Id("Tips").Index().String().Comment(`"request_policy:all_shards", ... as COMMAND INFO prints them`),
		jen.List(jen.Id("FirstKey"), jen.Id("LastKey"), jen.Id("Step")).Int().Comment("the legacy range (populateCommandLegacyRangeSpec)"),
		jen.Id("KeySpecs").Index().Id("KeySpec"),
		jen.List(jen.Id("Group"), jen.Id("Since"), jen.Id("Summary"), jen.Id("Complexity"), jen.Id("DeprecatedSince"), jen.Id("ReplacedBy")).String(),
		jen.Id("DocFlags").Index().String().Comment(`"deprecated", "syscmd"`),
		jen.Id("History").Index().Index(jen.Lit(2)).String().Comment("[version, description]"),
		jen.Id("Args").Index().Id("Arg"),
		jen.Id("Subcommands").Index().Op("*").Id("Command").Comment("for a container, sorted by name"),
		jen.Line().Id("id").Int().Comment("Invoke's switch key"),
	)
}

// renderGetKeys emits GetKeys: Redis's getKeysUsingKeySpecs (db.c), run
// the way COMMAND GETKEYS runs it.
func renderGetKeys(f *jen.File) {
	comment(f, "ErrInvalidKeyArgs is COMMAND GETKEYS's reply when the key specs do not fit argv.")
	f.Var().Id("ErrInvalidKeyArgs").Op("=").Op("&").Id("ArgError").Values(jen.Dict{jen.Id("Msg"): jen.Lit("ERR Invalid arguments specified for command")})

	comment(f, `GetKeys returns the positions in argv (argv[0] is the command name) of the keys,
from the key specs in order, as COMMAND GETKEYS finds them (Redis's
getKeysUsingKeySpecs): specs flagged not_key are skipped; a keyword spec whose
keyword is absent contributes nothing; an incomplete spec contributes what it
finds (Redis then asks the command's own getkeys function, which finds the same
for the commands we have). It returns ErrInvalidKeyArgs when a spec points
past argv or a key count is not a non-negative integer, and when no key is found
and c lacks FlagNoMandatoryKeys. Arity is assumed checked; any argv is safe.`)
	f.Func().Params(jen.Id("c").Op("*").Id("Command")).Id("GetKeys").Params(jen.Id("argv").Index().Index().Byte()).Params(jen.Index().Int(), jen.Error()).Block(
		jen.Var().Id("keys").Index().Int(),
		jen.Id("argc").Op(":=").Len(jen.Id("argv")),
		jen.For(jen.Id("j").Op(":=").Range().Id("c").Dot("KeySpecs")).Block(
			jen.Id("ks").Op(":=").Op("&").Id("c").Dot("KeySpecs").Index(jen.Id("j")),
			jen.If(jen.Id("ks").Dot("Flags").Op("&").Id("KeyNotKey").Op("!=").Lit(0)).Block(jen.Continue()),
			jen.Id("first").Op(":=").Lit(0),
			jen.Switch(jen.Id("ks").Dot("BeginSearch")).Block(
				jen.Case(jen.Lit("index")).Block(jen.Id("first").Op("=").Id("ks").Dot("Pos")),
				jen.Case(jen.Lit("keyword")).Block(
					jen.List(jen.Id("start"), jen.Id("end")).Op(":=").List(jen.Id("ks").Dot("StartFrom"), jen.Id("argc").Op("-").Lit(1)),
					jen.If(jen.Id("start").Op("<").Lit(0)).Block(jen.List(jen.Id("start"), jen.Id("end")).Op("=").List(jen.Id("argc").Op("+").Id("start"), jen.Lit(1))),
					jen.For(jen.Id("i").Op(":=").Id("start").Op(";").Id("i").Op("!=").Id("end").Op(";")).Block(
						jen.If(jen.Id("i").Op(">=").Id("argc").Op("||").Id("i").Op("<").Lit(1)).Block(jen.Break()),
						jen.If(jen.Id("eqFold").Call(jen.Id("argv").Index(jen.Id("i")), jen.Id("ks").Dot("Keyword"))).Block(
							jen.Id("first").Op("=").Id("i").Op("+").Lit(1),
							jen.Break(),
						),
						jen.If(jen.Id("start").Op("<=").Id("end")).Block(jen.Id("i").Op("++")).Else().Block(jen.Id("i").Op("--")),
					),
					jen.If(jen.Id("first").Op("==").Lit(0)).Block(jen.Continue().Comment("keyword not found")),
				),
				jen.Default().Block(jen.Return(jen.Nil(), jen.Id("ErrInvalidKeyArgs"))),
			),
			jen.Var().List(jen.Id("last"), jen.Id("step")).Int(),
			jen.Switch(jen.Id("ks").Dot("FindKeys")).Block(
				jen.Case(jen.Lit("range")).Block(
					jen.Id("step").Op("=").Id("ks").Dot("KeyStep"),
					jen.Switch().Block(
						jen.Case(jen.Id("ks").Dot("LastKey").Op(">=").Lit(0)).Block(jen.Id("last").Op("=").Id("first").Op("+").Id("ks").Dot("LastKey")),
						jen.Case(jen.Id("ks").Dot("Limit").Op("==").Lit(0)).Block(jen.Id("last").Op("=").Id("argc").Op("+").Id("ks").Dot("LastKey")),
						jen.Default().Block(jen.Id("last").Op("=").Id("first").Op("+").Parens(jen.Parens(jen.Id("argc").Op("-").Id("first")).Op("/").Id("ks").Dot("Limit").Op("+").Id("ks").Dot("LastKey"))),
					),
				),
				jen.Case(jen.Lit("keynum")).Block(
					jen.Id("step").Op("=").Id("ks").Dot("KeyStep"),
					jen.Id("idx").Op(":=").Id("first").Op("+").Id("ks").Dot("KeyNumIdx"),
					jen.If(jen.Id("idx").Op(">=").Id("argc")).Block(jen.Return(jen.Nil(), jen.Id("ErrInvalidKeyArgs"))),
					jen.List(jen.Id("num"), jen.Id("ok")).Op(":=").Id("ParseInt").Call(jen.Id("argv").Index(jen.Id("idx"))),
					jen.If(jen.Op("!").Id("ok").Op("||").Id("num").Op("<").Lit(0).Op("||").Id("num").Op(">").Int64().Call(jen.Id("argc"))).Block(jen.Return(jen.Nil(), jen.Id("ErrInvalidKeyArgs"))),
					jen.If(jen.Id("num").Op("==").Lit(0)).Block(jen.Continue().Comment("Redis's spec fails, and the command's getkeys finds none")),
					jen.Id("first").Op("+=").Id("ks").Dot("FirstKey"),
					// (num-1)*step: MSETEX's pairs (db.c getKeysUsingKeySpecs).
					jen.Id("last").Op("=").Id("first").Op("+").Parens(jen.Int().Call(jen.Id("num")).Op("-").Lit(1)).Op("*").Id("step"),
				),
				jen.Default().Block(jen.Return(jen.Nil(), jen.Id("ErrInvalidKeyArgs"))),
			),
			jen.If(jen.Id("last").Op(">=").Id("argc").Op("||").Id("last").Op("<").Id("first").Op("||").Id("first").Op(">=").Id("argc")).Block(
				jen.Comment("Out of bounds: a syntax error in argv."),
				jen.Return(jen.Nil(), jen.Id("ErrInvalidKeyArgs")),
			),
			jen.For(jen.Id("i").Op(":=").Id("first").Op(";").Id("i").Op("<=").Id("last").Op(";").Id("i").Op("+=").Id("step")).Block(
				jen.Id("keys").Op("=").Append(jen.Id("keys"), jen.Id("i")),
			),
		),
		jen.If(jen.Len(jen.Id("keys")).Op("==").Lit(0).Op("&&").Id("c").Dot("Flags").Op("&").Id("FlagNoMandatoryKeys").Op("==").Lit(0)).Block(
			jen.Return(jen.Nil(), jen.Id("ErrInvalidKeyArgs")),
		),
		jen.Return(jen.Id("keys"), jen.Nil()),
	)
}
