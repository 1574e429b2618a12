package difftest

import (
	"bufio"
	"net"
	"time"
)

// DefaultTimeout bounds each read and write of a Conn whose Timeout is zero.
const DefaultTimeout = 5 * time.Second

// Conn is a raw RESP client connection. It writes commands as RESP multibulk
// arrays and returns each reply as the exact bytes received. A Conn is not
// safe for concurrent use.
type Conn struct {
	nc net.Conn
	br *bufio.Reader
	// Timeout bounds every read and write; zero means DefaultTimeout.
	Timeout time.Duration
	wbuf    []byte
}

// Dial connects to addr over TCP within timeout (zero: DefaultTimeout).
func Dial(addr string, timeout time.Duration) (*Conn, error) {
	if timeout == 0 {
		timeout = DefaultTimeout
	}
	nc, err := net.DialTimeout("tcp", addr, timeout)
	if err != nil {
		return nil, err
	}
	return &Conn{nc: nc, br: bufio.NewReaderSize(nc, 64<<10), Timeout: timeout}, nil
}

func (c *Conn) timeout() time.Duration {
	if c.Timeout == 0 {
		return DefaultTimeout
	}
	return c.Timeout
}

// Send writes one command and does not wait for its reply; a later Read
// returns it.
func (c *Conn) Send(args ...string) error {
	c.wbuf = AppendCommand(c.wbuf[:0], args)
	if err := c.nc.SetWriteDeadline(time.Now().Add(c.timeout())); err != nil {
		return err
	}
	_, err := c.nc.Write(c.wbuf)
	return err
}

// Read reads one pending reply (the oldest unread one, or a push message)
// and returns its raw bytes. It fails with a timeout error (net.Error) if no
// complete reply arrives within Timeout.
func (c *Conn) Read() ([]byte, error) {
	raw, _, err := c.ReadValue()
	return raw, err
}

// ReadValue is Read that also returns the parsed reply.
func (c *Conn) ReadValue() ([]byte, Value, error) {
	if err := c.nc.SetReadDeadline(time.Now().Add(c.timeout())); err != nil {
		return nil, Value{}, err
	}
	return ReadReply(c.br)
}

// Do sends one command and reads its reply. Replies to earlier Sends must
// have been read first, or Do returns one of them instead.
func (c *Conn) Do(args ...string) ([]byte, error) {
	if err := c.Send(args...); err != nil {
		return nil, err
	}
	return c.Read()
}

// Buffered reports how many received bytes have not been returned yet.
func (c *Conn) Buffered() int { return c.br.Buffered() }

// Close closes the connection.
func (c *Conn) Close() error { return c.nc.Close() }

// peekBuffered returns the received bytes not yet read, without consuming them.
func peekBuffered(c *Conn) []byte {
	b, _ := c.br.Peek(c.br.Buffered())
	return b
}
