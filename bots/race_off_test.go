//go:build !race

package bots

// raceEnabled: see race_on_test.go.
const raceEnabled = false
