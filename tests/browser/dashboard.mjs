// Drives the dashboard served at BASE_URL in headless Chromium, by keyboard where a person would,
// and checks what a person sees: a wrong key shows the error state; the right key shows the
// teams; while a team loads its old charts are gone and the page says it is loading; an answer
// that arrives late for an earlier choice never replaces the last one; the charts plot every week
// and month of the range (quiet ones at zero or empty) and the tables and members equal the
// API's; text and controls meet WCAG contrast; the page fits a laptop screen; no data, API down
// and an unknown team are explained. Writes screenshots and prints one JSON line with the
// dashboard's load time (navigation start to both charts drawn).
//
// BASE_URL may have a path (an API Gateway stage, http://host/prod): the page's URLs are relative
// to it, and the stage's URL without the final slash must lead to the page too.
//
// Usage: node dashboard.mjs  (env: BASE_URL, API_KEY, TEAM_ID, FROM, TO, OUTPUT_DIR, CHROMIUM)
import assert from 'node:assert/strict'
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
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
const selection = `${teamId}|${from}|${to}`
/** The path the API lives under: '' for `dorameter serve`, '/prod' behind an API Gateway stage. */
const basePath = new URL(base).pathname.replace(/\/$/, '')

const api = async (path) => {
  const response = await fetch(`${base}${path}`, { headers: { 'x-api-key': key } })
  assert.equal(response.status, 200, `${path} answered ${response.status}`)
  return response.json()
}

// The expected buckets, computed here independently of the app: UTC Mondays and months.
const DAY_MS = 86_400_000
const utcDay = (day) => Date.parse(`${day}T00:00:00Z`)
function mondays(first, last) {
  const start = utcDay(first) - ((new Date(utcDay(first)).getUTCDay() + 6) % 7) * DAY_MS
  const out = []
  for (let ms = start; ms <= utcDay(last) && out.length < 1000; ms += 7 * DAY_MS) {
    out.push(new Date(ms).toISOString().slice(0, 10))
  }
  return out
}
function months(first, last) {
  const out = []
  for (let ms = utcDay(first.slice(0, 8) + '01'); ms <= utcDay(last) && out.length < 1000;) {
    const d = new Date(ms)
    out.push(d.toISOString().slice(0, 7))
    ms = Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1)
  }
  return out
}
const round2 = (x) => +x.toFixed(2)

// WCAG relative luminance and contrast of CSS rgb()/rgba() or #rrggbb colours.
function rgb(color) {
  const hex = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(color)
  if (hex) return hex.slice(1).map((h) => parseInt(h, 16))
  const parts = /rgba?\(([^)]+)\)/.exec(color)
  assert.ok(parts, `not a colour: ${color}`)
  return parts[1].split(/[ ,/]+/).slice(0, 3).map(Number)
}
function luminance(color) {
  const [r, g, b] = rgb(color).map((c) => {
    const s = c / 255
    return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4
  })
  return 0.2126 * r + 0.7152 * g + 0.0722 * b
}
function contrast(a, b) {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x)
  return (hi + 0.05) / (lo + 0.05)
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
})
try {
  // A zone west of UTC: a page that used local dates would put Sunday where Monday belongs.
  const context = await browser.newContext({
    viewport: { width: 1366, height: 768 }, timezoneId: 'America/Los_Angeles', locale: 'en-US',
  })
  const page = await context.newPage()
  const consoleErrors = []
  page.on('console', (m) => m.type() === 'error' && !/\b40[13]\b/.test(m.text()) && consoleErrors.push(m.text()))
  page.on('pageerror', (e) => consoleErrors.push(String(e)))

  // In the page: each visible element's own text and colours, each control's and the focused
  // element's colours, every one against the background actually behind it.
  const measure = () => page.evaluate(() => {
    const opaque = (c) => c && c !== 'transparent' && !/rgba\([^)]*,\s*0\)$/.test(c)
    const behind = (el) => {
      for (let e = el; e; e = e.parentElement) {
        const bg = getComputedStyle(e).backgroundColor
        if (opaque(bg)) return bg
      }
      return 'rgb(255, 255, 255)'
    }
    const visible = (el) => el.getClientRects().length > 0 && getComputedStyle(el).visibility !== 'hidden'
    const texts = []
    for (const el of document.querySelectorAll('body *')) {
      // Charts are measured by their series colours; disabled controls are exempt (WCAG).
      if (!visible(el) || el.closest('.chart') || el.closest(':disabled')) continue
      const own = [...el.childNodes].some((n) => n.nodeType === Node.TEXT_NODE && n.textContent.trim())
      if (!own) continue
      const style = getComputedStyle(el)
      const px = parseFloat(style.fontSize)
      const large = px >= 24 || (px >= 18.66 && Number(style.fontWeight) >= 700)
      texts.push({ text: el.textContent.trim().slice(0, 40), color: style.color, background: behind(el), large })
    }
    const controls = [...document.querySelectorAll('input, select, button')].filter(visible).map((el) => {
      const style = getComputedStyle(el)
      return {
        name: el.id || el.dataset.testid || el.textContent.trim(),
        border: style.borderTopColor, fill: style.backgroundColor, outside: behind(el.parentElement),
      }
    })
    const active = document.activeElement
    const focus = active && active !== document.body ? {
      name: active.id || active.dataset.testid || active.textContent.trim(),
      outline: getComputedStyle(active).outlineColor,
      style: getComputedStyle(active).outlineStyle,
      width: parseFloat(getComputedStyle(active).outlineWidth),
      outside: behind(active.parentElement),
    } : null
    return { texts, controls, focus }
  })
  const opaqueFill = (c) => !/rgba\([^)]*,\s*0\)$/.test(c)
  const checkContrast = async (where) => {
    const { texts, controls } = await measure()
    assert.ok(texts.length > 0, `${where}: no text measured`)
    for (const t of texts) {
      const need = t.large ? 3 : 4.5
      assert.ok(contrast(t.color, t.background) >= need,
        `${where}: "${t.text}" is ${contrast(t.color, t.background).toFixed(2)}:1 (${t.color} on ${t.background}), needs ${need}:1`)
    }
    for (const c of controls) {
      const seen = Math.max(contrast(c.border, c.outside), opaqueFill(c.fill) ? contrast(c.fill, c.outside) : 0)
      assert.ok(seen >= 3, `${where}: control "${c.name}" edge is ${seen.toFixed(2)}:1 against ${c.outside}, needs 3:1`)
    }
  }
  const checkFocusRing = async (where) => {
    const { focus } = await measure()
    assert.ok(focus, `${where}: nothing focused`)
    assert.notEqual(focus.style, 'none', `${where}: ${focus.name} has no focus outline`)
    assert.ok(focus.width >= 2, `${where}: ${focus.name} focus outline is ${focus.width}px`)
    assert.ok(contrast(focus.outline, focus.outside) >= 3,
      `${where}: ${focus.name} focus outline ${focus.outline} on ${focus.outside} is ${contrast(focus.outline, focus.outside).toFixed(2)}:1`)
  }
  const focused = () => page.evaluate(() => document.activeElement?.id || document.activeElement?.dataset.testid || '')
  // Tab (bounded) until `target` (an id or data-testid) has the focus; returns the presses.
  const tabTo = async (target, max = 25) => {
    for (let presses = 1; presses <= max; presses += 1) {
      await page.keyboard.press('Tab')
      if (await focused() === target) return presses
    }
    throw new Error(`${target} not reached with ${max} Tab presses (focus is on "${await focused()}")`)
  }

  // The bare base URL (a stage without its slash) leads to the page.
  await page.goto(base)
  assert.equal(page.url(), `${base}/`)
  await page.getByLabel('API key').waitFor()

  // Wrong key, typed: Tab from the top of the page to the key field, type, Enter.
  await tabTo('api-key')
  await checkFocusRing('key field')
  await page.keyboard.type('not-the-key')
  await page.keyboard.press('Enter')
  const error = page.getByTestId('error')
  await error.waitFor()
  // 401 from dorameter, 403 from API Gateway in front of it.
  assert.match(await error.textContent(), /API key was rejected \(40[13]\)/)
  await checkContrast('error state')

  // Right key: the field still has the focus; replace its text and press Enter.
  assert.equal(await focused(), 'api-key')
  await page.keyboard.press('Control+A')
  await page.keyboard.type(key)
  await page.keyboard.press('Enter')
  await page.getByTestId('team').waitFor()
  await page.waitForFunction(() => document.activeElement?.dataset.testid === 'team')

  // Choose another team with the arrow keys and show it for FROM..TO: its charts are drawn.
  const picker = page.getByTestId('team')
  const options = await picker.locator('option').evaluateAll((os) => os.map((o) => o.value))
  assert.ok(options.length >= 2 && options.includes(teamId), `teams ${options} include ${teamId}`)
  const detour = options[options.indexOf(teamId) === 0 ? 1 : 0]
  const arrowTo = async (value) => {
    const steps = options.indexOf(value) - options.indexOf(await picker.inputValue())
    for (let i = 0; i < Math.abs(steps); i += 1) await page.keyboard.press(steps > 0 ? 'ArrowDown' : 'ArrowUp')
    assert.equal(await picker.inputValue(), value)
  }
  await arrowTo(detour)
  await page.getByTestId('from').fill(from)
  await page.getByTestId('to').fill(to)
  await page.getByTestId('show').press('Enter')
  await page.locator(`[data-testid=velocity-chart][data-rendered="${detour}|${from}|${to}"]`).waitFor({ timeout: 30_000 })

  // From now on every answer but the final choice's comes 2 s late, and the final one 0.6 s
  // late: a stale answer would land last if the page let it, and the loading state shows.
  await page.route('**/metrics/team/**', async (route) => {
    const url = new URL(route.request().url())
    const final = url.pathname.startsWith(`${basePath}/metrics/team/${teamId}/`)
      && url.searchParams.get('from') === from && url.searchParams.get('to') === to
    await sleep(final ? 600 : 2000)
    await route.continue().catch(() => {}) // the page may have cancelled it meanwhile
  })

  // Another range for the detour team: while it loads, the page says so and the charts of the
  // range before are gone.
  const weekEarlier = new Date(utcDay(from) - 7 * DAY_MS).toISOString().slice(0, 10)
  await page.getByTestId('from').fill(weekEarlier)
  await page.getByTestId('show').press('Enter')
  await page.waitForFunction(() => document.querySelector('[data-testid=results]')?.getAttribute('aria-busy') === 'true')
  assert.match(await page.getByTestId('status').textContent(), /^Loading .+, \d{4}-\d{2}-\d{2} to \d{4}-\d{2}-\d{2}…$/)
  assert.equal(await page.locator('.chart').count(), 0, 'the earlier charts stay up while loading')

  // From the top of the page, Tab reaches the team picker; the arrow keys pick the team (which
  // loads it for the week-earlier range: stale too), then FROM, Tab to Show, Enter.
  await page.locator('h1').click()
  const tabsToTeam = await tabTo('team', 10)
  await checkFocusRing('team picker')
  await arrowTo(teamId)
  await page.getByTestId('from').fill(from)
  await tabTo('show', 10)
  await checkFocusRing('show button')
  const answered = (route) => page.waitForResponse((r) => {
    const url = new URL(r.url())
    return url.pathname === `${basePath}/metrics/team/${teamId}/${route}`
      && url.searchParams.get('from') === from && url.searchParams.get('to') === to
  }, { timeout: 30_000 })
  const velocityAnswer = answered('velocity')
  const leadTimeAnswer = answered('lead-time')
  await page.keyboard.press('Enter')
  assert.equal((await velocityAnswer).status(), 200)
  assert.equal((await leadTimeAnswer).status(), 200)
  const results = page.locator(`[data-testid=results][data-loaded="${selection}"][aria-busy=false]`)
  await results.waitFor({ timeout: 30_000 })
  await page.locator(`[data-testid=velocity-chart][data-rendered="${selection}"]`).waitFor()
  await page.locator(`[data-testid=lead-time-chart][data-rendered="${selection}"]`).waitFor()
  // The late answers for the detour arrive now; they must not replace what is shown.
  await sleep(2500)
  assert.equal(await results.count(), 1, 'a late answer replaced the final choice')
  assert.equal(await page.getByTestId('status').textContent(), '')
  await page.unroute('**/metrics/team/**')

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

  // What ECharts plotted: every UTC week and month of the range, the API's numbers where it has
  // them, zero PRs (and no cycle time) or no lead time elsewhere.
  const plotted = async (testId) => JSON.parse(await page.getByTestId(testId).getAttribute('data-plotted'))
  const weekChart = await plotted('velocity-chart')
  const weeks = mondays(from, to)
  assert.deepEqual(weekChart.categories, weeks)
  const byWeek = new Map(velocity.weeks.map((w) => [w.week_start, w]))
  const series = (chart, name) => chart.series.find((s) => s.name === name)
  assert.deepEqual(series(weekChart, 'PRs merged').data, weeks.map((w) => byWeek.get(w)?.prs_merged ?? 0))
  assert.deepEqual(series(weekChart, 'Weighted PRs').data, weeks.map((w) => byWeek.get(w)?.weighted_prs_merged ?? 0))
  assert.deepEqual(series(weekChart, 'Avg cycle time (h)').data,
    weeks.map((w) => (byWeek.has(w) ? round2(byWeek.get(w).avg_cycle_time_hours) : null)))
  const monthChart = await plotted('lead-time-chart')
  const allMonths = months(from, to)
  assert.deepEqual(monthChart.categories, allMonths)
  const byMonth = new Map(leadTime.months.map((m) => [m.month, m]))
  assert.deepEqual(series(monthChart, 'Median').data,
    allMonths.map((m) => (byMonth.has(m) ? round2(byMonth.get(m).median_lead_time_hours) : null)))
  assert.deepEqual(series(monthChart, 'p95').data,
    allMonths.map((m) => (byMonth.has(m) ? round2(byMonth.get(m).p95_lead_time_hours) : null)))
  for (const s of [...weekChart.series, ...monthChart.series]) {
    assert.ok(contrast(s.color, '#ffffff') >= 3, `series ${s.name} ${s.color} is ${contrast(s.color, '#ffffff').toFixed(2)}:1 on white`)
  }
  // And drawn: the canvas holds pixels of the first series' colour.
  for (const [testId, color] of [['velocity-chart', weekChart.series[0].color], ['lead-time-chart', monthChart.series[0].color]]) {
    const [r, g, b] = rgb(color)
    const pixels = await page.getByTestId(testId).locator('canvas').first().evaluate((canvas, [r, g, b]) => {
      const { data } = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height)
      let n = 0
      for (let i = 0; i < data.length; i += 4) {
        if (Math.abs(data[i] - r) < 8 && Math.abs(data[i + 1] - g) < 8 && Math.abs(data[i + 2] - b) < 8 && data[i + 3] > 200) n += 1
      }
      return n
    }, [r, g, b])
    assert.ok(pixels > 100, `${testId} drew ${pixels} pixels of ${color}`)
  }

  // Members of the team today, with weights and dates as /teams has them.
  const teams = await api('/teams')
  const team = teams.teams.find((t) => t.id === teamId)
  const when = (instant) => (/T00:00:00(\.0+)?(Z|\+00:00)$/.test(instant)
    ? instant.slice(0, 10) : `${instant.slice(0, 10)} ${instant.slice(11, 16)} UTC`)
  assert.deepEqual(await rows('members'), team.members.map((m) => [
    m.github, `${+(m.weight * 100).toFixed(1)} %`, when(m.joined_at), m.left_at ? when(m.left_at) : '—']))

  // Hovering a chart shows its tooltip (styled inline by ECharts, which the page's CSP allows).
  const velocityChart = page.getByTestId('velocity-chart')
  const box = await velocityChart.boundingBox()
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2)
  await page.waitForFunction(() => [...document.querySelectorAll('.chart div')]
    .some((el) => el.style.display !== 'none' && /PRs merged/.test(el.textContent)))

  // The key stays in session storage, never in the URL (which keeps the team and range) nor in
  // local storage.
  assert.equal(page.url().includes(key), false)
  assert.equal(await page.evaluate(() => localStorage.length), 0)
  assert.equal(new URL(page.url()).hash, `#team=${teamId}&from=${from}&to=${to}`)
  assert.equal(await page.evaluate(() => sessionStorage.getItem('dorameter.apiKey')), key)

  for (const summary of await page.getByText('Numbers', { exact: true }).all()) await summary.click()
  await checkContrast('charts and tables')
  await page.screenshot({ path: join(outputDir, 'dashboard.png'), fullPage: true })

  // A small laptop screen: nothing wider than the window.
  await page.setViewportSize({ width: 1024, height: 700 })
  await sleep(200)
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth)
  assert.ok(overflow <= 0, `the page is ${overflow}px wider than a 1024px window`)
  await page.screenshot({ path: join(outputDir, 'dashboard-1024.png'), fullPage: true })
  await page.setViewportSize({ width: 1366, height: 768 })

  // Load time: reload (the key is in session storage, the team and range in the URL) and take
  // navigation start to both charts drawn, as the page records it (performance.now()).
  const loads = []
  for (let i = 0; i < 3; i += 1) {
    await page.reload()
    await page.locator(`[data-testid=velocity-chart][data-rendered="${selection}"]`).waitFor({ timeout: 30_000 })
    await page.locator(`[data-testid=lead-time-chart][data-rendered="${selection}"]`).waitFor({ timeout: 30_000 })
    loads.push(await page.evaluate(() => Math.max(...[...document.querySelectorAll('[data-rendered-at]')]
      .map((el) => Number(el.dataset.renderedAt)))))
  }
  const domContentLoadedMs = await page.evaluate(() =>
    Math.round(performance.getEntriesByType('navigation')[0].domContentLoadedEventEnd))

  // Empty and error states, each explained: a range without PRs, an API that does not answer,
  // a team the API no longer knows.
  await page.goto(`${base}/#team=${teamId}&from=2001-01-01&to=2001-01-31`)
  await page.reload()
  assert.match(await page.getByTestId('no-prs').textContent(), /run dorameter sync/)
  await page.route('**/teams', (route) => route.abort('connectionrefused'))
  await page.reload()
  assert.match(await page.getByTestId('error').textContent(),
    new RegExp(`^The API at ${base.replace(/[.]/g, '\\.')}/ did not answer`))
  await page.unroute('**/teams')
  await page.route('**/metrics/team/**', (route) => route.fulfill({
    status: 404, contentType: 'application/json',
    body: JSON.stringify({ error: { code: 'not_found', message: `no team ${teamId}` } }),
  }))
  await page.reload()
  assert.match(await page.getByTestId('error').textContent(), new RegExp(`does not know the team “${teamId}” \\(404\\)`))
  await page.getByRole('button', { name: 'Reload teams' }).waitFor()
  await page.unroute('**/metrics/team/**')
  consoleErrors.splice(0, consoleErrors.length, ...consoleErrors.filter((e) => !/\b404\b|ERR_CONNECTION_REFUSED/.test(e)))

  assert.deepEqual(consoleErrors, [])
  const sorted = [...loads].sort((a, b) => a - b)
  console.log(JSON.stringify({
    ok: true, load_ms: sorted[1], load_ms_runs: loads, dom_content_loaded_ms: domContentLoadedMs,
    tabs_to_team_picker: tabsToTeam, weeks: weeks.length, weeks_with_prs: shownWeeks.length,
    months: allMonths.length, months_with_prs: shownMonths.length,
  }))
} finally {
  await browser.close()
}
