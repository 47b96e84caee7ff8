//go:build !race

package impact

const raceSlowdown = 1
