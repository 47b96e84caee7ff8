package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"unicode/utf8"

	"github.com/fanfarehq/fanfare/web"
	"golang.org/x/term"
)

const usageUsersHashPassword = "[-password-stdin]"

// minPasswordLen is the shortest dashboard password accepted, in characters.
const minPasswordLen = 10

// cmdUsersHashPassword prints a password hash for the configuration file. The
// password comes from stdin when asked (-password-stdin) or when stdin is not a
// terminal (a pipe, a secret manager); at a terminal it is typed twice without
// echo. It is never put on the command line, where ps and shell history see it.
func cmdUsersHashPassword(_ context.Context, c *cli, args []string) error {
	fs := c.flags("users hash-password", usageUsersHashPassword)
	fromStdin := fs.Bool("password-stdin", false, "read the password from stdin (one trailing line break is dropped)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return errUsage
	}
	var pw string
	var err error
	if *fromStdin || !isTerminal(c.stdin) {
		pw, err = readPasswordFrom(c.stdin)
	} else {
		pw, err = promptPassword()
	}
	if err != nil {
		return err
	}
	if n := utf8.RuneCountInString(pw); n < minPasswordLen {
		return fmt.Errorf("the password has %d characters; use at least %d", n, minPasswordLen)
	}
	h, err := web.HashPassword(pw)
	if err != nil {
		return err
	}
	fmt.Fprintln(c.stdout, h)
	return nil
}

// maxPasswordInput bounds what is read from stdin: far above bcrypt's 72 bytes,
// so that a too-long password is refused by name rather than cut.
const maxPasswordInput = 4096

func readPasswordFrom(r io.Reader) (string, error) {
	b, err := io.ReadAll(io.LimitReader(r, maxPasswordInput+1))
	if err != nil {
		return "", fmt.Errorf("unable to read the password from stdin: %w", err)
	}
	if len(b) > maxPasswordInput {
		return "", fmt.Errorf("stdin holds more than %d bytes: not a password", maxPasswordInput)
	}
	pw := strings.TrimSuffix(strings.TrimSuffix(string(b), "\n"), "\r")
	if strings.ContainsAny(pw, "\r\n") {
		return "", errors.New("the password on stdin spans several lines")
	}
	if pw == "" {
		return "", errors.New("no password on stdin")
	}
	return pw, nil
}

// promptPassword asks on the controlling terminal, twice, without echo.
func promptPassword() (string, error) {
	tty, err := os.OpenFile("/dev/tty", os.O_RDWR, 0)
	if err != nil {
		return "", fmt.Errorf("no terminal to ask the password on (use -password-stdin): %w", err)
	}
	defer tty.Close()
	ask := func(prompt string) (string, error) {
		fmt.Fprint(tty, prompt)
		b, err := term.ReadPassword(int(tty.Fd()))
		fmt.Fprintln(tty)
		if err != nil {
			return "", fmt.Errorf("unable to read the password: %w", err)
		}
		return string(b), nil
	}
	pw, err := ask("Password: ")
	if err != nil {
		return "", err
	}
	again, err := ask("Again: ")
	if err != nil {
		return "", err
	}
	if pw != again {
		return "", errors.New("the two passwords differ")
	}
	return pw, nil
}
