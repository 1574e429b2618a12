package engine

// WATCH, as multi.c implements it: every change to a watched key goes
// through signal, which marks its watchers dirty; EXEC aborts for a dirty
// client. All functions here assume e.mu is held.

// Watch makes c watch key in its selected database. A key that has already
// expired is deleted first, so that its deletion does not count as a change
// (the wk->expired case of watchForKey and touchWatchedKey). Watching the
// same key twice is a no-op. e.mu held.
func (e *Engine) Watch(c *Client, key []byte) {
	dbi := c.DB
	e.lookup(dbi, key, false)
	for _, wk := range c.watched {
		if wk.db == dbi && wk.key == string(key) {
			return
		}
	}
	k := string(key)
	c.watched = append(c.watched, watchedKey{db: dbi, key: k})
	e.watched[dbi][k] = append(e.watched[dbi][k], c)
}

// Unwatch forgets every key c watches and clears its dirty flag (UNWATCH,
// and the end of EXEC or DISCARD, and a closed connection). e.mu held.
func (e *Engine) Unwatch(c *Client) {
	for _, wk := range c.watched {
		m := e.watched[wk.db]
		list := m[wk.key]
		for i, o := range list {
			if o == c {
				list = append(list[:i], list[i+1:]...)
				break
			}
		}
		if len(list) == 0 {
			delete(m, wk.key)
		} else {
			m[wk.key] = list
		}
	}
	c.watched = nil
	c.dirty = false
}

// WatchDirty reports whether EXEC must abort for c: a watched key was
// modified since WATCH, or has expired without having been deleted yet
// (isWatchedKeyExpired). e.mu held.
func (e *Engine) WatchDirty(c *Client) bool {
	if c.dirty {
		return true
	}
	now := e.nowMs()
	for _, wk := range c.watched {
		if ent := e.dbs[wk.db].keys[wk.key]; ent != nil && ent.expired(now) {
			return true
		}
	}
	return false
}

// Watching reports how many keys c watches. e.mu held.
func (e *Engine) Watching(c *Client) int { return len(c.watched) }

// touchWatched marks every client watching key in database dbi dirty
// (touchWatchedKey).
func (e *Engine) touchWatched(dbi int, key string) {
	for _, c := range e.watched[dbi][key] {
		c.dirty = true
	}
}

// watching reports whether c's own list has (dbi, key).
func (c *Client) watching(dbi int, key string) bool {
	for _, wk := range c.watched {
		if wk.db == dbi && wk.key == key {
			return true
		}
	}
	return false
}
