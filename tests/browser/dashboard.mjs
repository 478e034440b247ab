// Drives the dashboard served at BASE_URL in headless Chromium and checks what a person sees:
// a wrong key shows the error state; the right key shows the teams, the charts render, and the
// numbers in the tables equal the API's for that team and range. Writes a screenshot.
//
// Usage: node dashboard.mjs  (env: BASE_URL, API_KEY, TEAM_ID, FROM, TO, OUTPUT_DIR, CHROMIUM)
import assert from 'node:assert/strict'
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { chromium } from 'playwright-core'

const env = (name) => {
  const value = process.env[name]
  if (!value) throw new Error(`${name} is not set`)
  return value
}
const base = env('BASE_URL')
const key = env('API_KEY')
const teamId = env('TEAM_ID')
const from = env('FROM')
const to = env('TO')
const outputDir = env('OUTPUT_DIR')
mkdirSync(outputDir, { recursive: true })

const api = async (path) => {
  const response = await fetch(`${base}${path}`, { headers: { 'x-api-key': key } })
  assert.equal(response.status, 200, `${path} answered ${response.status}`)
  return response.json()
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
})
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } })
  const consoleErrors = []
  page.on('console', (m) => m.type() === 'error' && !m.text().includes('401') && consoleErrors.push(m.text()))

  const started = Date.now()
  await page.goto(`${base}/`)
  await page.getByLabel('API key').waitFor()
  const loadMs = Date.now() - started

  // Wrong key: the error state explains it.
  await page.getByLabel('API key').fill('not-the-key')
  await page.getByRole('button', { name: 'Connect' }).click()
  const error = page.getByTestId('error')
  await error.waitFor()
  assert.match(await error.textContent(), /API key was rejected/)

  // Right key: teams load and the first team's charts render.
  await page.getByLabel('API key').fill(key)
  await page.getByRole('button', { name: 'Connect' }).click()
  await page.getByTestId('team').waitFor()
  await page.getByTestId('team').selectOption(teamId)
  await page.getByTestId('from').fill(from)
  await page.getByTestId('to').fill(to)
  await page.getByRole('button', { name: 'Show' }).click()
  await page.getByTestId('velocity-table').waitFor({ state: 'attached' })
  await page.getByTestId('lead-time-table').waitFor({ state: 'attached' })
  assert.equal(await page.locator('.chart canvas').count() >= 2, true, 'both charts draw a canvas')

  // The numbers shown equal the API's.
  const velocity = await api(`/metrics/team/${teamId}/velocity?from=${from}&to=${to}`)
  const leadTime = await api(`/metrics/team/${teamId}/lead-time?from=${from}&to=${to}`)
  const rows = async (testId) =>
    page.getByTestId(testId).locator('tbody tr').evaluateAll((trs) =>
      trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent.trim())))
  const shownWeeks = await rows('velocity-table')
  assert.deepEqual(shownWeeks, velocity.weeks.map((w) => [
    w.week_start, String(w.prs_merged), w.weighted_prs_merged.toFixed(2), w.avg_cycle_time_hours.toFixed(1)]))
  const shownMonths = await rows('lead-time-table')
  assert.deepEqual(shownMonths, leadTime.months.map((m) => [
    m.month, String(m.prs_merged), m.median_lead_time_hours.toFixed(1), m.p95_lead_time_hours.toFixed(1)]))
  assert.ok(shownWeeks.length > 0 && shownMonths.length > 0, 'the range has data')

  // Members of the team today, with weights.
  const teams = await api('/teams')
  const team = teams.teams.find((t) => t.id === teamId)
  const shownMembers = await rows('members')
  assert.deepEqual(shownMembers.map((r) => r[0]), team.members.map((m) => m.github))

  // Keyboard: the team picker is reachable with Tab.
  await page.keyboard.press('Tab')
  await page.getByTestId('team').focus()
  assert.equal(await page.evaluate(() => document.activeElement?.dataset.testid), 'team')

  // The key stays in session storage, never in the URL.
  assert.equal(page.url().includes(key), false)
  assert.equal(await page.evaluate(() => sessionStorage.getItem('dorameter.apiKey')), key)

  await page.getByText('Numbers').first().click()
  await page.screenshot({ path: join(outputDir, 'dashboard.png'), fullPage: true })
  assert.deepEqual(consoleErrors, [])
  console.log(JSON.stringify({ ok: true, load_ms: loadMs, weeks: shownWeeks.length, months: shownMonths.length }))
} finally {
  await browser.close()
}
