//go:build tools

package redcurrent

import (
	_ "github.com/dave/jennifer/jen"
	_ "github.com/redis/go-redis/v9"
	_ "github.com/tidwall/btree"
	_ "github.com/tidwall/redcon"
	_ "github.com/yuin/gopher-lua"
)
