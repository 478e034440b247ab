// The dorameter API, as the dashboard uses it. Errors carry a `kind` the UI explains:
// 'unauthorized' (401 or API Gateway's 403, wrong key), 'not_found' (404, e.g. a team removed from the config),
// 'unreachable' (no answer), 'server' (5xx), 'request' (any other refusal); a request the
// dashboard itself cancelled rejects with the browser's AbortError instead.

export class ApiError extends Error {
  constructor(kind, message, status = null) {
    super(message)
    this.kind = kind
    this.status = status
  }
}

/** Where the API lives: the folder this page was served from (a stage path on API Gateway). */
export const apiBase = () => new URL('.', window.location.href).href

export async function getJson(path, apiKey, signal) {
  let response
  try {
    response = await fetch(path, { headers: { 'x-api-key': apiKey }, signal })
  } catch (e) {
    if (e?.name === 'AbortError') throw e
    throw new ApiError('unreachable',
      `The API at ${apiBase()} did not answer. Check that the dorameter server behind this page is running and reachable, then try again.`)
  }
  let body = null
  try {
    body = await response.json()
  } catch (e) {
    if (e?.name === 'AbortError') throw e
    body = null
  }
  const detail = body?.error?.message
  // 401 from dorameter itself, 403 from API Gateway in front of it (its usage-plan key check).
  if (response.status === 401 || response.status === 403) {
    throw new ApiError('unauthorized',
      `The API key was rejected (${response.status}). Use one of the keys in the server's API_KEYS (for \`dorameter demo\`, the key it printed) and connect again.`, response.status)
  }
  if (response.status === 404) {
    throw new ApiError('not_found', detail ?? 'The API does not know this address (404).', 404)
  }
  if (response.status >= 500) {
    throw new ApiError('server',
      `The API at ${apiBase()} failed (${response.status}); the server's log has the cause. Try again later.`, response.status)
  }
  if (!response.ok) {
    throw new ApiError('request', detail ?? `The API refused the request (${response.status}).`, response.status)
  }
  return body
}

const range = (from, to) => `from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`

export const fetchTeams = (key, signal) => getJson('teams', key, signal)
export const fetchVelocity = (key, team, from, to, signal) =>
  getJson(`metrics/team/${encodeURIComponent(team)}/velocity?${range(from, to)}`, key, signal)
export const fetchLeadTime = (key, team, from, to, signal) =>
  getJson(`metrics/team/${encodeURIComponent(team)}/lead-time?${range(from, to)}`, key, signal)
