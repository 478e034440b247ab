// The ECharts options of the two charts, built from every bucket of the range (buckets.js).
import { palette } from './palette.js'

const round2 = (x) => (x === null ? null : +x.toFixed(2))
const axisText = { color: palette.axisText }

/** Weekly PRs merged and weighted PRs as bars, average cycle time as a line on a second axis. */
export function velocityOption(weeks) {
  return {
    animation: false,
    tooltip: { trigger: 'axis' },
    legend: { top: 0, textStyle: axisText },
    grid: { left: 48, right: 56, top: 40, bottom: 32 },
    xAxis: { type: 'category', data: weeks.map((w) => w.week_start), axisLabel: axisText },
    yAxis: [
      { type: 'value', name: 'PRs', minInterval: 1, axisLabel: axisText, nameTextStyle: axisText },
      { type: 'value', name: 'hours', splitLine: { show: false }, axisLabel: axisText, nameTextStyle: axisText },
    ],
    series: [
      { name: 'PRs merged', type: 'bar', data: weeks.map((w) => w.prs_merged), itemStyle: { color: palette.prs } },
      { name: 'Weighted PRs', type: 'bar', data: weeks.map((w) => w.weighted_prs_merged), itemStyle: { color: palette.weighted } },
      {
        name: 'Avg cycle time (h)', type: 'line', yAxisIndex: 1, showSymbol: true, showAllSymbol: true,
        data: weeks.map((w) => round2(w.avg_cycle_time_hours)),
        itemStyle: { color: palette.cycle }, lineStyle: { color: palette.cycle, width: 2 },
      },
    ],
  }
}

/** Monthly median and p95 lead time as two lines. */
export function leadTimeOption(months) {
  return {
    animation: false,
    tooltip: { trigger: 'axis' },
    legend: { top: 0, textStyle: axisText },
    grid: { left: 56, right: 24, top: 40, bottom: 32 },
    xAxis: { type: 'category', data: months.map((m) => m.month), axisLabel: axisText },
    yAxis: { type: 'value', name: 'hours', axisLabel: axisText, nameTextStyle: axisText },
    // Median and p95 differ in line style and marker too, not only in colour.
    series: [
      {
        name: 'Median', type: 'line', showSymbol: true, symbol: 'circle', symbolSize: 7,
        data: months.map((m) => round2(m.median_lead_time_hours)),
        itemStyle: { color: palette.median }, lineStyle: { color: palette.median, width: 2 },
      },
      {
        name: 'p95', type: 'line', showSymbol: true, symbol: 'triangle', symbolSize: 9,
        data: months.map((m) => round2(m.p95_lead_time_hours)),
        itemStyle: { color: palette.p95 }, lineStyle: { color: palette.p95, width: 2, type: 'dashed' },
      },
    ],
  }
}
