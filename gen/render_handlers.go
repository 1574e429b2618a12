package main

import (
	"github.com/dave/jennifer/jen"
)

// renderHandlers emits the handler interface and the dispatch switch
// (contract 2.4):
//
//	type Handlers[C, W any] interface {
//		Set(c C, a SetArgs, w W) error
//		...
//	}
//
//	func Invoke[C, W any](h Handlers[C, W], cmd *Command, c C, argv [][]byte, w W) error {
//		switch cmd.id {
//		case idSet:
//			var a SetArgs
//			if err := ParseSet(argv, &a); err != nil {
//				return err
//			}
//			return h.Set(c, a, w)
//		...
//		}
//		return ErrNoHandler
//	}
func renderHandlers(s *Spec) *jen.File {
	f := newFile()
	var methods, cases, parseCases []jen.Code
	for _, c := range allCommands(s) {
		if !hasParser(c) {
			continue
		}
		g := GoName(c)
		methods = append(methods, jen.Id(g).Params(jen.Id("c").Id("C"), jen.Id("a").Id(g+"Args"), jen.Id("w").Id("W")).Error())
		parseCases = append(parseCases, jen.Case(jen.Id(idName(c))).Block(
			jen.Id("a").Op(":=").New(jen.Id(g+"Args")),
			jen.Return(jen.Id("a"), jen.Id("Parse"+g).Call(jen.Id("argv"), jen.Id("a"))),
		))
		cases = append(cases, jen.Case(jen.Id(idName(c))).Block(
			jen.Var().Id("a").Id(g+"Args"),
			jen.If(jen.Id("err").Op(":=").Id("Parse"+g).Call(jen.Id("argv"), jen.Op("&").Id("a")), jen.Id("err").Op("!=").Nil()).Block(jen.Return(jen.Id("err"))),
			jen.Return(jen.Id("h").Dot(g).Call(jen.Id("c"), jen.Id("a"), jen.Id("w"))),
		))
	}
	comment(f, "ParseArgs parses argv for cmd into a new *<Go>Args value (as any). It is for tests,\n"+
		"fuzzing and tools; Invoke is the serving path. It returns ErrNoHandler for a\n"+
		"container that cannot run bare.")
	f.Func().Id("ParseArgs").Params(jen.Id("cmd").Op("*").Id("Command"), jen.Id("argv").Index().Index().Byte()).Params(jen.Any(), jen.Error()).Block(
		jen.Switch(jen.Id("cmd").Dot("id")).Block(parseCases...),
		jen.Return(jen.Nil(), jen.Id("ErrNoHandler")),
	)

	comment(f, "Handlers has one method per command in commands.json. Containers are excluded,\n"+
		"except those Redis runs bare (arity -1, as COMMAND). A handler returns an error\n"+
		"having written nothing, or writes exactly one reply and returns nil.\n\n"+
		"Arguments arrive by value: a pointer handed through this interface would\n"+
		"make every parsed Args escape to the heap, one allocation per command. The\n"+
		"[]byte fields alias the request buffer; a handler copies what it keeps.")
	f.Type().Id("Handlers").Types(jen.List(jen.Id("C"), jen.Id("W")).Any()).Interface(methods...)

	comment(f, "ErrNoHandler is Invoke's answer for a container that cannot run bare; the\n"+
		"dispatcher resolves subcommands (LookupSub) before calling Invoke.")
	f.Var().Id("ErrNoHandler").Op("=").Qual("errors", "New").Call(jen.Lit("generated: command has no handler"))

	comment(f, "Invoke parses argv for cmd into a local Args value and calls its handler.\n"+
		"Arity has been checked. The Args value escapes through the interface call, so\n"+
		"each call allocates it once.")
	f.Func().Id("Invoke").Types(jen.List(jen.Id("C"), jen.Id("W")).Any()).Params(
		jen.Id("h").Id("Handlers").Types(jen.Id("C"), jen.Id("W")),
		jen.Id("cmd").Op("*").Id("Command"),
		jen.Id("c").Id("C"),
		jen.Id("argv").Index().Index().Byte(),
		jen.Id("w").Id("W"),
	).Error().Block(
		jen.Switch(jen.Id("cmd").Dot("id")).Block(cases...),
		jen.Return(jen.Id("ErrNoHandler")),
	)
	return f
}
