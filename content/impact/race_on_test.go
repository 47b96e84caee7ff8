//go:build race

package impact

// raceSlowdown shrinks the simulations under the race detector, which makes
// them ten times slower; the full size runs without it.
const raceSlowdown = 3
