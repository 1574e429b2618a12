package main

import (
	"sort"
	"strings"

	"github.com/dave/jennifer/jen"
)

// usedChecks returns the named checks the spec's arguments use (check and
// check_by, not the built-in "integer"), each with the arguments using it
// ("XSETID last-id"), and whether "integer" is used.
func usedChecks(spec *Spec) (map[string][]string, bool) {
	named := map[string][]string{}
	integer := false
	var walk func(c *Command, args []*Arg, path string)
	walk = func(c *Command, args []*Arg, path string) {
		for _, a := range args {
			p := joinPath(path, a.Name)
			an := a.ann()
			var names []string
			if an.Check != "" {
				names = append(names, an.Check)
			}
			for _, m := range an.CheckBy {
				for _, n := range m {
					names = append(names, n)
				}
			}
			for _, n := range names {
				if n == "integer" {
					integer = true
				} else {
					named[n] = append(named[n], c.FullName()+" "+p)
				}
			}
			walk(c, a.Arguments, p)
		}
	}
	for _, c := range spec.Commands {
		walk(c, c.Arguments, "")
	}
	for n := range named {
		sort.Strings(named[n])
		named[n] = dedupeStrings(named[n])
	}
	return named, integer
}

func dedupeStrings(s []string) []string {
	var out []string
	for i, x := range s {
		if i == 0 || x != s[i-1] {
			out = append(out, x)
		}
	}
	return out
}

// renderChecks emits checks.go when the spec names checks (contract
// section 3, "check"):
//
//	// Checks are the value checks commands.json names ...
//	var Checks struct {
//		// StreamID ("stream-id"): XSETID last-id, ...
//		StreamID func(v, ref []byte) error
//	}
//	func check(arg string, f func(v, ref []byte) error, v, ref []byte) *ArgError
//	func checkInteger(arg, msg string, v []byte) *ArgError
//
// It returns nil when no argument has a check.
func renderChecks(spec *Spec) *jen.File {
	named, integer := usedChecks(spec)
	if len(named) == 0 && !integer {
		return nil
	}
	f := newFile()
	if len(named) > 0 {
		renderNamedChecks(f, named)
	}
	if integer {
		comment(f, "checkInteger is the built-in check \"integer\": v must parse as ParseInt does,\n"+
			"else the *ArgError for arg with the text msg.")
		f.Func().Id("checkInteger").Params(jen.List(jen.Id("arg"), jen.Id("msg")).String(), jen.Id("v").Index().Byte()).Op("*").Id("ArgError").Block(
			jen.If(jen.List(jen.Id("_"), jen.Id("ok")).Op(":=").Id("ParseInt").Call(jen.Id("v")), jen.Op("!").Id("ok")).Block(
				jen.Return(jen.Op("&").Id("ArgError").Values(jen.Id("Arg").Op(":").Id("arg"), jen.Id("Msg").Op(":").Id("msg"))),
			),
			jen.Return(jen.Nil()),
		)
	}
	return f
}

// renderNamedChecks emits the Checks variable and check.
func renderNamedChecks(f *jen.File, named map[string][]string) {
	names := make([]string, 0, len(named))
	for n := range named {
		names = append(names, n)
	}
	sort.Strings(names)
	var fields []jen.Code
	for _, n := range names {
		fields = append(fields, jen.Comment(checkFieldName(n)+" (\""+n+"\"): "+strings.Join(named[n], ", ")+"."))
		fields = append(fields, jen.Id(checkFieldName(n)).Func().Params(jen.List(jen.Id("v"), jen.Id("ref")).Index().Byte()).Error())
	}
	comment(f, "Checks are the value checks commands.json names (\"check\", \"check_by\"): a parser\n"+
		"calls one where Redis's command validates the value, mid-parse. v is the value;\n"+
		"ref is the value of the argument \"check_with\" names, else nil. A check returns nil\n"+
		"or an error whose text is the whole reply (\"ERR ...\"). The package that serves the\n"+
		"commands installs them (engine does, in an init function); a nil check accepts\n"+
		"every value.")
	f.Var().Id("Checks").Struct(fields...)

	comment(f, "check runs the check f on v: nil when f is unset or accepts v, else the\n"+
		"*ArgError for the argument arg with f's text.")
	f.Func().Id("check").Params(jen.Id("arg").String(), jen.Id("f").Func().Params(jen.List(jen.Id("v"), jen.Id("ref")).Index().Byte()).Error(), jen.List(jen.Id("v"), jen.Id("ref")).Index().Byte()).Op("*").Id("ArgError").Block(
		jen.If(jen.Id("f").Op("==").Nil()).Block(jen.Return(jen.Nil())),
		jen.If(jen.Id("err").Op(":=").Id("f").Call(jen.Id("v"), jen.Id("ref")), jen.Id("err").Op("!=").Nil()).Block(
			jen.Return(jen.Op("&").Id("ArgError").Values(jen.Id("Arg").Op(":").Id("arg"), jen.Id("Msg").Op(":").Id("err").Dot("Error").Call())),
		),
		jen.Return(jen.Nil()),
	)
}
