package server

import (
	"strings"

	"github.com/redcurrent/redcurrent/engine"
	"github.com/redcurrent/redcurrent/generated"
)

// COMMAND and its subcommands, rendered from the generated table in the
// shapes of Redis 7.0's commandCommand family (server.c). Redis lists
// commands in its dict's hash order; we list them in table order.

// COMMAND: COMMAND INFO for every command.
func (h *handlers) Command(c *engine.Client, a generated.CommandArgs, w engine.ReplyWriter) error {
	w.Array(len(generated.Commands))
	for _, cmd := range generated.Commands {
		writeCommandInfo(w, cmd)
	}
	return nil
}

// COMMAND COUNT: the number of top-level commands.
func (h *handlers) CommandCount(c *engine.Client, a generated.CommandCountArgs, w engine.ReplyWriter) error {
	w.Int(int64(len(generated.Commands)))
	return nil
}

// COMMAND LIST [FILTERBY MODULE name | ACLCAT category | PATTERN pattern]:
// names of commands and subcommands (commandListWithFilter).
func (h *handlers) CommandList(c *engine.Client, a generated.CommandListArgs, w engine.ReplyWriter) error {
	var names []string
	var visit func(cmd *generated.Command)
	visit = func(cmd *generated.Command) {
		ok := true
		switch a.Filterby.Which {
		case "MODULE":
			ok = false // no module commands
		case "ACLCAT":
			ok = false
			for _, cat := range cmd.ACL {
				if strings.EqualFold(cat[1:], string(a.Filterby.Category)) {
					ok = true
				}
			}
		case "PATTERN":
			ok = engine.GlobMatch(a.Filterby.Pattern, []byte(cmd.Name), true)
		}
		if ok {
			names = append(names, cmd.Name)
		}
		for _, sub := range cmd.Subcommands {
			visit(sub)
		}
	}
	for _, cmd := range generated.Commands {
		visit(cmd)
	}
	w.Array(len(names))
	for _, n := range names {
		w.BulkString(n)
	}
	return nil
}

// lookupFullName finds "get" or "config|get" (lookupCommandBySds).
func lookupFullName(name []byte) *generated.Command {
	parent, sub, found := strings.Cut(string(name), "|")
	cmd := generated.Lookup([]byte(parent))
	if cmd == nil || !found {
		return cmd
	}
	if len(cmd.Subcommands) == 0 {
		return nil
	}
	return cmd.LookupSub([]byte(sub))
}

// COMMAND INFO [name ...]: one entry per name, null for an unknown one;
// with no names, every command.
func (h *handlers) CommandInfo(c *engine.Client, a generated.CommandInfoArgs, w engine.ReplyWriter) error {
	if len(a.CommandName) == 0 {
		return h.Command(c, generated.CommandArgs{}, w)
	}
	w.Array(len(a.CommandName))
	for _, n := range a.CommandName {
		if cmd := lookupFullName(n); cmd != nil {
			writeCommandInfo(w, cmd)
		} else {
			w.Null()
		}
	}
	return nil
}

// writeCommandInfo is addReplyCommandInfo: a 10-element array.
func writeCommandInfo(w engine.ReplyWriter, cmd *generated.Command) {
	w.Array(10)
	w.BulkString(cmd.Name)
	w.Int(int64(cmd.Arity))
	w.Set(len(cmd.FlagNames))
	for _, f := range cmd.FlagNames {
		w.Simple(f)
	}
	w.Int(int64(cmd.FirstKey))
	w.Int(int64(cmd.LastKey))
	w.Int(int64(cmd.Step))
	w.Set(len(cmd.ACL))
	for _, cat := range cmd.ACL {
		w.Simple(cat)
	}
	w.Set(len(cmd.Tips))
	for _, t := range cmd.Tips {
		w.BulkString(t)
	}
	w.Set(len(cmd.KeySpecs))
	for i := range cmd.KeySpecs {
		writeKeySpec(w, &cmd.KeySpecs[i])
	}
	if len(cmd.Subcommands) == 0 {
		w.Set(0)
		return
	}
	w.Array(len(cmd.Subcommands))
	for _, sub := range cmd.Subcommands {
		writeCommandInfo(w, sub)
	}
}

// writeKeySpec is addReplyCommandKeySpecs for one spec.
func writeKeySpec(w engine.ReplyWriter, ks *generated.KeySpec) {
	n := 3
	if ks.Notes != "" {
		n++
	}
	w.Map(n)
	if ks.Notes != "" {
		w.BulkString("notes")
		w.BulkString(ks.Notes)
	}
	w.BulkString("flags")
	w.Set(len(ks.FlagNames))
	for _, f := range ks.FlagNames {
		w.Simple(f)
	}
	w.BulkString("begin_search")
	w.Map(2)
	w.BulkString("type")
	w.BulkString(ks.BeginSearch)
	w.BulkString("spec")
	switch ks.BeginSearch {
	case "index":
		w.Map(1)
		w.BulkString("index")
		w.Int(int64(ks.Pos))
	case "keyword":
		w.Map(2)
		w.BulkString("keyword")
		w.BulkString(ks.Keyword)
		w.BulkString("startfrom")
		w.Int(int64(ks.StartFrom))
	default:
		w.Map(0)
	}
	w.BulkString("find_keys")
	w.Map(2)
	w.BulkString("type")
	w.BulkString(ks.FindKeys)
	w.BulkString("spec")
	switch ks.FindKeys {
	case "range":
		w.Map(3)
		w.BulkString("lastkey")
		w.Int(int64(ks.LastKey))
		w.BulkString("keystep")
		w.Int(int64(ks.KeyStep))
		w.BulkString("limit")
		w.Int(int64(ks.Limit))
	case "keynum":
		w.Map(3)
		w.BulkString("keynumidx")
		w.Int(int64(ks.KeyNumIdx))
		w.BulkString("firstkey")
		w.Int(int64(ks.FirstKey))
		w.BulkString("keystep")
		w.Int(int64(ks.KeyStep))
	default:
		w.Map(0)
	}
}

// COMMAND DOCS [name ...]: a map from name to docs, skipping unknown
// names; with no names, every command.
func (h *handlers) CommandDocs(c *engine.Client, a generated.CommandDocsArgs, w engine.ReplyWriter) error {
	var cmds []*generated.Command
	if len(a.CommandName) == 0 {
		cmds = generated.Commands
	} else {
		for _, n := range a.CommandName {
			if cmd := lookupFullName(n); cmd != nil {
				cmds = append(cmds, cmd)
			}
		}
	}
	w.Map(len(cmds))
	for _, cmd := range cmds {
		w.BulkString(cmd.Name)
		writeCommandDocs(w, cmd)
	}
	return nil
}

// writeCommandDocs is addReplyCommandDocs.
func writeCommandDocs(w engine.ReplyWriter, cmd *generated.Command) {
	n := 1 // group
	for _, s := range []string{cmd.Summary, cmd.Since, cmd.Complexity, cmd.DeprecatedSince, cmd.ReplacedBy} {
		if s != "" {
			n++
		}
	}
	if len(cmd.DocFlags) > 0 {
		n++
	}
	if len(cmd.History) > 0 {
		n++
	}
	if len(cmd.Args) > 0 {
		n++
	}
	if len(cmd.Subcommands) > 0 {
		n++
	}
	w.Map(n)
	str := func(k, v string) {
		if v != "" {
			w.BulkString(k)
			w.BulkString(v)
		}
	}
	str("summary", cmd.Summary)
	str("since", cmd.Since)
	w.BulkString("group")
	w.BulkString(cmd.Group)
	str("complexity", cmd.Complexity)
	if len(cmd.DocFlags) > 0 {
		w.BulkString("doc_flags")
		w.Set(len(cmd.DocFlags))
		for _, f := range cmd.DocFlags {
			w.Simple(f)
		}
	}
	str("deprecated_since", cmd.DeprecatedSince)
	str("replaced_by", cmd.ReplacedBy)
	if len(cmd.History) > 0 {
		w.BulkString("history")
		w.Set(len(cmd.History))
		for _, hst := range cmd.History {
			w.Array(2)
			w.BulkString(hst[0])
			w.BulkString(hst[1])
		}
	}
	if len(cmd.Args) > 0 {
		w.BulkString("arguments")
		writeArgs(w, cmd.Args)
	}
	if len(cmd.Subcommands) > 0 {
		w.BulkString("subcommands")
		w.Map(len(cmd.Subcommands))
		for _, sub := range cmd.Subcommands {
			w.BulkString(sub.Name)
			writeCommandDocs(w, sub)
		}
	}
}

// writeArgs is addReplyCommandArgList. Since 7.2 (redis/redis#11051) every
// argument but a oneof or block reports display_text, its name when the
// spec gives none; 7.0 reported none.
func writeArgs(w engine.ReplyWriter, args []generated.Arg) {
	w.Array(len(args))
	for i := range args {
		a := &args[i]
		n := 2
		for _, s := range []string{a.Token, a.Summary, a.Since, a.DeprecatedSince} {
			if s != "" {
				n++
			}
		}
		if a.KeySpecIndex >= 0 {
			n++
		}
		nflags := 0
		for _, f := range []bool{a.Optional, a.Multiple, a.MultipleToken} {
			if f {
				nflags++
			}
		}
		if nflags > 0 {
			n++
		}
		container := a.Type == "oneof" || a.Type == "block"
		n++ // arguments, or display_text
		w.Map(n)
		w.BulkString("name")
		w.BulkString(a.Name)
		w.BulkString("type")
		w.BulkString(a.Type)
		if !container {
			w.BulkString("display_text")
			if a.DisplayText != "" {
				w.BulkString(a.DisplayText)
			} else {
				w.BulkString(a.Name)
			}
		}
		if a.KeySpecIndex >= 0 {
			w.BulkString("key_spec_index")
			w.Int(int64(a.KeySpecIndex))
		}
		for _, kv := range [][2]string{{"token", a.Token}, {"summary", a.Summary}, {"since", a.Since}, {"deprecated_since", a.DeprecatedSince}} {
			if kv[1] != "" {
				w.BulkString(kv[0])
				w.BulkString(kv[1])
			}
		}
		if nflags > 0 {
			w.BulkString("flags")
			w.Set(nflags)
			if a.Optional {
				w.Simple("optional")
			}
			if a.Multiple {
				w.Simple("multiple")
			}
			if a.MultipleToken {
				w.Simple("multiple_token")
			}
		}
		if container {
			w.BulkString("arguments")
			writeArgs(w, a.Args)
		}
	}
}

// getKeysTarget resolves COMMAND GETKEYS's command (getKeysSubcommandImpl).
func getKeysTarget(argv [][]byte) (*generated.Command, error) {
	cmd := generated.Lookup(argv[0])
	if cmd != nil && len(cmd.Subcommands) > 0 && len(argv) >= 2 {
		cmd = cmd.LookupSub(argv[1])
	}
	switch {
	case cmd == nil:
		return nil, engine.ErrGetKeysInvalidCommand
	case len(cmd.KeySpecs) == 0:
		return nil, engine.ErrGetKeysNoKeys
	case !arityOK(cmd, len(argv)):
		return nil, engine.ErrGetKeysArity
	}
	return cmd, nil
}

// COMMAND GETKEYS command [arg ...]: the keys the command would touch.
func (h *handlers) CommandGetKeys(c *engine.Client, a generated.CommandGetKeysArgs, w engine.ReplyWriter) error {
	argv := append([][]byte{a.Command}, a.Arg...)
	cmd, err := getKeysTarget(argv)
	if err != nil {
		return err
	}
	pos, err := cmd.GetKeys(argv)
	if err != nil {
		return err
	}
	w.Array(len(pos))
	for _, p := range pos {
		w.Bulk(argv[p])
	}
	return nil
}

// COMMAND GETKEYSANDFLAGS command [arg ...]: each key with its key spec's flags.
func (h *handlers) CommandGetKeysAndFlags(c *engine.Client, a generated.CommandGetKeysAndFlagsArgs, w engine.ReplyWriter) error {
	argv := append([][]byte{a.Command}, a.Arg...)
	cmd, err := getKeysTarget(argv)
	if err != nil {
		return err
	}
	if _, err := cmd.GetKeys(argv); err != nil {
		return err
	}
	// GetKeys walks the specs in order; run it on one spec at a time to
	// learn which spec, and so which flags, each key comes from.
	type keyFlags struct {
		pos   int
		flags []string
	}
	var keys []keyFlags
	for i := range cmd.KeySpecs {
		one := *cmd
		one.KeySpecs = cmd.KeySpecs[i : i+1]
		one.Flags |= generated.FlagNoMandatoryKeys
		pos, _ := one.GetKeys(argv)
		flags := cmd.KeySpecs[i].FlagNames
		if cmd.KeySpecs[i].Flags&generated.KeyVariableFlags != 0 {
			flags = variableKeyFlags(cmd, argv, flags)
		}
		for _, p := range pos {
			keys = append(keys, keyFlags{p, flags})
		}
	}
	w.Array(len(keys))
	for _, k := range keys {
		w.Array(2)
		w.Bulk(argv[k.pos])
		w.Set(len(k.flags))
		for _, f := range k.flags {
			w.Simple(f)
		}
	}
	return nil
}

// variableKeyFlags gives the flags of a key spec marked variable_flags,
// which Redis leaves to the command's own getkeys function. SET's
// (setGetKeys): without GET the key is only overwritten.
func variableKeyFlags(cmd *generated.Command, argv [][]byte, flags []string) []string {
	if cmd.Name == "set" {
		for _, a := range argv[3:] {
			if strings.EqualFold(string(a), "get") {
				return []string{"RW", "access", "update"}
			}
		}
		return []string{"OW", "update"}
	}
	return flags
}

// COMMAND HELP
func (h *handlers) CommandHelp(c *engine.Client, a generated.CommandHelpArgs, w engine.ReplyWriter) error {
	engine.WriteHelp(w, commandHelp)
	return nil
}

var commandHelp = []string{
	"COMMAND <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
	"(no subcommand)",
	"    Return details about all Redis commands.",
	"COUNT",
	"    Return the total number of commands in this Redis server.",
	"LIST",
	"    Return a list of all commands in this Redis server.",
	"INFO [<command-name> ...]",
	"    Return details about multiple Redis commands.",
	"    If no command names are given, documentation details for all",
	"    commands are returned.",
	"DOCS [<command-name> ...]",
	"    Return documentation details about multiple Redis commands.",
	"    If no command names are given, documentation details for all",
	"    commands are returned.",
	"GETKEYS <full-command>",
	"    Return the keys from a full Redis command.",
	"GETKEYSANDFLAGS <full-command>",
	"    Return the keys and the access flags from a full Redis command.",
}
