package lua

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"

	lua "github.com/yuin/gopher-lua"
	"github.com/yuin/gopher-lua/ast"
	"github.com/yuin/gopher-lua/parse"
)

// maxStringSize bounds the strings Go-side library functions build
// (string.rep, table.concat, "..", gsub): Redis's own limit is memory, ours
// keeps one script from allocating without bound where the VM's
// cancellation check does not reach.
const maxStringSize = 512 << 20

func itoa(n int) string { return strconv.Itoa(n) }

// compile parses src, rewrites the AST for Lua 5.1 semantics and returns a
// function whose environment is the protected _G. Error texts follow Lua
// 5.1's "chunk:line: message" shape.
func (s *State) compile(src, chunk string) (*lua.LFunction, error) {
	return s.compileNamed(src, chunk, chunk)
}

// compileNamed is compile with the chunk named as runtime errors show it
// (chunk) and as syntax errors show it (synChunk), which Lua 5.1 shortens
// differently.
func (s *State) compileNamed(src, chunk, synChunk string) (*lua.LFunction, error) {
	src, err := checkSyntax(src, synChunk)
	if err != nil {
		return nil, err
	}
	stmts, err := parse.Parse(strings.NewReader(src), chunk)
	if err != nil {
		// Valid Lua 5.1 that gopher-lua's parser refuses ("goto" as a
		// name): its own error, reworded.
		return nil, syntaxError(chunk, src, err)
	}
	if err := rewriteBlock(stmts); err != nil {
		var pe *posError
		if errors.As(err, &pe) {
			return nil, fmt.Errorf("%s:%d: %s", chunk, pe.line, pe.msg)
		}
		return nil, err
	}
	proto, err := lua.Compile(stmts, chunk)
	if err != nil {
		var ce *lua.CompileError
		if errors.As(err, &ce) {
			return nil, fmt.Errorf("%s:%d: %s", chunk, ce.Line, ce.Message)
		}
		return nil, err
	}
	fn := s.L.NewFunctionFromProto(proto)
	fn.Env = s.gproxy
	return fn, nil
}

// syntaxError rewords gopher-lua's parser errors ("line:1(column:5) near
// '=':   syntax error") in Lua 5.1's shape ("user_script:1: unexpected
// symbol near '='"). The wording of the message itself is the parser's and
// often differs from Lua's; see the package README.
func syntaxError(chunk, src string, err error) error {
	var pe *parse.Error
	if !errors.As(err, &pe) {
		return fmt.Errorf("%s: %v", chunk, err)
	}
	msg := strings.TrimSpace(pe.Message)
	if msg == "syntax error" {
		msg = "unexpected symbol"
	}
	line, tok := pe.Pos.Line, pe.Token
	if line == parse.EOF {
		line = strings.Count(src, "\n") + 1
		tok = "<eof>"
	}
	if strings.HasPrefix(msg, "unterminated string") || strings.Contains(msg, "unfinished") {
		return fmt.Errorf("%s:%d: unfinished string near '%s'", chunk, line, tok)
	}
	return fmt.Errorf("%s:%d: %s near '%s'", chunk, line, msg, tok)
}

type posError struct {
	line int
	msg  string
}

func (e *posError) Error() string { return fmt.Sprintf("%d: %s", e.line, e.msg) }

// The rewrite pass. Lua 5.1 has no goto or labels (goto is an identifier
// there), and ".." formats numbers with %.14g, which gopher-lua's VM does
// not: every a .. b becomes a call of the hidden global concat function.

func rewriteBlock(stmts []ast.Stmt) error {
	for _, st := range stmts {
		if err := rewriteStmt(st); err != nil {
			return err
		}
	}
	return nil
}

func rewriteExprs(es []ast.Expr) error {
	for i := range es {
		if err := rewriteExpr(&es[i]); err != nil {
			return err
		}
	}
	return nil
}

func rewriteStmt(st ast.Stmt) error {
	switch x := st.(type) {
	case *ast.AssignStmt:
		if err := rewriteExprs(x.Lhs); err != nil {
			return err
		}
		return rewriteExprs(x.Rhs)
	case *ast.LocalAssignStmt:
		return rewriteExprs(x.Exprs)
	case *ast.FuncCallStmt:
		return rewriteExpr(&x.Expr)
	case *ast.DoBlockStmt:
		return rewriteBlock(x.Stmts)
	case *ast.WhileStmt:
		if err := rewriteExpr(&x.Condition); err != nil {
			return err
		}
		return rewriteBlock(x.Stmts)
	case *ast.RepeatStmt:
		if err := rewriteBlock(x.Stmts); err != nil {
			return err
		}
		return rewriteExpr(&x.Condition)
	case *ast.IfStmt:
		if err := rewriteExpr(&x.Condition); err != nil {
			return err
		}
		if err := rewriteBlock(x.Then); err != nil {
			return err
		}
		return rewriteBlock(x.Else)
	case *ast.NumberForStmt:
		for i, e := range []*ast.Expr{&x.Init, &x.Limit, &x.Step} {
			if *e != nil {
				if err := rewriteExpr(e); err != nil {
					return err
				}
				forNumber(e, i)
			}
		}
		return rewriteBlock(x.Stmts)
	case *ast.GenericForStmt:
		if err := rewriteExprs(x.Exprs); err != nil {
			return err
		}
		return rewriteBlock(x.Stmts)
	case *ast.FuncDefStmt:
		if x.Name != nil {
			if x.Name.Func != nil {
				if err := rewriteExpr(&x.Name.Func); err != nil {
					return err
				}
			}
			if x.Name.Receiver != nil {
				if err := rewriteExpr(&x.Name.Receiver); err != nil {
					return err
				}
			}
		}
		return rewriteBlock(x.Func.Stmts)
	case *ast.ReturnStmt:
		return rewriteExprs(x.Exprs)
	case *ast.GotoStmt:
		return &posError{x.Line(), fmt.Sprintf("'=' expected near '%s'", x.Label)}
	case *ast.LabelStmt:
		return &posError{x.Line(), "unexpected symbol near ':'"}
	}
	return nil
}

func rewriteExpr(p *ast.Expr) error {
	switch x := (*p).(type) {
	case *ast.StringConcatOpExpr:
		// a .. b .. c (right-associative: a .. (b .. c)) becomes one
		// call with all the operands.
		var args []ast.Expr
		for e := ast.Expr(x); ; {
			c, ok := e.(*ast.StringConcatOpExpr)
			if !ok {
				args = append(args, e)
				break
			}
			args = append(args, c.Lhs)
			e = c.Rhs
		}
		if err := rewriteExprs(args); err != nil {
			return err
		}
		fn := &ast.IdentExpr{Value: hiddenConcat}
		fn.SetLine(x.Line())
		fn.SetLastLine(x.LastLine())
		call := &ast.FuncCallExpr{Func: fn, Args: args, AdjustRet: true}
		call.SetLine(x.Line())
		call.SetLastLine(x.LastLine())
		*p = call
	case *ast.AttrGetExpr:
		if err := rewriteExpr(&x.Object); err != nil {
			return err
		}
		return rewriteExpr(&x.Key)
	case *ast.TableExpr:
		for _, f := range x.Fields {
			if f.Key != nil {
				if err := rewriteExpr(&f.Key); err != nil {
					return err
				}
			}
			if err := rewriteExpr(&f.Value); err != nil {
				return err
			}
		}
	case *ast.FuncCallExpr:
		if x.Func != nil {
			if err := rewriteExpr(&x.Func); err != nil {
				return err
			}
		}
		if x.Receiver != nil {
			if err := rewriteExpr(&x.Receiver); err != nil {
				return err
			}
		}
		return rewriteExprs(x.Args)
	case *ast.LogicalOpExpr:
		if err := rewriteExpr(&x.Lhs); err != nil {
			return err
		}
		return rewriteExpr(&x.Rhs)
	case *ast.RelationalOpExpr:
		if err := rewriteExpr(&x.Lhs); err != nil {
			return err
		}
		return rewriteExpr(&x.Rhs)
	case *ast.ArithmeticOpExpr:
		if err := rewriteExpr(&x.Lhs); err != nil {
			return err
		}
		return rewriteExpr(&x.Rhs)
	case *ast.UnaryMinusOpExpr:
		return rewriteExpr(&x.Expr)
	case *ast.UnaryNotOpExpr:
		return rewriteExpr(&x.Expr)
	case *ast.UnaryLenOpExpr:
		return rewriteExpr(&x.Expr)
	case *ast.FunctionExpr:
		return rewriteBlock(x.Stmts)
	case *ast.NumberExpr:
		x.Value = numberLiteral(x.Value)
	}
	return nil
}

// forNumber wraps a numeric for's initial value (which 0), limit (1) or
// step (2) in a call of the hidden forNumber function, which converts a
// string as Lua 5.1 does (for i = 1, ARGV[1]); gopher-lua's VM takes only
// numbers. Expressions that can only be numbers are left alone.
func forNumber(e *ast.Expr, which int) {
	switch (*e).(type) {
	case *ast.NumberExpr, *ast.ArithmeticOpExpr, *ast.UnaryMinusOpExpr, *ast.UnaryLenOpExpr:
		return
	}
	fn := &ast.IdentExpr{Value: hiddenForNumber}
	fn.SetLine((*e).Line())
	fn.SetLastLine((*e).LastLine())
	n := &ast.NumberExpr{Value: strconv.Itoa(which)}
	call := &ast.FuncCallExpr{Func: fn, Args: []ast.Expr{*e, n}, AdjustRet: true}
	call.SetLine((*e).Line())
	call.SetLastLine((*e).LastLine())
	*e = call
}

// numberLiteral rewrites a numeral as Lua 5.1 reads it (strtod: "1e400" is
// inf, "0xffffffffffffffffff" is 4.7e21) in a form gopher-lua's compiler
// converts to the same number (it reads "1e400" as NaN).
func numberLiteral(s string) string {
	v, ok := str2d(s)
	switch {
	case !ok:
		return s
	case math.IsInf(v, 1):
		return "Inf"
	}
	return strconv.FormatFloat(v, 'g', -1, 64)
}
