// Package conventions holds no code: its tests check house rules across the
// module's source that no compiler or vet check enforces (one slog key for
// errors, snake_case keys, imports that go down the design's layers).
package conventions
