package conventions

import (
	"go/ast"
	"go/parser"
	"go/token"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

var logMethods = map[string]int{ // method → index of its first key
	"Debug": 1, "Info": 1, "Warn": 1, "Error": 1,
	"DebugContext": 2, "InfoContext": 2, "WarnContext": 2, "ErrorContext": 2,
	"With": 0,
}

var snake = regexp.MustCompile(`^[a-z][a-z0-9]*(_[a-z0-9]+)*$`)

// isLogger reports whether the receiver of a call reads as a logger: slog,
// log, logger, s.log, j.log, …
func isLogger(x ast.Expr) bool {
	switch x := x.(type) {
	case *ast.Ident:
		return x.Name == "slog" || x.Name == "log" || strings.HasSuffix(strings.ToLower(x.Name), "logger")
	case *ast.SelectorExpr:
		return x.Sel.Name == "log" || strings.HasSuffix(strings.ToLower(x.Sel.Name), "logger")
	case *ast.CallExpr: // log.With(...).Info(...)
		if s, ok := x.Fun.(*ast.SelectorExpr); ok {
			return s.Sel.Name == "With" && isLogger(s.X)
		}
	}
	return false
}

// Every log call writes errors under "error" and its keys in snake_case, so
// that a log search finds every error under one name.
func TestSlogKeys(t *testing.T) {
	fset := token.NewFileSet()
	checked := 0
	err := walkSource(func(path, _ string) error {
		f, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			return err
		}
		ast.Inspect(f, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok {
				return true
			}
			sel, ok := call.Fun.(*ast.SelectorExpr)
			if !ok {
				return true
			}
			first, ok := logMethods[sel.Sel.Name]
			if !ok || !isLogger(sel.X) {
				return true
			}
			checked++
			for i := first; i < len(call.Args); i += 2 {
				lit, ok := call.Args[i].(*ast.BasicLit)
				if !ok || lit.Kind != token.STRING {
					break // an slog.Attr or a computed key: pairs can no longer be told
				}
				key, _ := strconv.Unquote(lit.Value)
				switch {
				case key == "err":
					t.Errorf("%s: log key \"err\": write \"error\"", fset.Position(lit.Pos()))
				case !snake.MatchString(key):
					t.Errorf("%s: log key %q is not snake_case", fset.Position(lit.Pos()), key)
				}
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if checked < 100 {
		t.Fatalf("only %d log calls found: the walk is not seeing the module", checked)
	}
}
