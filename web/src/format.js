// How the tables write numbers, weights and instants.

/** A number with `digits` decimals, or an en dash when there is none. */
export const fmt = (x, digits = 1) => (x === null || x === undefined ? '–' : Number(x).toFixed(digits))

/** A membership weight (0–1) as a percentage without trailing zeros. */
export const percent = (weight) => `${+(weight * 100).toFixed(1)} %`

/** Memberships usually start on a day; show the time only when there is one. */
export const when = (instant) =>
  /T00:00:00(\.0+)?(Z|\+00:00)$/.test(instant) ? instant.slice(0, 10) : `${instant.slice(0, 10)} ${instant.slice(11, 16)} UTC`
