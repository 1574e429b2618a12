//go:build unix

package server

import (
	"net"
	"syscall"
)

// rawWriter writes to a socket without waiting: what the kernel does not
// take at once is left to the connection's writer goroutine, as Redis's
// writeToClient leaves it to a write handler. Its function value is made
// once, so a write allocates nothing.
type rawWriter struct {
	rc  syscall.RawConn
	fn  func(fd uintptr) bool
	b   []byte
	n   int
	err error
}

func newRawWriter(nc net.Conn) *rawWriter {
	// Only the standard library's own sockets: a wrapper that embeds one
	// (an embedder's listener) would have its Write bypassed.
	var sc syscall.Conn
	switch c := nc.(type) {
	case *net.TCPConn:
		sc = c
	case *net.UnixConn:
		sc = c
	default:
		return nil
	}
	rc, err := sc.SyscallConn()
	if err != nil {
		return nil
	}
	w := &rawWriter{rc: rc}
	w.fn = w.write
	return w
}

func (w *rawWriter) write(fd uintptr) bool {
	for w.n < len(w.b) {
		n, err := syscall.Write(int(fd), w.b[w.n:])
		switch err {
		case nil:
			w.n += n
			continue
		case syscall.EINTR:
			continue
		case syscall.EAGAIN:
		default:
			w.err = err
		}
		break
	}
	return true // never wait for the socket to become writable
}

// tryWrite writes what the socket takes of b now, and reports how much.
func (w *rawWriter) tryWrite(b []byte) (int, error) {
	if w == nil {
		return 0, nil
	}
	w.b, w.n, w.err = b, 0, nil
	err := w.rc.Write(w.fn)
	w.b = nil
	if err == nil {
		err = w.err
	}
	return w.n, err
}
