//go:build race

package bots

// raceEnabled: the race detector slows the platform simulation about
// fivefold; it simulates fewer days then (see ciSimulation).
const raceEnabled = true
