// npm test (vitest): the buckets are UTC whatever the machine's time zone, so every test runs in
// zones west and east of UTC and across the date line.
import assert from 'node:assert/strict'
import { beforeAll, describe, test } from 'vitest'
import { fillMonths, fillWeeks, monthsBetween, mondayOf, parseDay, weekStarts } from './buckets.js'

const ZONES = ['UTC', 'America/Los_Angeles', 'Pacific/Kiritimati', 'Asia/Kolkata']

describe.each(ZONES)('in %s', (zone) => {
  beforeAll(() => {
    // Node applies a new TZ to Date at once.
    process.env.TZ = zone
    const offset = new Date(Date.UTC(2026, 0, 15)).getTimezoneOffset()
    assert.equal(offset, { UTC: 0, 'America/Los_Angeles': 480, 'Pacific/Kiritimati': -840, 'Asia/Kolkata': -330 }[zone])
  })

  test('a day parses to its UTC midnight and an impossible day to null', () => {
    assert.equal(parseDay('2026-03-29'), Date.UTC(2026, 2, 29))
    for (const bad of ['2026-02-30', '2026-13-01', '2026-1-01', '', null, undefined, '2026-03-29T00:00:00Z']) {
      assert.equal(parseDay(bad), null, String(bad))
    }
  })

  test('every day of a week maps to its Monday, across a month and a year boundary', () => {
    // 2025-12-29 is a Monday; the week runs to Sunday 2026-01-04.
    for (let day = 0; day < 7; day += 1) {
      assert.equal(new Date(mondayOf(Date.UTC(2025, 11, 29 + day))).toISOString(), '2025-12-29T00:00:00.000Z')
    }
    assert.equal(new Date(mondayOf(Date.UTC(2026, 0, 5))).toISOString(), '2026-01-05T00:00:00.000Z')
  })

  test('week starts cover the range from the Monday of its first day to the week of its last', () => {
    assert.deepEqual(weekStarts('2026-01-01', '2026-01-19'), ['2025-12-29', '2026-01-05', '2026-01-12', '2026-01-19'])
    assert.deepEqual(weekStarts('2026-01-05', '2026-01-05'), ['2026-01-05'])
    // Daylight-saving changes in any zone do not shift UTC weeks.
    assert.deepEqual(weekStarts('2026-03-23', '2026-04-06'), ['2026-03-23', '2026-03-30', '2026-04-06'])
    assert.deepEqual(weekStarts('2026-02-01', '2026-01-01'), [])
    assert.deepEqual(weekStarts('nonsense', '2026-01-01'), [])
  })

  test('months cover every calendar month the range touches, across a year boundary', () => {
    assert.deepEqual(monthsBetween('2025-11-30', '2026-02-01'), ['2025-11', '2025-12', '2026-01', '2026-02'])
    assert.deepEqual(monthsBetween('2026-01-31', '2026-01-31'), ['2026-01'])
    assert.deepEqual(monthsBetween('2026-03-01', '2026-02-28'), [])
  })

  test('a long range stays bounded', () => {
    assert.ok(weekStarts('1000-01-01', '9999-12-31').length === 5300)
    assert.ok(monthsBetween('1000-01-01', '9999-12-31').length === 5300)
  })

  test('quiet weeks are zero and the weeks the API listed are kept as they were', () => {
    const listed = { week_start: '2026-01-12', prs_merged: 3, weighted_prs_merged: 2.5, avg_cycle_time_hours: 7.25 }
    const weeks = fillWeeks({ from: '2026-01-01', to: '2026-01-19', weeks: [listed] })
    assert.deepEqual(weeks.map((w) => w.week_start), ['2025-12-29', '2026-01-05', '2026-01-12', '2026-01-19'])
    assert.equal(weeks[2], listed)
    assert.deepEqual(weeks[0], { week_start: '2025-12-29', prs_merged: 0, weighted_prs_merged: 0, avg_cycle_time_hours: null, empty: true })
  })

  test('quiet months have no percentiles, and a listed row outside the range is still shown', () => {
    const stray = { month: '2027-01', prs_merged: 1, median_lead_time_hours: 2, p95_lead_time_hours: 3 }
    const months = fillMonths({ from: '2026-11-15', to: '2026-12-02', months: [stray] })
    assert.deepEqual(months.map((m) => m.month), ['2026-11', '2026-12', '2027-01'])
    assert.equal(months[0].median_lead_time_hours, null)
    assert.equal(months[2], stray)
  })
})
