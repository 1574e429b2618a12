//go:build !unix

package server

import "net"

// rawWriter is the non-blocking write of conn_unix.go; elsewhere every
// reply goes through the connection's writer goroutine.
type rawWriter struct{}

func newRawWriter(net.Conn) *rawWriter { return nil }

func (w *rawWriter) tryWrite([]byte) (int, error) { return 0, nil }
