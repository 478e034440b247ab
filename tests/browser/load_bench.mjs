// Cold loads of the dashboard served at BASE_URL, compressed (the browser's own Accept-Encoding)
// against the same page asked for uncompressed (Accept-Encoding: identity), interleaved in one
// run, each in a fresh browser context (empty cache) with the key already in session storage:
// bytes on the wire (headers included, as Chromium counts them) and navigation start to both
// charts drawn, unthrottled and on an emulated 10 Mbit/s link with 40 ms latency.
// Prints one JSON line. Run by the ignored test `dashboard_load_benchmark` in
// crates/cli/tests/dashboard.rs.
//
// Usage: node load_bench.mjs  (env: BASE_URL, API_KEY, TEAM_ID, FROM, TO, RUNS=5, CHROMIUM)
import assert from 'node:assert/strict'
import { chromium } from 'playwright-core'

const env = (name, fallback) => {
  const value = process.env[name] ?? fallback
  if (value === undefined) throw new Error(`${name} is not set`)
  return value
}
const base = env('BASE_URL')
const key = env('API_KEY')
const selection = `${env('TEAM_ID')}|${env('FROM')}|${env('TO')}`
const runs = Number(env('RUNS', '5'))
const [team, from, to] = selection.split('|')

const LINKS = {
  unthrottled: null,
  '10mbit_40ms': { offline: false, latency: 40, downloadThroughput: 10e6 / 8, uploadThroughput: 5e6 / 8 },
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
})

/** One cold load: bytes per resource kind and the time until both charts are drawn. */
async function load(compressed, link) {
  const context = await browser.newContext({
    viewport: { width: 1366, height: 768 },
    extraHTTPHeaders: compressed ? {} : { 'Accept-Encoding': 'identity' },
  })
  await context.addInitScript((k) => sessionStorage.setItem('dorameter.apiKey', k), key)
  const page = await context.newPage()
  const cdp = await context.newCDPSession(page)
  await cdp.send('Network.enable')
  await cdp.send('Network.setCacheDisabled', { cacheDisabled: true })
  if (link) await cdp.send('Network.emulateNetworkConditions', link)
  const urls = new Map()
  const encodings = new Set()
  cdp.on('Network.responseReceived', (e) => {
    urls.set(e.requestId, new URL(e.response.url).pathname)
    const encoding = Object.entries(e.response.headers).find(([h]) => h.toLowerCase() === 'content-encoding')
    if (encoding) encodings.add(encoding[1])
  })
  const bytes = { page: 0, api: 0 }
  cdp.on('Network.loadingFinished', (e) => {
    const path = urls.get(e.requestId) ?? ''
    const kind = /\/(metrics|teams)/.test(path) ? 'api' : 'page'
    bytes[kind] += e.encodedDataLength
  })
  await page.goto(`${base}/#team=${team}&from=${from}&to=${to}`)
  for (const chart of ['velocity-chart', 'lead-time-chart']) {
    await page.locator(`[data-testid=${chart}][data-rendered="${selection}"]`).waitFor({ timeout: 60_000 })
  }
  const drawnMs = await page.evaluate(() => Math.max(...[...document.querySelectorAll('[data-rendered-at]')]
    .map((el) => Number(el.dataset.renderedAt))))
  await page.waitForLoadState('networkidle')
  await context.close()
  if (!compressed) assert.deepEqual([...encodings], [], 'identity asked, yet a response was encoded')
  else assert.ok(encodings.size > 0, 'nothing came compressed')
  return { drawnMs, bytes, encodings: [...encodings] }
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]
const report = {}
try {
  for (const [name, link] of Object.entries(LINKS)) {
    const results = { compressed: [], uncompressed: [] }
    // Interleaved, so both modes see the same machine load.
    for (let i = 0; i < runs; i += 1) {
      results.compressed.push(await load(true, link))
      results.uncompressed.push(await load(false, link))
    }
    report[name] = Object.fromEntries(Object.entries(results).map(([mode, loads]) => [mode, {
      charts_drawn_ms_median: median(loads.map((l) => l.drawnMs)),
      charts_drawn_ms_runs: loads.map((l) => l.drawnMs),
      bytes_page_and_assets: loads[0].bytes.page,
      bytes_api: loads[0].bytes.api,
      bytes_total: loads[0].bytes.page + loads[0].bytes.api,
      content_encodings: loads[0].encodings,
    }]))
  }
  console.log(JSON.stringify({ ok: true, runs, ...report }))
} finally {
  await browser.close()
}
