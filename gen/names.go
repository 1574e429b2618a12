package main

import (
	"strings"
	"unicode"
)

// wordSplits gives the Go form of a command (or subcommand) name where
// title-casing alone would run words together. A name not listed here is
// split on '-' and '_' and each part title-cased ("NO-EVICT" → "NoEvict",
// "SET" → "Set").
var wordSplits = map[string]string{
	// top-level commands
	"BGREWRITEAOF": "BgRewriteAOF", "BGSAVE": "BgSave", "BITCOUNT": "BitCount",
	"BITFIELD": "BitField", "BITFIELD_RO": "BitFieldRO", "BITOP": "BitOp", "BITPOS": "BitPos",
	"BLMOVE": "BLMove", "BLMPOP": "BLMPop", "BLPOP": "BLPop", "BRPOP": "BRPop",
	"BRPOPLPUSH": "BRPopLPush", "BZMPOP": "BZMPop", "BZPOPMAX": "BZPopMax", "BZPOPMIN": "BZPopMin",
	"DBSIZE": "DBSize", "DECRBY": "DecrBy", "DELEX": "DelEx", "INCREX": "IncrEx", "MSETEX": "MSetEx", "EVAL_RO": "EvalRO", "EVALSHA": "EvalSHA",
	"EVALSHA_RO": "EvalSHARO", "EXPIREAT": "ExpireAt", "EXPIRETIME": "ExpireTime",
	"FCALL": "FCall", "FCALL_RO": "FCallRO", "FLUSHALL": "FlushAll", "FLUSHDB": "FlushDB",
	"GEOADD": "GeoAdd", "GEODIST": "GeoDist", "GEOHASH": "GeoHash", "GEOPOS": "GeoPos",
	"GEORADIUS": "GeoRadius", "GEORADIUS_RO": "GeoRadiusRO", "GEORADIUSBYMEMBER": "GeoRadiusByMember",
	"GEORADIUSBYMEMBER_RO": "GeoRadiusByMemberRO", "GEOSEARCH": "GeoSearch",
	"GEOSEARCHSTORE": "GeoSearchStore", "GETBIT": "GetBit", "GETDEL": "GetDel", "GETEX": "GetEx",
	"GETRANGE": "GetRange", "GETSET": "GetSet", "HDEL": "HDel", "HEXISTS": "HExists", "HGET": "HGet",
	"HGETALL": "HGetAll", "HINCRBY": "HIncrBy", "HINCRBYFLOAT": "HIncrByFloat", "HKEYS": "HKeys",
	"HLEN": "HLen", "HMGET": "HMGet", "HMSET": "HMSet", "HRANDFIELD": "HRandField", "HSCAN": "HScan",
	"HSET": "HSet", "HSETNX": "HSetNX", "HSTRLEN": "HStrLen", "HVALS": "HVals", "INCRBY": "IncrBy",
	"INCRBYFLOAT": "IncrByFloat", "LASTSAVE": "LastSave", "LCS": "LCS", "LINDEX": "LIndex",
	"LINSERT": "LInsert", "LLEN": "LLen", "LMOVE": "LMove", "LMPOP": "LMPop", "LPOP": "LPop",
	"LPOS": "LPos", "LPUSH": "LPush", "LPUSHX": "LPushX", "LRANGE": "LRange", "LREM": "LRem",
	"LSET": "LSet", "LTRIM": "LTrim", "MGET": "MGet", "MSET": "MSet", "MSETNX": "MSetNX",
	"PEXPIRE": "PExpire", "PEXPIREAT": "PExpireAt", "PEXPIRETIME": "PExpireTime", "PFADD": "PFAdd",
	"PFCOUNT": "PFCount", "PFDEBUG": "PFDebug", "PFMERGE": "PFMerge", "PFSELFTEST": "PFSelfTest",
	"PSETEX": "PSetEx", "PSUBSCRIBE": "PSubscribe", "PSYNC": "PSync", "PTTL": "PTTL",
	"PUNSUBSCRIBE": "PUnsubscribe", "RANDOMKEY": "RandomKey", "READONLY": "ReadOnly",
	"READWRITE": "ReadWrite", "RENAMENX": "RenameNX", "REPLCONF": "ReplConf", "REPLICAOF": "ReplicaOf",
	"RPOP": "RPop", "RPOPLPUSH": "RPopLPush", "RPUSH": "RPush", "RPUSHX": "RPushX", "SADD": "SAdd",
	"SCARD": "SCard", "SDIFF": "SDiff", "SDIFFSTORE": "SDiffStore", "SETBIT": "SetBit",
	"SETEX": "SetEx", "SETNX": "SetNX", "SETRANGE": "SetRange", "SINTER": "SInter",
	"SINTERCARD": "SInterCard", "SINTERSTORE": "SInterStore", "SISMEMBER": "SIsMember",
	"SLAVEOF": "SlaveOf", "SLOWLOG": "SlowLog", "SMEMBERS": "SMembers", "SMISMEMBER": "SMIsMember",
	"SMOVE": "SMove", "SORT_RO": "SortRO", "SPOP": "SPop", "SPUBLISH": "SPublish",
	"SRANDMEMBER": "SRandMember", "SREM": "SRem", "SSCAN": "SScan", "SSUBSCRIBE": "SSubscribe",
	"STRLEN": "StrLen", "SUNION": "SUnion", "SUNIONSTORE": "SUnionStore",
	"SUNSUBSCRIBE": "SUnsubscribe", "SWAPDB": "SwapDB", "TTL": "TTL", "UNWATCH": "Unwatch",
	"XACK": "XAck", "XACKDEL": "XAckDel", "XADD": "XAdd", "XAUTOCLAIM": "XAutoClaim", "XCLAIM": "XClaim", "XDEL": "XDel", "XDELEX": "XDelEx",
	"XGROUP": "XGroup", "XINFO": "XInfo", "XLEN": "XLen", "XPENDING": "XPending", "XRANGE": "XRange",
	"XREAD": "XRead", "XREADGROUP": "XReadGroup", "XREVRANGE": "XRevRange", "XSETID": "XSetID",
	"XTRIM": "XTrim", "ZADD": "ZAdd", "ZCARD": "ZCard", "ZCOUNT": "ZCount", "ZDIFF": "ZDiff",
	"ZDIFFSTORE": "ZDiffStore", "ZINCRBY": "ZIncrBy", "ZINTER": "ZInter", "ZINTERCARD": "ZInterCard",
	"ZINTERSTORE": "ZInterStore", "ZLEXCOUNT": "ZLexCount", "ZMPOP": "ZMPop", "ZMSCORE": "ZMScore",
	"ZPOPMAX": "ZPopMax", "ZPOPMIN": "ZPopMin", "ZRANDMEMBER": "ZRandMember", "ZRANGE": "ZRange",
	"ZRANGEBYLEX": "ZRangeByLex", "ZRANGEBYSCORE": "ZRangeByScore", "ZRANGESTORE": "ZRangeStore",
	"ZRANK": "ZRank", "ZREM": "ZRem", "ZREMRANGEBYLEX": "ZRemRangeByLex",
	"ZREMRANGEBYRANK": "ZRemRangeByRank", "ZREMRANGEBYSCORE": "ZRemRangeByScore",
	"ZREVRANGE": "ZRevRange", "ZREVRANGEBYLEX": "ZRevRangeByLex",
	"ZREVRANGEBYSCORE": "ZRevRangeByScore", "ZREVRANK": "ZRevRank", "ZSCAN": "ZScan",
	"ZSCORE": "ZScore", "ZUNION": "ZUnion", "ZUNIONSTORE": "ZUnionStore",
	"GETKEYS": "GetKeys", "GETKEYSANDFLAGS": "GetKeysAndFlags",

	// subcommand names
	"GETNAME": "GetName", "SETNAME": "SetName", "GETREDIR": "GetRedir",
	"TRACKINGINFO": "TrackingInfo", "RESETSTAT": "ResetStat", "IDLETIME": "IdleTime",
	"REFCOUNT": "RefCount", "DELUSER": "DelUser", "GENPASS": "GenPass", "GETUSER": "GetUser",
	"SETUSER": "SetUser", "DRYRUN": "DryRun", "WHOAMI": "WhoAmI", "LOADEX": "LoadEx",
	"CREATECONSUMER": "CreateConsumer", "DELCONSUMER": "DelConsumer", "SETID": "SetID",
	"ADDSLOTS": "AddSlots", "ADDSLOTSRANGE": "AddSlotsRange", "DELSLOTS": "DelSlots",
	"DELSLOTSRANGE": "DelSlotsRange", "BUMPEPOCH": "BumpEpoch", "COUNTKEYSINSLOT": "CountKeysInSlot",
	"FLUSHSLOTS": "FlushSlots", "GETKEYSINSLOT": "GetKeysInSlot", "KEYSLOT": "KeySlot",
	"MYID": "MyID", "MYSHARDID": "MyShardID", "SAVECONFIG": "SaveConfig", "SETSLOT": "SetSlot",
	"NUMSUB": "NumSub", "NUMPAT": "NumPat", "SHARDCHANNELS": "ShardChannels",
	"SHARDNUMSUB": "ShardNumSub", "CONSUMERS": "Consumers", "ID": "ID",
}

// GoName is the command's Go name: "SET" → "Set", "CLIENT SETNAME" → "ClientSetName".
func GoName(c *Command) string {
	if c.Container != "" {
		return wordName(c.Container) + wordName(c.Name)
	}
	return wordName(c.Name)
}

func wordName(name string) string {
	if g, ok := wordSplits[name]; ok {
		return g
	}
	var b strings.Builder
	for _, part := range strings.FieldsFunc(name, isSep) {
		b.WriteString(title(part))
	}
	return b.String()
}

// initialisms are written in capitals inside Go field names (Go's style:
// ID, TTL, DB, IP).
var initialisms = map[string]string{
	"id": "ID", "ttl": "TTL", "db": "DB", "ip": "IP", "url": "URL", "sha1": "SHA1", "lru": "LRU",
	"lfu": "LFU", "aof": "AOF", "rdb": "RDB", "acl": "ACL", "tls": "TLS", "io": "IO",
	"rw": "RW", "ro": "RO", "nx": "NX", "xx": "XX", "gt": "GT", "lt": "LT", "ch": "CH",
	"addr": "Addr",
}

// fieldName is the Go field for an argument name: split on '-', '_', ':' and
// spaces, title-cased, with initialisms ("destination-db" → "DestinationDB").
func fieldName(name string) string {
	var b strings.Builder
	for _, part := range strings.FieldsFunc(strings.ToLower(name), isSep) {
		if g, ok := initialisms[part]; ok {
			b.WriteString(g)
			continue
		}
		b.WriteString(title(part))
	}
	s := b.String()
	if s == "" {
		return ""
	}
	if !unicode.IsLetter(rune(s[0])) {
		s = "N" + s // "3" would not be an identifier
	}
	for _, r := range s {
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '_' {
			return ""
		}
	}
	return s
}

func isSep(r rune) bool { return r == '-' || r == '_' || r == ':' || r == ' ' || r == '|' || r == '/' }

func title(s string) string {
	s = strings.ToLower(s)
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
