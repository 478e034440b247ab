import { expect, test } from 'vitest'
import { fillMonths, fillWeeks } from './buckets.js'
import { leadTimeOption, velocityOption } from './charts.js'
import { palette } from './palette.js'

test('velocity plots every week: quiet ones at zero PRs and without a cycle time', () => {
  const weeks = fillWeeks({
    from: '2026-01-05', to: '2026-01-18',
    weeks: [{ week_start: '2026-01-12', prs_merged: 3, weighted_prs_merged: 2.5, avg_cycle_time_hours: 7.256 }],
  })
  const option = velocityOption(weeks)
  expect(option.xAxis.data).toEqual(['2026-01-05', '2026-01-12'])
  const [prs, weighted, cycle] = option.series
  expect(prs).toMatchObject({ name: 'PRs merged', type: 'bar', data: [0, 3], itemStyle: { color: palette.prs } })
  expect(weighted.data).toEqual([0, 2.5])
  expect(cycle).toMatchObject({ name: 'Avg cycle time (h)', type: 'line', yAxisIndex: 1, data: [null, 7.26] })
  expect(option.animation).toBe(false)
})

test('lead time plots median and p95 apart in style as well as colour, quiet months empty', () => {
  const months = fillMonths({
    from: '2026-01-01', to: '2026-02-28',
    months: [{ month: '2026-02', prs_merged: 4, median_lead_time_hours: 10.004, p95_lead_time_hours: 30 }],
  })
  const option = leadTimeOption(months)
  expect(option.xAxis.data).toEqual(['2026-01', '2026-02'])
  const [median, p95] = option.series
  expect(median).toMatchObject({ name: 'Median', symbol: 'circle', data: [null, 10] })
  expect(p95).toMatchObject({ name: 'p95', symbol: 'triangle', data: [null, 30], lineStyle: { type: 'dashed' } })
})
