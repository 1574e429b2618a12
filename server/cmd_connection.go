package server

import (
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/redcurrent/redcurrent/engine"
	"github.com/redcurrent/redcurrent/generated"
)

// Connection family: PING, ECHO, HELLO, AUTH, QUIT, RESET and CLIENT.

// PING replies PONG, or echoes its argument (pingCommand).
func (h *handlers) Ping(c *engine.Client, a generated.PingArgs, w engine.ReplyWriter) error {
	if a.Message.Set {
		w.Bulk(a.Message.V)
		return nil
	}
	w.Simple("PONG")
	return nil
}

// ECHO replies its argument.
func (h *handlers) Echo(c *engine.Client, a generated.EchoArgs, w engine.ReplyWriter) error {
	w.Bulk(a.Message)
	return nil
}

// checkPassword is ACLAuthenticateUser for the one user we have: "default",
// whose password is requirepass, or any password when none is set
// (the nopass flag).
func (h *handlers) checkPassword(user, pass []byte) bool {
	p := h.s.cfg.requirePass
	if string(user) == "default" && (p == "" || string(pass) == p) {
		return true
	}
	h.s.stats.authFailures++ // ACLAuthenticateUser: user_auth_failures
	return false
}

// AUTH [username] password (authCommand).
func (h *handlers) Auth(c *engine.Client, a generated.AuthArgs, w engine.ReplyWriter) error {
	user := []byte("default")
	if a.Username.Set {
		user = a.Username.V
	} else if h.s.cfg.requirePass == "" {
		return engine.ErrAuthNoPass
	}
	if !h.checkPassword(user, a.Password) {
		return engine.ErrWrongPass
	}
	connOf(c).authenticated = true
	w.Simple("OK")
	return nil
}

// HELLO [protover [AUTH username password] [SETNAME clientname]]
// (helloCommand). The protocol switches before the reply is written, so the
// reply is already in the new protocol, as in Redis.
func (h *handlers) Hello(c *engine.Client, a generated.HelloArgs, w engine.ReplyWriter) error {
	cn := connOf(c)
	args := &a.Arguments
	var ver int64
	if args.Set {
		ver = args.Protover
		if ver < 2 || ver > 3 {
			return engine.ErrNoProto
		}
	}
	if args.Set && args.Auth.Set {
		if !h.checkPassword(args.Auth.Username, args.Auth.Password) {
			return engine.ErrWrongPass
		}
		cn.authenticated = true
	}
	if !cn.authenticated && h.s.cfg.requirePass != "" {
		return engine.ErrHelloNoAuth
	}
	if args.Set && args.Clientname.Set {
		if err := validName(args.Clientname.V); err != nil {
			return err
		}
		c.Name = string(args.Clientname.V)
	}
	if ver != 0 && cn.w != nil {
		cn.w.SetProto(int(ver))
	}
	proto := 2
	if cn.w != nil {
		proto = cn.proto()
	}
	w.Map(7)
	w.BulkString("server")
	w.BulkString("redis")
	w.BulkString("version")
	w.BulkString(Version)
	w.BulkString("proto")
	w.Int(int64(proto))
	w.BulkString("id")
	w.Int(c.ID)
	w.BulkString("mode")
	w.BulkString("standalone")
	w.BulkString("role")
	w.BulkString("master")
	w.BulkString("modules")
	w.Array(0)
	return nil
}

// QUIT replies OK and closes the connection once the reply is written.
func (h *handlers) Quit(c *engine.Client, a generated.QuitArgs, w engine.ReplyWriter) error {
	connOf(c).closeAfterReply = true
	w.Simple("OK")
	return nil
}

// RESET returns the connection to its initial state
// (clearClientConnectionState): database 0, RESP2, no transaction or
// watched keys, no name, reply mode ON, and unauthenticated if a password
// is set. The reply is written after the protocol switch back to RESP2.
func (h *handlers) Reset(c *engine.Client, a generated.ResetArgs, w engine.ReplyWriter) error {
	cn := connOf(c)
	c.DB = 0
	if cn.w != nil {
		cn.w.SetProto(2)
	}
	cn.discard(h, c)
	c.Name = ""
	cn.replyOff, cn.skipNext, cn.skip = false, false, false
	cn.noEvict, cn.noTouch = false, false
	cn.authenticated = h.s.cfg.requirePass == ""
	w.Simple("RESET")
	return nil
}

// validName is validateClientAttr: printable ASCII other than space.
func validName(b []byte) error {
	for _, ch := range b {
		if ch == 0 {
			break // since 7.2 the check reads a C string (validateClientAttr, redis/redis#11758)
		}
		if ch < '!' || ch > '~' {
			return engine.ErrClientName
		}
	}
	return nil
}

// CLIENT ID
func (h *handlers) ClientID(c *engine.Client, a generated.ClientIDArgs, w engine.ReplyWriter) error {
	w.Int(c.ID)
	return nil
}

// CLIENT GETNAME replies the name, or null when there is none.
func (h *handlers) ClientGetName(c *engine.Client, a generated.ClientGetNameArgs, w engine.ReplyWriter) error {
	if c.Name == "" {
		w.Null()
		return nil
	}
	w.BulkString(c.Name)
	return nil
}

// CLIENT SETNAME name; an empty name removes it.
func (h *handlers) ClientSetName(c *engine.Client, a generated.ClientSetNameArgs, w engine.ReplyWriter) error {
	if err := validName(a.ConnectionName); err != nil {
		return err
	}
	c.Name = string(a.ConnectionName)
	w.Simple("OK")
	return nil
}

// CLIENT SETINFO LIB-NAME name | LIB-VER version (Redis 7.2,
// clientSetinfoCommand). The error names the attribute as the client sent
// it; an empty value clears the attribute.
func (h *handlers) ClientSetinfo(c *engine.Client, a generated.ClientSetinfoArgs, w engine.ReplyWriter) error {
	val := a.Attr.Libname
	if a.Attr.Which == "LIB-VER" {
		val = a.Attr.Libver
	}
	if validName(val) != nil {
		attr := strings.ToLower(a.Attr.Which)
		if argv := connOf(c).argv; len(argv) > 2 {
			attr = cString(argv[2], -1)
		}
		return engine.Errorf("ERR", "%s cannot contain spaces, newlines or special characters.", attr)
	}
	if a.Attr.Which == "LIB-VER" {
		c.LibVer = string(val)
	} else {
		c.LibName = string(val)
	}
	w.Simple("OK")
	return nil
}

// CLIENT INFO: this connection's CLIENT LIST line, as verbatim text.
func (h *handlers) ClientInfo(c *engine.Client, a generated.ClientInfoArgs, w engine.ReplyWriter) error {
	cn := connOf(c)
	w.Verbatim("txt", string(h.s.clientLine(nil, cn, c)))
	return nil
}

// clientTypeOK checks a TYPE filter (getClientTypeByName). Every client of
// ours is "normal"; "master", "replica"/"slave" and "pubsub" match none.
func clientType(name []byte) (normal bool, err error) {
	switch strings.ToLower(string(name)) {
	case "normal":
		return true, nil
	case "master", "replica", "slave", "pubsub":
		return false, nil
	}
	return false, &engine.Error{Code: "ERR", Msg: "Unknown client type '" + string(name) + "'"}
}

// clients lists the connections in ID order. Engine lock held.
func (s *Server) clients() []*conn {
	s.mu.Lock()
	list := make([]*conn, 0, len(s.conns))
	for _, cn := range s.conns {
		list = append(list, cn)
	}
	s.mu.Unlock()
	sort.Slice(list, func(i, j int) bool { return list[i].c.ID < list[j].c.ID })
	return list
}

// CLIENT LIST [TYPE type] [ID id ...]: one line per client, verbatim text.
// IDs are looked up one by one in the order given, so a repeated ID is
// listed twice and an unknown one (any integer) is skipped (clientCommand).
func (h *handlers) ClientList(c *engine.Client, a generated.ClientListArgs, w engine.ReplyWriter) error {
	all := true
	if a.ClientType != "" {
		normal, err := clientType([]byte(a.ClientType))
		if err != nil {
			return err
		}
		all = normal
	}
	var b []byte
	if len(a.ClientID) > 0 {
		h.s.mu.Lock()
		conns := make([]*conn, 0, len(a.ClientID))
		for _, id := range a.ClientID {
			if cn := h.s.conns[id]; cn != nil {
				conns = append(conns, cn)
			}
		}
		h.s.mu.Unlock()
		for _, cn := range conns {
			b = h.s.clientLine(b, cn, &cn.c)
		}
	} else if all {
		for _, cn := range h.s.clients() {
			b = h.s.clientLine(b, cn, &cn.c)
		}
	}
	w.Verbatim("txt", string(b))
	return nil
}

// clientLine appends a client's CLIENT LIST line, ending in "\n". The fields
// and their order are catClientInfoString's as of Redis 8.10: 7.4's (7.0 plus
// lib-name and lib-ver, 7.2, and watch, 7.4), then io-thread (8.0, #13695),
// tot-net-in, tot-net-out and tot-cmds (8.2, #13944), omem-shared and
// omem-unshared (8.8, #14934), read-events and the pipeline counters (8.8,
// #14841; named avg-pipeline-len-* in the code, though the redis.io page
// shows the parse-batch-* names of the unmerged rename #14972). Memory and
// buffer fields describe our buffers approximately; the flags are
// clientFlagsToString's.
func (s *Server) clientLine(b []byte, cn *conn, c *engine.Client) []byte {
	now := s.now()
	field := func(name string) { b = append(b, name...); b = append(b, '=') }
	num := func(name string, v int64) {
		field(name)
		b = strconv.AppendInt(b, v, 10)
		b = append(b, ' ')
	}
	str := func(name, v string) {
		field(name)
		b = append(b, v...)
		b = append(b, ' ')
	}
	num("id", c.ID)
	str("addr", cn.addr)
	str("laddr", cn.laddr)
	num("fd", 8)
	str("name", c.Name)
	num("age", int64(now.Sub(c.CreatedAt)/time.Second))
	num("idle", int64(now.Sub(cn.lastInteraction)/time.Second))
	var flags []byte
	if cn.multi {
		flags = append(flags, 'x')
	}
	if cn.blocked.Load() != nil {
		flags = append(flags, 'b')
	}
	if cn.closeAfterReply {
		flags = append(flags, 'c')
	}
	if cn.noEvict {
		flags = append(flags, 'e')
	}
	if cn.noTouch {
		flags = append(flags, 'T')
	}
	if len(flags) == 0 {
		flags = append(flags, 'N')
	}
	str("flags", string(flags))
	num("db", int64(c.DB))
	num("sub", 0)
	num("psub", 0)
	num("ssub", 0)
	multi := int64(-1)
	if cn.multi {
		multi = int64(len(cn.queue))
	}
	num("multi", multi)
	num("watch", int64(s.e.Watching(c))) // 7.4 (redis/redis#12966)
	qbuf, rbs := int64(0), int64(0)
	if cn.rd != nil {
		qbuf, rbs = cn.rd.pending.Load(), cn.rd.size.Load()
	}
	totMem, _ := cn.memUsage()
	num("qbuf", qbuf)
	num("qbuf-free", rbs-qbuf)
	num("argv-mem", int64(cn.argvMem))
	num("multi-mem", int64(cn.queueMem))
	num("rbs", rbs)
	num("rbp", 0)
	oll, omem := cn.outputStats()
	num("obl", 0)
	num("oll", oll)
	num("omem", omem)
	num("omem-shared", 0) // no reply is shared between clients here
	num("omem-unshared", omem)
	num("tot-mem", totMem)
	str("events", "r")
	str("cmd", cn.lastCmd)
	str("user", "default")
	num("redir", -1)
	num("resp", int64(cn.protoOr2()))
	str("lib-name", c.LibName)
	str("lib-ver", c.LibVer)
	num("io-thread", 0) // the main thread, as with io-threads 1
	var netIn, reads, batchCmds, batches int64
	if cn.rd != nil {
		netIn, reads = cn.rd.netIn.Load(), cn.rd.readEvents.Load()
		batchCmds, batches = cn.rd.batchCmds.Load(), cn.rd.batches.Load()
	}
	num("tot-net-in", netIn)
	num("tot-net-out", cn.netOut.Load())
	num("tot-cmds", cn.cmds)
	num("read-events", reads)
	num("avg-pipeline-len-sum", batchCmds)
	field("avg-pipeline-len-cnt")
	b = strconv.AppendInt(b, batches, 10)
	return append(b, '\n')
}

// memUsage is the client's memory as CLIENT LIST's tot-mem and INFO
// memory's mem_clients_normal count it (getClientMemoryUsage): its read
// buffer, its pending output and its queued MULTI commands; and the pending
// output alone (omem). Engine lock held.
func (cn *conn) memUsage() (total, output int64) {
	_, output = cn.outputStats()
	total = output + int64(cn.queueMem)
	if cn.rd != nil {
		total += cn.rd.size.Load()
	}
	return total, output
}

func (cn *conn) protoOr2() int {
	if cn.w == nil {
		return 2
	}
	return cn.proto()
}

// CLIENT KILL ip:port | CLIENT KILL filter value ... (clientKillCommand).
// The old form replies OK or "No such client"; filters reply the number
// killed. The caller itself is closed after its reply.
func (h *handlers) ClientKill(c *engine.Client, a generated.ClientKillArgs, w engine.ReplyWriter) error {
	f, err := killFilterFrom(a)
	if err != nil {
		return err
	}
	f.now = h.s.now()
	killed := int64(0)
	self := connOf(c)
	for _, cn := range h.s.clients() {
		if !f.matches(cn) || (cn == self && f.skipMe) {
			continue
		}
		killed++
		if cn == self {
			cn.closeAfterReply = true
		} else {
			cn.nc.Close()
		}
	}
	if f.oldForm {
		if killed == 0 {
			return engine.ErrNoSuchClient
		}
		w.Simple("OK")
		return nil
	}
	w.Int(killed)
	return nil
}

// killFilterFrom reads CLIENT KILL's arguments. TYPE, USER and MAXAGE are
// checked here: every client of ours is a "normal" one of user "default".
func killFilterFrom(a generated.ClientKillArgs) (*killFilter, error) {
	f := &killFilter{skipMe: true}
	if a.Filter.Which == "OLD-FORMAT" {
		addr := string(a.Filter.OldFormat)
		f.oldForm, f.addr, f.skipMe = true, &addr, false
		return f, nil
	}
	for _, o := range a.Filter.NewFormat {
		switch o.Which {
		case "ID":
			f.id = o.ClientID
		case "TYPE":
			f.typeSet, f.typed = true, o.ClientType == "NORMAL"
		case "USER":
			if string(o.Username) != "default" {
				return nil, &engine.Error{Code: "ERR", Msg: "No such user '" + string(o.Username) + "'"}
			}
		case "ADDR":
			addr := string(o.Addr)
			f.addr = &addr
		case "LADDR":
			laddr := string(o.Laddr)
			f.laddr = &laddr
		case "SKIPME":
			f.skipMe = o.Skipme == "YES"
		case "MAXAGE":
			f.maxAge = o.Maxage
		}
	}
	return f, nil
}

// killFilter is the set of conditions a client must meet to be killed.
type killFilter struct {
	oldForm        bool
	id             int64
	addr, laddr    *string
	typeSet, typed bool  // typed: the TYPE names the kind our clients are
	maxAge         int64 // seconds; 0 for none
	skipMe         bool
	now            time.Time
}

func (f *killFilter) matches(cn *conn) bool {
	if f.addr != nil && cn.addr != *f.addr {
		return false
	}
	if f.laddr != nil && cn.laddr != *f.laddr {
		return false
	}
	if f.id != 0 && cn.c.ID != f.id {
		return false
	}
	if f.typeSet && !f.typed {
		return false
	}
	if f.maxAge > 0 && f.now.Sub(cn.c.CreatedAt) < time.Duration(f.maxAge)*time.Second {
		return false // MAXAGE (7.4) kills clients older than it
	}
	return true
}

// CLIENT UNBLOCK id [TIMEOUT|ERROR] wakes a client blocked in a command
// that can be unblocked; replies 1 if it was, 0 otherwise.
func (h *handlers) ClientUnblock(c *engine.Client, a generated.ClientUnblockArgs, w engine.ReplyWriter) error {
	withError := a.UnblockType == "ERROR"
	h.s.mu.Lock()
	cn := h.s.conns[a.ClientID]
	h.s.mu.Unlock()
	if cn != nil {
		if f := cn.blocked.Load(); f != nil {
			(*f)(withError)
			w.Int(1)
			return nil
		}
	}
	w.Int(0)
	return nil
}

// CLIENT NO-EVICT ON|OFF. Nothing is evicted here; the flag shows in CLIENT LIST.
func (h *handlers) ClientNoEvict(c *engine.Client, a generated.ClientNoEvictArgs, w engine.ReplyWriter) error {
	connOf(c).noEvict = a.Enabled == "ON"
	w.Simple("OK")
	return nil
}

// CLIENT NO-TOUCH ON|OFF (Redis 7.2). The flag shows in CLIENT LIST.
func (h *handlers) ClientNoTouch(c *engine.Client, a generated.ClientNoTouchArgs, w engine.ReplyWriter) error {
	connOf(c).noTouch = a.Enabled == "ON"
	w.Simple("OK")
	return nil
}

// CLIENT REPLY ON|OFF|SKIP. Only ON replies; the dispatcher applies the
// mode to the replies that follow.
func (h *handlers) ClientReply(c *engine.Client, a generated.ClientReplyArgs, w engine.ReplyWriter) error {
	cn := connOf(c)
	switch a.Action {
	case "ON":
		cn.replyOff, cn.skip, cn.skipNext = false, false, false
		w.Simple("OK")
	case "OFF":
		cn.replyOff = true
	case "SKIP":
		if !cn.replyOff {
			cn.skipNext = true
		}
	}
	return nil
}

// CLIENT HELP
func (h *handlers) ClientHelp(c *engine.Client, a generated.ClientHelpArgs, w engine.ReplyWriter) error {
	engine.WriteHelp(w, clientHelp)
	return nil
}

// clientHelp is CLIENT HELP as Redis 8 writes it (7.2 added SETINFO and
// NO-TOUCH, 7.4 KILL ID and MAXAGE: redis/redis#11995, #11483, #12299).
var clientHelp = []string{
	"CLIENT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
	"CACHING (YES|NO)",
	"    Enable/disable tracking of the keys for next command in OPTIN/OPTOUT modes.",
	"GETREDIR",
	"    Return the client ID we are redirecting to when tracking is enabled.",
	"GETNAME",
	"    Return the name of the current connection.",
	"ID",
	"    Return the ID of the current connection.",
	"INFO",
	"    Return information about the current client connection.",
	"KILL <ip:port>",
	"    Kill connection made from <ip:port>.",
	"KILL <option> <value> [<option> <value> [...]]",
	"    Kill connections. Options are:",
	"    * ADDR (<ip:port>|<unixsocket>:0)",
	"      Kill connections made from the specified address",
	"    * LADDR (<ip:port>|<unixsocket>:0)",
	"      Kill connections made to specified local address",
	"    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
	"      Kill connections by type.",
	"    * USER <username>",
	"      Kill connections authenticated by <username>.",
	"    * SKIPME (YES|NO)",
	"      Skip killing current connection (default: yes).",
	"    * ID <client-id>",
	"      Kill connections by client id.",
	"    * MAXAGE <maxage>",
	"      Kill connections older than the specified age.",
	"LIST [options ...]",
	"    Return information about client connections. Options:",
	"    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
	"      Return clients of specified type.",
	"UNPAUSE",
	"    Stop the current client pause, resuming traffic.",
	"PAUSE <timeout> [WRITE|ALL]",
	"    Suspend all, or just write, clients for <timeout> milliseconds.",
	"REPLY (ON|OFF|SKIP)",
	"    Control the replies sent to the current connection.",
	"SETNAME <name>",
	"    Assign the name <name> to the current connection.",
	"SETINFO <option> <value>",
	"    Set client meta attr. Options are:",
	"    * LIB-NAME: the client lib name.",
	"    * LIB-VER: the client lib version.",
	"UNBLOCK <clientid> [TIMEOUT|ERROR]",
	"    Unblock the specified blocked client.",
	"TRACKING (ON|OFF) [REDIRECT <id>] [BCAST] [PREFIX <prefix> [...]]",
	"         [OPTIN] [OPTOUT] [NOLOOP]",
	"    Control server assisted client side caching.",
	"TRACKINGINFO",
	"    Report tracking status for the current connection.",
	"NO-EVICT (ON|OFF)",
	"    Protect current client connection from eviction.",
	"NO-TOUCH (ON|OFF)",
	"    Will not touch LRU/LFU stats when this mode is on.",
}
