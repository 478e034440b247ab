import { afterEach, beforeEach, expect, test, vi } from 'vitest'
import { ApiError, fetchVelocity, getJson } from './api.js'

const answer = (status, body) => Promise.resolve(new Response(JSON.stringify(body), { status }))

beforeEach(() => {
  // The page under a stage path, as API Gateway serves it.
  vi.stubGlobal('window', { location: { href: 'https://api.example/prod/#team=x' } })
})
afterEach(() => vi.unstubAllGlobals())

test('requests are relative to the page and carry the key in x-api-key only', async () => {
  const fetch = vi.fn(() => answer(200, { weeks: [] }))
  vi.stubGlobal('fetch', fetch)
  await fetchVelocity('the-key', 'a team', '2026-01-05', '2026-01-18')
  const [path, init] = fetch.mock.calls[0]
  expect(path).toBe('metrics/team/a%20team/velocity?from=2026-01-05&to=2026-01-18')
  expect(init.headers).toEqual({ 'x-api-key': 'the-key' })
})

test.each([
  [401, 'unauthorized', /API key was rejected \(401\)/],
  [403, 'unauthorized', /API key was rejected \(403\)/],
  [404, 'not_found', /^no team "x"$/],
  [400, 'request', /^no team "x"$/],
  [503, 'server', /^The API at https:\/\/api\.example\/prod\/ failed \(503\)/],
])('a %i answer is a %s error', async (status, kind, message) => {
  vi.stubGlobal('fetch', () => answer(status, { error: { code: 'x', message: 'no team "x"' } }))
  const error = await getJson('teams', 'k').catch((e) => e)
  expect(error).toBeInstanceOf(ApiError)
  expect(error.kind).toBe(kind)
  expect(error.status).toBe(status)
  expect(error.message).toMatch(message)
})

test('no answer is unreachable, and a cancelled request stays an AbortError', async () => {
  vi.stubGlobal('fetch', () => Promise.reject(new TypeError('Failed to fetch')))
  const unreachable = await getJson('teams', 'k').catch((e) => e)
  expect(unreachable.kind).toBe('unreachable')
  expect(unreachable.message).toMatch(/^The API at https:\/\/api\.example\/prod\/ did not answer/)
  vi.stubGlobal('fetch', () => Promise.reject(new DOMException('cancelled', 'AbortError')))
  const aborted = await getJson('teams', 'k').catch((e) => e)
  expect(aborted.name).toBe('AbortError')
})
