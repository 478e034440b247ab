// The API lists only weeks and months with merged PRs; the charts need every bucket of the range
// on their category axis, or quiet weeks vanish. All date math here is UTC (Date.UTC and ISO
// strings), never the browser's time zone: a Monday in Auckland is still a Sunday in UTC.

const DAY_MS = 24 * 60 * 60 * 1000
/** Bounds the loops at a century of weeks; past it only the rows the API sent are placed. */
const MAX_BUCKETS = 5300

/** `YYYY-MM-DD` to milliseconds at 00:00 UTC, or null when it is not a real day. */
export function parseDay(day) {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day ?? '')
  if (!match) return null
  const [year, month, date] = match.slice(1).map(Number)
  const ms = Date.UTC(year, month - 1, date)
  // Date.UTC rolls 2026-02-30 over to March: only a day that maps back to itself is real.
  return isoDay(ms) === day ? ms : null
}

/** Milliseconds (or a Date) to `YYYY-MM-DD` in UTC. */
export const isoDay = (ms) => new Date(ms).toISOString().slice(0, 10)

/** The Monday (00:00 UTC) of the ISO week holding `ms`. */
export function mondayOf(ms) {
  const daysSinceMonday = (new Date(ms).getUTCDay() + 6) % 7
  return ms - daysSinceMonday * DAY_MS
}

/** Every week start (`YYYY-MM-DD`, a Monday) whose week overlaps `from..to`, oldest first. */
export function weekStarts(from, to) {
  const first = parseDay(from)
  const last = parseDay(to)
  if (first === null || last === null || first > last) return []
  const weeks = []
  for (let ms = mondayOf(first); ms <= last && weeks.length < MAX_BUCKETS; ms += 7 * DAY_MS) {
    weeks.push(isoDay(ms))
  }
  return weeks
}

/** Every calendar month (`YYYY-MM`, UTC) that overlaps `from..to`, oldest first. */
export function monthsBetween(from, to) {
  const first = parseDay(from)
  const last = parseDay(to)
  if (first === null || last === null || first > last) return []
  const start = new Date(first)
  const end = new Date(last)
  const months = []
  let year = start.getUTCFullYear()
  let month = start.getUTCMonth()
  while ((year < end.getUTCFullYear() || (year === end.getUTCFullYear() && month <= end.getUTCMonth()))
    && months.length < MAX_BUCKETS) {
    months.push(`${String(year).padStart(4, '0')}-${String(month + 1).padStart(2, '0')}`)
    month += 1
    if (month === 12) {
      month = 0
      year += 1
    }
  }
  return months
}

/**
 * `rows` (keyed by `key`) placed on every bucket of `buckets`; a bucket the API did not list gets
 * `empty(bucket)`. A row outside `buckets` (it should not happen) is kept, in order, so nothing
 * the API sent is ever hidden.
 */
export function fillBuckets(rows, key, buckets, empty) {
  const byBucket = new Map(rows.map((row) => [row[key], row]))
  const all = [...new Set([...buckets, ...byBucket.keys()])].sort()
  return all.map((bucket) => byBucket.get(bucket) ?? empty(bucket))
}

/** The velocity response's weeks with every week of its range, quiet weeks at zero. */
export const fillWeeks = (velocity) =>
  fillBuckets(velocity.weeks, 'week_start', weekStarts(velocity.from, velocity.to), (week_start) => ({
    week_start, prs_merged: 0, weighted_prs_merged: 0, avg_cycle_time_hours: null, empty: true,
  }))

/** The lead-time response's months with every month of its range, quiet months without values. */
export const fillMonths = (leadTime) =>
  fillBuckets(leadTime.months, 'month', monthsBetween(leadTime.from, leadTime.to), (month) => ({
    month, prs_merged: 0, median_lead_time_hours: null, p95_lead_time_hours: null, empty: true,
  }))
