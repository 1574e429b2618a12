package engine

import "time"

// Client is one connection's state as the engine sees it (and as a Lua script
// running for that connection sees it). The server keeps its transport state
// (protocol, MULTI queue, output buffer) in Conn.
type Client struct {
	ID        int64
	DB        int // selected database index
	Name      string
	LibName   string
	LibVer    string
	CreatedAt time.Time

	// NoBlock makes blocking commands take their non-blocking path: set while
	// inside MULTI/EXEC and inside scripts, as in Redis.
	NoBlock bool

	// Conn is the server's own per-connection state; the engine never reads it.
	Conn any

	// watched are the keys this client WATCHes; dirty is set when any of
	// them is modified (touchWatchedKey in Redis). Guarded by the engine lock.
	watched []watchedKey
	dirty   bool

	// block is the request a blocking command left (TakeBlock).
	block *BlockRequest
}

type watchedKey struct {
	db  int
	key string
}
