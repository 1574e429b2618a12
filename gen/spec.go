package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
)

// Spec is commands.json (docs/spec-and-generated.md section 1).
type Spec struct {
	Commands []*Command `json:"commands"`
}

// Command is one command or subcommand. Field names follow Redis's
// src/commands/*.json.
type Command struct {
	Name            string      `json:"name"`
	Container       string      `json:"container"`
	Summary         string      `json:"summary"`
	Complexity      string      `json:"complexity"`
	Group           string      `json:"group"`
	Since           string      `json:"since"`
	Arity           int         `json:"arity"`
	History         [][]string  `json:"history"`
	DocFlags        []string    `json:"doc_flags"`
	DeprecatedSince string      `json:"deprecated_since"`
	ReplacedBy      string      `json:"replaced_by"`
	CommandFlags    []string    `json:"command_flags"`
	ACLCategories   []string    `json:"acl_categories"`
	CommandTips     []string    `json:"command_tips"`
	KeySpecs        []*KeySpec  `json:"key_specs"`
	Arguments       []*Arg      `json:"arguments"`
	Redcurrent      *CommandAnn `json:"redcurrent"`

	// Filled by Validate.
	subs   []*Command // for a container, sorted by name
	parent *Command
}

// FullName is "SET" or "CLIENT SETNAME", for messages.
func (c *Command) FullName() string {
	if c.Container != "" {
		return c.Container + " " + c.Name
	}
	return c.Name
}

// CommandAnn is the command-level redcurrent object (contract section 3).
type CommandAnn struct {
	// OptionsAnyOrder names an argument of an option group (or is true for
	// the first option group): that group's options are also accepted
	// before the positional arguments that precede it.
	OptionsAnyOrder json.RawMessage `json:"options_any_order"`
	// SyntaxError replaces "ERR syntax error" for an unknown option, a
	// missing value or a leftover argument.
	SyntaxError string `json:"syntax_error"`
	// MaxOptions bounds how many options (occurrences of option-group
	// members) one call may give; one more is a syntax error.
	MaxOptions int `json:"max_options"`
	// MaxArgs bounds the arguments after the (sub)command name; more is
	// MaxArgsError (default "ERR syntax error"), checked before anything else.
	MaxArgs      *int   `json:"max_args"`
	MaxArgsError string `json:"max_args_error"`
	// ArgCounts lists the numbers of arguments after the (sub)command name
	// a call may have; any other number is ArgCountsError (default "ERR
	// syntax error"), checked before anything else, late_errors or not
	// (DELEX: a condition comes with exactly one value, else the arity
	// error).
	ArgCounts      []int  `json:"arg_counts"`
	ArgCountsError string `json:"arg_counts_error"`
	// IgnoreExtraArgs accepts leftover arguments (QUIT).
	IgnoreExtraArgs bool `json:"ignore_extra_args"`
	// OptionErrors maps words (upper case) to the error a command gives
	// when one stands where its option groups expect an option: options
	// that belong to a sibling command (XREAD's "GROUP is only supported
	// by XREADGROUP").
	OptionErrors map[string]string `json:"option_errors"`
	// LateErrors leaves parse errors for the handler, which reports them
	// where Redis's command checks its arguments, after its key lookup:
	// "all": the first parse error ends the parse and is stored in the Args'
	// Err field (XCLAIM, XINFO STREAM), except that max_args' error is
	// stored, the parse goes on and that error wins; "max_args": only
	// max_args' error is stored and parsing goes on, so any other error
	// still comes first (XGROUP CREATE counts its arguments after its key
	// checks).
	LateErrors string `json:"late_errors"`
	// OptionsNeedValues: an option whose token takes values is recognized
	// only when its values follow (Redis's "&& moreargs"); otherwise the
	// word ends the option loop and is read as what comes next (XADD: the
	// ID). An option group inside a block that required arguments follow
	// (XADD's = | ~) is tried once, and only when those still fit.
	OptionsNeedValues bool `json:"options_need_values"`
}

// KeySpec is a Redis key specification.
type KeySpec struct {
	Notes       string   `json:"notes"`
	Flags       []string `json:"flags"`
	BeginSearch struct {
		Index *struct {
			Pos int `json:"pos"`
		} `json:"index"`
		Keyword *struct {
			Keyword   string `json:"keyword"`
			StartFrom int    `json:"startfrom"`
		} `json:"keyword"`
		Unknown present `json:"unknown"`
	} `json:"begin_search"`
	FindKeys struct {
		Range *struct {
			LastKey int `json:"lastkey"`
			Step    int `json:"step"`
			Limit   int `json:"limit"`
		} `json:"range"`
		KeyNum *struct {
			KeyNumIdx int `json:"keynumidx"`
			FirstKey  int `json:"firstkey"`
			Step      int `json:"step"`
		} `json:"keynum"`
		Unknown present `json:"unknown"`
	} `json:"find_keys"`
}

// present records that a key was given, even as null ("unknown": null).
type present bool

func (p *present) UnmarshalJSON([]byte) error { *p = true; return nil }

// Arg is one argument of the grammar.
type Arg struct {
	Name            string  `json:"name"`
	Type            string  `json:"type"`
	Token           string  `json:"token"`
	Optional        bool    `json:"optional"`
	Multiple        bool    `json:"multiple"`
	MultipleToken   bool    `json:"multiple_token"`
	Display         string  `json:"display"`
	Summary         string  `json:"summary"`
	KeySpecIndex    *int    `json:"key_spec_index"`
	Since           string  `json:"since"`
	DeprecatedSince string  `json:"deprecated_since"`
	Arguments       []*Arg  `json:"arguments"`
	Redcurrent      *ArgAnn `json:"redcurrent"`
}

// ArgAnn is the argument-level redcurrent object (contract section 3).
//
// Error texts may contain {arg} (the offending argument as given) and
// {name} (the command or subcommand name as given).
type ArgAnn struct {
	// Error replaces the value's parse error (integer, double) or, on a
	// oneof, the error for a value that matches no member.
	Error      string `json:"error"`
	Min        *int64 `json:"min"`
	Max        *int64 `json:"max"`
	RangeError string `json:"range_error"`
	// ConflictError: two different members of a oneof in an option group.
	ConflictError string `json:"conflict_error"`
	// Conflicts makes a pure-token oneof a set of flags (any members may be
	// given together) except for the listed pairs, checked in order after
	// all other syntax checks (EXPIRE NX|XX|GT|LT).
	Conflicts []Conflict `json:"conflicts"`
	// PartialError: a multiple block cut short.
	PartialError string `json:"partial_error"`
	// CountFrom names an earlier integer sibling that gives how many
	// elements a multiple block of plain arguments has (MSETEX's numkeys);
	// fewer arguments left than that is CountError (default "ERR syntax
	// error"). The count must be checked positive (min 1) where it is read.
	CountFrom  string `json:"count_from"`
	CountError string `json:"count_error"`
	// Deferred converts the value only after every syntax check passed, as
	// Redis's SET parses EX's value after the option loop.
	Deferred bool `json:"deferred"`
	// Parser picks another value parser: "string2ull" (Go type uint64; SCAN's
	// cursor, read as Redis's string2ull: see ParseUint), or "raw"
	// (Go type []byte, no conversion: the handler converts the value at the
	// point where Redis's command does, as GETEX after its key lookup, or
	// with a precision the generated parsers lack, as INCRBYFLOAT's long
	// double).
	Parser string `json:"parser"`
	// Greedy: a multiple argument takes every remaining argument, even one
	// that looks like an option's token.
	Greedy bool `json:"greedy"`
	// Aliases: extra tokens of a oneof, each standing for a member's token
	// ({"SLAVE": "REPLICA"}).
	Aliases map[string]string `json:"aliases"`
	// RepeatError: an optional block in an option group given a second
	// time fails at once with this text (XADD's MAXLEN ... MINID ...).
	RepeatError string `json:"repeat_error"`
	// AnyPosition: this optional tokened scalar of an optional block is
	// also accepted anywhere in the option group holding the block, before
	// or without the block (XADD's LIMIT before MAXLEN).
	AnyPosition bool `json:"any_position"`
	// AsOption: a required block whose first child announces itself is
	// parsed as a member of the option group that follows it, so it may
	// come anywhere among those options (XTRIM's KEEPREF or LIMIT before
	// MAXLEN). It gets a Set field; the handler reports its absence.
	AsOption bool `json:"as_option"`
	// SplitEvenly: a required block of untokened multiple strings or keys
	// takes every remaining argument and shares them out evenly, in order
	// (XREAD's STREAMS key [key ...] id [id ...]); the text is the error
	// when they do not divide evenly. None at all is a syntax error.
	SplitEvenly string `json:"split_evenly"`
	// OnlyIfRemaining: this oneof member is chosen exactly when that many
	// arguments remain (CLIENT KILL's old ip:port form), before any token.
	OnlyIfRemaining int `json:"only_if_remaining"`
	// Check names a check the parser runs on a string value where it reads
	// it, as Redis's hand-written parsers convert some values mid-parse (a
	// stream ID before the options after it). "integer" is built in (the
	// value must be a valid integer; Error gives the text); any other name
	// is a function in generated.Checks that the serving package installs.
	Check string `json:"check"`
	// CheckWith names an earlier sibling string or key whose value the check
	// gets as its second argument (XSETID's MAXDELETEDID against the ID).
	CheckWith string `json:"check_with"`
	// CheckBy picks the check by the member chosen in a sibling oneof:
	// {"strategy": {"MAXLEN": "stream-maxlen", "MINID": "stream-id"}}; a
	// member not listed gets no check.
	CheckBy map[string]map[string]string `json:"check_by"`
	// CheckEnds: a multiple positional with a check ends at the first value
	// the check rejects, and may be empty (XCLAIM reads IDs while they
	// parse; the options follow).
	CheckEnds bool `json:"check_ends"`
	// Unchecked: the parser neither requires this positional argument nor
	// checks a multiple block's element count. Absent, it stays zero (Which
	// ""); a block takes every remaining argument, however many. The handler
	// reports Redis's error where Redis checks (XADD's arity check comes
	// after its option loop's own checks).
	Unchecked bool `json:"unchecked"`
}

// Conflict is a pair of oneof members that may not be given together.
type Conflict struct {
	Members []string `json:"members"`
	Error   string   `json:"error"`
}

// ann never returns nil, so callers can read fields directly.
func (a *Arg) ann() *ArgAnn {
	if a.Redcurrent == nil {
		return &ArgAnn{}
	}
	return a.Redcurrent
}

// Load decodes commands.json, rejecting unknown fields, and validates it.
func Load(data []byte) (*Spec, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var s Spec
	if err := dec.Decode(&s); err != nil {
		return nil, fmt.Errorf("commands.json: %w", err)
	}
	if err := s.Validate(); err != nil {
		return nil, err
	}
	return &s, nil
}

// Known names, in Redis's order (server.h, acl.c).
var (
	commandFlags = []string{"WRITE", "READONLY", "DENYOOM", "MODULE", "ADMIN", "PUBSUB", "NOSCRIPT",
		"BLOCKING", "LOADING", "STALE", "SKIP_MONITOR", "SKIP_SLOWLOG", "ASKING", "FAST", "NO_AUTH",
		"MAY_REPLICATE", "SENTINEL", "ONLY_SENTINEL", "NO_MANDATORY_KEYS", "PROTECTED",
		"MODULE_GETKEYS", "MODULE_NO_CLUSTER", "NO_ASYNC_LOADING", "NO_MULTI", "MOVABLE_KEYS",
		"ALLOW_BUSY", "TOUCHES_ARBITRARY_KEYS", "SCRIPT_RUNNER"}
	aclCategories = []string{"KEYSPACE", "READ", "WRITE", "SET", "SORTEDSET", "LIST", "HASH", "STRING",
		"BITMAP", "HYPERLOGLOG", "GEO", "STREAM", "PUBSUB", "ADMIN", "FAST", "SLOW", "BLOCKING",
		"DANGEROUS", "CONNECTION", "TRANSACTION", "SCRIPTING"}
	keySpecFlags = []string{"RO", "RW", "OW", "RM", "ACCESS", "UPDATE", "INSERT", "DELETE", "NOT_KEY",
		"INCOMPLETE", "VARIABLE_FLAGS"}
	docFlags = []string{"DEPRECATED", "SYSCMD"}
	argTypes = []string{"string", "integer", "double", "key", "pattern", "unix-time", "pure-token",
		"oneof", "block"}
)

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// Validate applies Redis's generate-command-code.py checks plus ours, links
// subcommands to their containers and sorts them. Errors name the command
// and the argument path.
func (s *Spec) Validate() error {
	byName := map[string]*Command{}
	for _, c := range s.Commands {
		if c.Name == "" {
			return fmt.Errorf("a command has no name")
		}
		if c.Name != strings.ToUpper(c.Name) || c.Container != strings.ToUpper(c.Container) {
			return fmt.Errorf("%s: command names must be upper case", c.FullName())
		}
		if _, dup := byName[c.FullName()]; dup {
			return fmt.Errorf("%s: duplicate command", c.FullName())
		}
		byName[c.FullName()] = c
	}
	for _, c := range s.Commands {
		if c.Container == "" {
			continue
		}
		p := byName[c.Container]
		if p == nil {
			return fmt.Errorf("%s: container %s is missing", c.FullName(), c.Container)
		}
		if p.Container != "" {
			return fmt.Errorf("%s: container %s is itself a subcommand", c.FullName(), c.Container)
		}
		c.parent = p
		p.subs = append(p.subs, c)
	}
	goNames := map[string]string{}
	for _, c := range s.Commands {
		sort.Slice(c.subs, func(i, j int) bool { return c.subs[i].Name < c.subs[j].Name })
		if err := validateCommand(c); err != nil {
			return fmt.Errorf("%s: %w", c.FullName(), err)
		}
		g := GoName(c)
		if other, dup := goNames[g]; dup {
			return fmt.Errorf("%s: Go name %s is also %s's; add a split to gen/names.go", c.FullName(), g, other)
		}
		goNames[g] = c.FullName()
	}
	return nil
}

func validateCommand(c *Command) error {
	if c.Group == "" {
		return fmt.Errorf("no group")
	}
	if c.Arity == 0 {
		return fmt.Errorf("arity 0")
	}
	for _, h := range c.History {
		if len(h) != 2 {
			return fmt.Errorf("history entries are [version, text] pairs")
		}
	}
	for _, f := range c.CommandFlags {
		if !contains(commandFlags, f) {
			return fmt.Errorf("unknown command flag %q", f)
		}
		if f == "MOVABLE_KEYS" {
			return fmt.Errorf("MOVABLE_KEYS is derived from the key specs, not written")
		}
	}
	for _, f := range c.DocFlags {
		if !contains(docFlags, f) {
			return fmt.Errorf("unknown doc flag %q", f)
		}
	}
	for _, a := range c.ACLCategories {
		if !contains(aclCategories, a) {
			return fmt.Errorf("unknown ACL category %q", a)
		}
	}
	// Redis derives these categories from flags (setImplicitACLCategories);
	// the file lists them all, so it must not miss one.
	for _, imp := range impliedCategories(c) {
		if !contains(c.ACLCategories, imp) {
			return fmt.Errorf("acl_categories lacks %s, which Redis implies from the flags", imp)
		}
	}
	for i, ks := range c.KeySpecs {
		if err := validateKeySpec(ks); err != nil {
			return fmt.Errorf("key_specs[%d]: %w", i, err)
		}
	}
	used := make([]bool, len(c.KeySpecs))
	if err := validateArgs(c, c.Arguments, "", used); err != nil {
		return err
	}
	notKey := false
	for _, ks := range c.KeySpecs {
		if contains(ks.Flags, "NOT_KEY") {
			notKey = true // Redis skips the check for SPUBLISH-like commands
		}
	}
	for i, u := range used {
		if !u && !notKey {
			return fmt.Errorf("key_specs[%d] is used by no argument", i)
		}
	}
	if an := c.Redcurrent; an != nil {
		if _, err := optionsAnyOrder(c); err != nil {
			return err
		}
		if (an.MaxArgs != nil && *an.MaxArgs < 0) || an.MaxOptions < 0 {
			return fmt.Errorf("redcurrent: max_args and max_options must not be negative")
		}
		if an.MaxArgsError != "" && an.MaxArgs == nil {
			return fmt.Errorf("redcurrent: max_args_error without max_args")
		}
		if an.ArgCountsError != "" && len(an.ArgCounts) == 0 {
			return fmt.Errorf("redcurrent: arg_counts_error without arg_counts")
		}
		for _, k := range an.ArgCounts {
			if k < 0 {
				return fmt.Errorf("redcurrent: arg_counts must not be negative")
			}
		}
		for _, msg := range []string{an.SyntaxError, an.MaxArgsError, an.ArgCountsError} {
			if err := checkErrorText(msg); err != nil {
				return fmt.Errorf("redcurrent: %w", err)
			}
		}
		switch an.LateErrors {
		case "", "all":
		case "max_args":
			if an.MaxArgs == nil {
				return fmt.Errorf("redcurrent: late_errors max_args without max_args")
			}
		default:
			return fmt.Errorf("redcurrent: late_errors must be \"all\" or \"max_args\"")
		}
		for w, msg := range an.OptionErrors {
			if w == "" || w != strings.ToUpper(w) || msg == "" {
				return fmt.Errorf("redcurrent: option_errors needs upper-case words and error texts")
			}
			if err := checkErrorText(msg); err != nil {
				return fmt.Errorf("redcurrent: %w", err)
			}
		}
	}
	return nil
}

func impliedCategories(c *Command) []string {
	var out []string
	has := func(f string) bool { return contains(c.CommandFlags, f) }
	if has("WRITE") {
		out = append(out, "WRITE")
	}
	if has("READONLY") && !contains(c.ACLCategories, "SCRIPTING") {
		out = append(out, "READ")
	}
	if has("ADMIN") {
		out = append(out, "ADMIN", "DANGEROUS")
	}
	if has("PUBSUB") {
		out = append(out, "PUBSUB")
	}
	if has("FAST") {
		out = append(out, "FAST")
	}
	if has("BLOCKING") {
		out = append(out, "BLOCKING")
	}
	if !has("FAST") && !contains(c.ACLCategories, "FAST") {
		out = append(out, "SLOW")
	}
	return out
}

func validateKeySpec(ks *KeySpec) error {
	if len(ks.Flags) == 0 {
		return fmt.Errorf("no flags")
	}
	for _, f := range ks.Flags {
		if !contains(keySpecFlags, f) {
			return fmt.Errorf("unknown key spec flag %q", f)
		}
	}
	n := 0
	if ks.BeginSearch.Index != nil {
		n++
		if ks.BeginSearch.Index.Pos < 1 {
			return fmt.Errorf("begin_search index pos must be >= 1")
		}
	}
	if ks.BeginSearch.Keyword != nil {
		n++
		if ks.BeginSearch.Keyword.Keyword == "" || ks.BeginSearch.Keyword.StartFrom == 0 {
			return fmt.Errorf("begin_search keyword needs keyword and a non-zero startfrom")
		}
	}
	if ks.BeginSearch.Unknown {
		n++
	}
	if n != 1 {
		return fmt.Errorf("begin_search needs exactly one of index, keyword, unknown")
	}
	n = 0
	if r := ks.FindKeys.Range; r != nil {
		n++
		if r.Step < 1 {
			return fmt.Errorf("find_keys range step must be >= 1")
		}
		if r.Limit != 0 && r.LastKey != -1 {
			return fmt.Errorf("find_keys range limit needs lastkey -1")
		}
	}
	if k := ks.FindKeys.KeyNum; k != nil {
		n++
		if k.Step < 1 {
			return fmt.Errorf("find_keys keynum step must be >= 1")
		}
	}
	if ks.FindKeys.Unknown {
		n++
	}
	if n != 1 {
		return fmt.Errorf("find_keys needs exactly one of range, keynum, unknown")
	}
	return nil
}

func validateArgAnn(a *Arg, inOneof bool) error {
	an := a.Redcurrent
	if an == nil {
		return nil
	}
	isInt := a.Type == "integer" || a.Type == "unix-time"
	if (an.Min != nil || an.Max != nil || an.RangeError != "") && !isInt {
		return fmt.Errorf("min/max/range_error need an integer")
	}
	if an.Error != "" && !isInt && a.Type != "double" && a.Type != "oneof" && an.Check != "integer" {
		return fmt.Errorf("error needs an integer, double, oneof or check integer")
	}
	if an.ConflictError != "" && a.Type != "oneof" {
		return fmt.Errorf("conflict_error needs a oneof")
	}
	if len(an.Conflicts) > 0 {
		if !pureOneof(a) || a.Multiple || !a.Optional || a.Token != "" {
			return fmt.Errorf("conflicts needs an optional, untokened oneof of pure tokens")
		}
		for _, cf := range an.Conflicts {
			if len(cf.Members) != 2 || cf.Error == "" {
				return fmt.Errorf("a conflict names two members and an error")
			}
			for _, m := range cf.Members {
				found := false
				for _, x := range a.Arguments {
					found = found || x.Name == m
				}
				if !found {
					return fmt.Errorf("conflict member %q is not a member", m)
				}
			}
		}
	}
	if an.PartialError != "" && (a.Type != "block" || !a.Multiple) {
		return fmt.Errorf("partial_error needs a multiple block")
	}
	if (an.CountFrom != "" || an.CountError != "") && (!a.Multiple || !isArgBlock(a) || a.Token != "" || an.CountFrom == "" || an.Unchecked || an.PartialError != "") {
		return fmt.Errorf("count_from needs an untokened multiple block of plain arguments (count_error with it), without unchecked or partial_error")
	}
	if an.Deferred && (!isInt && a.Type != "double" || a.Multiple) {
		return fmt.Errorf("deferred needs a single integer or double")
	}
	switch an.Parser {
	case "":
	case "string2ull":
		if !isInt || an.Min != nil || an.Max != nil || an.Deferred {
			return fmt.Errorf("parser string2ull needs an integer without min, max or deferred")
		}
	case "raw":
		if !isInt && a.Type != "double" || a.Multiple || an.Min != nil || an.Max != nil || an.Deferred || an.Error != "" || an.RangeError != "" {
			return fmt.Errorf("parser raw needs a single integer or double without min, max, deferred or error texts (the handler owns them)")
		}
	default:
		return fmt.Errorf("unknown parser %q", an.Parser)
	}
	if an.Greedy && !a.Multiple {
		return fmt.Errorf("greedy needs a multiple argument")
	}
	if len(an.Aliases) > 0 {
		if a.Type != "oneof" {
			return fmt.Errorf("aliases need a oneof")
		}
		for alias, target := range an.Aliases {
			if alias != strings.ToUpper(alias) {
				return fmt.Errorf("alias %q must be upper case", alias)
			}
			found := false
			for _, m := range a.Arguments {
				found = found || (m.Token != "" && strings.EqualFold(m.Token, target))
			}
			if !found {
				return fmt.Errorf("alias %q stands for %q, which is no member's token", alias, target)
			}
		}
	}
	if an.OnlyIfRemaining != 0 && (!inOneof || an.OnlyIfRemaining < 0) {
		return fmt.Errorf("only_if_remaining needs a oneof member and a positive count")
	}
	if an.RepeatError != "" && (a.Type != "block" || !a.Optional && !an.AsOption || a.Multiple) {
		return fmt.Errorf("repeat_error needs an optional block")
	}
	if an.AsOption && (a.Type != "block" || a.Optional || a.Multiple || tokens(a) == nil) {
		return fmt.Errorf("as_option needs a required block whose first argument has a token")
	}
	if an.SplitEvenly != "" {
		if a.Type != "block" || a.Optional || a.Multiple || len(a.Arguments) < 2 {
			return fmt.Errorf("split_evenly needs a required block of two or more arguments")
		}
		for _, c := range a.Arguments {
			if !c.Multiple || c.Optional || c.Token != "" || (c.Type != "string" && c.Type != "key") {
				return fmt.Errorf("split_evenly needs untokened multiple strings or keys")
			}
		}
	}
	if an.AnyPosition && (!isScalar(a) || a.Token == "" || !a.Optional || a.Multiple) {
		return fmt.Errorf("any_position needs an optional tokened scalar")
	}
	isString := a.Type == "string" || a.Type == "key" || a.Type == "pattern"
	if an.Check != "" || len(an.CheckBy) > 0 {
		if !isString {
			return fmt.Errorf("check and check_by need a string, key or pattern")
		}
		if an.Check != "" && len(an.CheckBy) > 0 {
			return fmt.Errorf("check and check_by exclude each other")
		}
		if len(an.CheckBy) > 1 {
			return fmt.Errorf("check_by names one oneof")
		}
		names := []string{an.Check}
		for _, m := range an.CheckBy {
			for tok, name := range m {
				if tok == "" || tok != strings.ToUpper(tok) {
					return fmt.Errorf("check_by: %q must be an upper-case token", tok)
				}
				names = append(names, name)
			}
		}
		for _, name := range names {
			if name != "" && (checkFieldName(name) == "" || name != strings.ToLower(name)) {
				return fmt.Errorf("check %q must be a lower-case name", name)
			}
			if name == "integer" && len(an.CheckBy) > 0 {
				return fmt.Errorf("check_by takes named checks, not integer")
			}
		}
	}
	if an.Error != "" && isString && an.Check != "integer" {
		return fmt.Errorf("error on a string needs check integer")
	}
	if an.Check == "integer" && an.CheckWith != "" {
		return fmt.Errorf("check integer takes no check_with")
	}
	if an.CheckWith != "" && an.Check == "" {
		return fmt.Errorf("check_with needs check")
	}
	if an.CheckEnds && (an.Check == "" || an.Check == "integer" || !a.Multiple || a.Token != "") {
		return fmt.Errorf("check_ends needs an untokened multiple argument with a named check")
	}
	if (an.CheckWith != "" || len(an.CheckBy) > 0) && (a.Multiple || inOneof) {
		return fmt.Errorf("check_with and check_by need a single argument outside a oneof")
	}
	if an.Check == "integer" && strings.Contains(an.Error, "{") {
		return fmt.Errorf("check integer's error takes no placeholders")
	}
	if an.Unchecked {
		if a.Optional || a.Token != "" || an.PartialError != "" || an.AsOption {
			return fmt.Errorf("unchecked needs a required untokened argument without partial_error")
		}
		if a.Multiple && !isArgBlock(a) {
			return fmt.Errorf("unchecked on a multiple argument needs a block of plain arguments")
		}
		if !a.Multiple && a.Type != "oneof" && !isScalar(a) {
			return fmt.Errorf("unchecked needs a scalar, a oneof or a block of plain arguments")
		}
	}
	for _, msg := range []string{an.Error, an.RangeError, an.ConflictError, an.PartialError, an.RepeatError, an.SplitEvenly, an.CountError} {
		if err := checkErrorText(msg); err != nil {
			return err
		}
	}
	for _, cf := range an.Conflicts {
		if err := checkErrorText(cf.Error); err != nil {
			return err
		}
	}
	return nil
}

// checkErrorText accepts "" and "CODE text", where the text may use the
// placeholders {arg} and {name} and no others.
func checkErrorText(msg string) error {
	if msg == "" {
		return nil
	}
	if !validErrorText(msg) {
		return fmt.Errorf("error text %q must be an upper-case code, a space and a text", msg)
	}
	rest := strings.NewReplacer("{arg}", "", "{name}", "").Replace(msg)
	if strings.Contains(rest, "{") {
		return fmt.Errorf("error text %q: the only placeholders are {arg} and {name}", msg)
	}
	return nil
}

func validateArgs(c *Command, args []*Arg, path string, used []bool) error {
	return validateArgsIn(c, args, path, used, false)
}

func validateArgsIn(c *Command, args []*Arg, path string, used []bool, inOneof bool) error {
	names := map[string]bool{}
	for _, a := range args {
		p := joinPath(path, a.Name)
		if a.Name == "" {
			return fmt.Errorf("argument %q: no name", p)
		}
		if names[a.Name] {
			return fmt.Errorf("argument %q: duplicate argument name", p)
		}
		names[a.Name] = true
		if fieldName(a.Name) == "" {
			return fmt.Errorf("argument %q: name gives no Go identifier", p)
		}
		if !contains(argTypes, a.Type) {
			return fmt.Errorf("argument %q: unknown type %q", p, a.Type)
		}
		// Redis upper-cases tokens (generate-command-code.py) and so do we.
		a.Token = strings.ToUpper(a.Token)
		switch a.Type {
		case "oneof", "block":
			if len(a.Arguments) < 2 {
				return fmt.Errorf("argument %q: a %s needs at least two arguments", p, a.Type)
			}
			if err := validateArgsIn(c, a.Arguments, p, used, a.Type == "oneof"); err != nil {
				return err
			}
		default:
			if len(a.Arguments) > 0 {
				return fmt.Errorf("argument %q: only oneof and block have arguments", p)
			}
		}
		if a.Type == "pure-token" && a.Token == "" {
			return fmt.Errorf("argument %q: pure-token without token", p)
		}
		if a.MultipleToken && !a.Multiple {
			return fmt.Errorf("argument %q: multiple_token without multiple", p)
		}
		if a.KeySpecIndex != nil {
			i := *a.KeySpecIndex
			if i < 0 || i >= len(c.KeySpecs) {
				return fmt.Errorf("argument %q: key_spec_index %d points to no key spec", p, i)
			}
			used[i] = true
		}
		if err := validateArgAnn(a, inOneof); err != nil {
			return fmt.Errorf("argument %q: %w", p, err)
		}
		if err := validateCheckRefs(a, args); err != nil {
			return fmt.Errorf("argument %q: %w", p, err)
		}
	}
	return nil
}

// validateCheckRefs checks that check_with names an earlier required
// string or key sibling, and check_by a sibling oneof of pure tokens.
func validateCheckRefs(a *Arg, siblings []*Arg) error {
	an := a.ann()
	if an.CheckWith != "" {
		var ref *Arg
		for _, s := range siblings {
			if s == a {
				break
			}
			if s.Name == an.CheckWith {
				ref = s
			}
		}
		if ref == nil || ref.Optional || ref.Multiple || (ref.Type != "string" && ref.Type != "key") {
			return fmt.Errorf("check_with %q is no earlier required string or key", an.CheckWith)
		}
	}
	for name, checks := range an.CheckBy {
		var ref *Arg
		for _, s := range siblings {
			if s.Name == name {
				ref = s
			}
		}
		if ref == nil || !pureOneof(ref) || ref.Multiple || isFlagSet(ref) {
			return fmt.Errorf("check_by %q is no sibling oneof of pure tokens", name)
		}
		for tok := range checks {
			found := false
			for _, m := range ref.Arguments {
				found = found || strings.EqualFold(m.Token, tok)
			}
			if !found {
				return fmt.Errorf("check_by: %q is no token of %q", tok, name)
			}
		}
	}
	return nil
}

// checkFieldName is the field of generated.Checks for a check name.
func checkFieldName(name string) string { return fieldName(name) }

// validErrorText accepts "ERR ..." and "WRONGPASS ...": a code, a space, text.
func validErrorText(s string) bool {
	code, rest, ok := strings.Cut(s, " ")
	return ok && code != "" && code == strings.ToUpper(code) && rest != "" && !strings.ContainsAny(s, "\r\n")
}

func joinPath(path, name string) string {
	if path == "" {
		return name
	}
	return path + "." + name
}
