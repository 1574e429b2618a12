package redcurrent

//go:generate go run ./gen
