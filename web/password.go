package web

import (
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"

	"golang.org/x/crypto/argon2"
	"golang.org/x/crypto/bcrypt"
)

// HashPassword hashes a dashboard password for the config file
// (`fanfare users hash-password`). It uses bcrypt at cost 12.
func HashPassword(pw string) (string, error) {
	if pw == "" {
		return "", errors.New("web: password is empty")
	}
	if len(pw) > 72 {
		// bcrypt ignores what follows byte 72; refusing beats silently weakening.
		return "", errors.New("web: password is longer than 72 bytes, bcrypt's limit")
	}
	h, err := bcrypt.GenerateFromPassword([]byte(pw), 12)
	if err != nil {
		return "", fmt.Errorf("web: unable to hash password: %w", err)
	}
	return string(h), nil
}

// Bounds of the argon2id parameters a configured hash may ask for: every
// login attempt, even for an unknown name, pays for one hash, so a hash
// asking for gigabytes is a way to exhaust the host. The upper bounds are
// several times the recommended costs (RFC 9106: m=64 MiB, t=3, p=4; OWASP:
// m=19 MiB, t=2, p=1).
const (
	argon2MinMemory  = 8 << 10   // KiB: 8 MiB
	argon2MaxMemory  = 256 << 10 // KiB: 256 MiB
	argon2MaxTime    = 10
	argon2MaxThreads = 16
	argon2MaxSalt    = 64
	argon2MaxKey     = 64
	bcryptMaxCost    = 14
)

// dummyHash is compared against when the name is unknown, so that an
// unknown name costs what a known one does and names cannot be told apart
// by timing. It is a bcrypt hash at HashPassword's cost (12) of a random
// password nobody knows; it never matches anything sent.
const dummyHash = "$2a$12$XhiesrwCCcKpiDPgi7b80.ds6knguqjLUB59vfcyTuuCDnTwyw4qC"

// CheckPasswordHash validates a configured hash: its form, and costs within
// bounds (`fanfare config check` and the server both call it).
func CheckPasswordHash(h string) error { return checkPasswordHash(h) }

// checkPasswordHash validates the form of a configured hash.
func checkPasswordHash(h string) error {
	switch {
	case strings.HasPrefix(h, "$argon2id$"):
		_, err := parseArgon2id(h)
		return err
	case strings.HasPrefix(h, "$2a$"), strings.HasPrefix(h, "$2b$"), strings.HasPrefix(h, "$2y$"):
		cost, err := bcrypt.Cost([]byte(h))
		if err != nil {
			return fmt.Errorf("password_hash is not a valid bcrypt hash: %w", err)
		}
		if cost > bcryptMaxCost {
			return fmt.Errorf("password_hash: bcrypt cost %d is above %d: every login would take seconds", cost, bcryptMaxCost)
		}
		return nil
	}
	return errors.New("password_hash must be a bcrypt ($2b$...) or argon2id ($argon2id$...) hash; make one with `fanfare users hash-password`")
}

// verifyPassword reports whether pw matches hash, in time independent of
// where the two differ.
func verifyPassword(hash, pw string) bool {
	if strings.HasPrefix(hash, "$argon2id$") {
		a, err := parseArgon2id(hash)
		if err != nil {
			return false
		}
		got := argon2.IDKey([]byte(pw), a.salt, a.time, a.memory, a.threads, uint32(len(a.key)))
		return subtle.ConstantTimeCompare(got, a.key) == 1
	}
	return bcrypt.CompareHashAndPassword([]byte(hash), []byte(pw)) == nil
}

type argon2idHash struct {
	memory  uint32
	time    uint32
	threads uint8
	salt    []byte
	key     []byte
}

// parseArgon2id reads the PHC string form "$argon2id$v=19$m=65536,t=3,p=4$salt$key"
// written by the reference implementation and most password tools.
func parseArgon2id(h string) (argon2idHash, error) {
	var a argon2idHash
	parts := strings.Split(h, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return a, errors.New("password_hash: argon2id hash must look like $argon2id$v=19$m=...,t=...,p=...$salt$key")
	}
	var version int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return a, fmt.Errorf("password_hash: argon2id version %q is not v=%d", parts[2], argon2.Version)
	}
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &a.memory, &a.time, &a.threads); err != nil {
		return a, fmt.Errorf("password_hash: argon2id parameters %q: %w", parts[3], err)
	}
	if a.memory < argon2MinMemory || a.memory > argon2MaxMemory || a.time == 0 || a.time > argon2MaxTime ||
		a.threads == 0 || a.threads > argon2MaxThreads {
		return a, fmt.Errorf("password_hash: argon2id parameters %q are out of range: m from %d to %d (KiB), t from 1 to %d, p from 1 to %d",
			parts[3], argon2MinMemory, argon2MaxMemory, argon2MaxTime, argon2MaxThreads)
	}
	var err error
	if a.salt, err = base64.RawStdEncoding.DecodeString(parts[4]); err != nil || len(a.salt) < 8 || len(a.salt) > argon2MaxSalt {
		return a, fmt.Errorf("password_hash: argon2id salt is not base64 of 8 to %d bytes", argon2MaxSalt)
	}
	if a.key, err = base64.RawStdEncoding.DecodeString(parts[5]); err != nil || len(a.key) < 16 || len(a.key) > argon2MaxKey {
		return a, fmt.Errorf("password_hash: argon2id key is not base64 of 16 to %d bytes", argon2MaxKey)
	}
	return a, nil
}
