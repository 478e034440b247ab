// The dorameter API, as the dashboard uses it. Errors carry a `kind` the UI explains:
// 'unauthorized' (wrong key), 'unreachable' (API down), 'request' (anything else).

export class ApiError extends Error {
  constructor(kind, message) {
    super(message)
    this.kind = kind
  }
}

export async function getJson(path, apiKey) {
  let response
  try {
    response = await fetch(path, { headers: { 'x-api-key': apiKey } })
  } catch (e) {
    throw new ApiError('unreachable', 'The API is not reachable. Is `dorameter serve` running?')
  }
  let body = null
  try {
    body = await response.json()
  } catch (e) {
    body = null
  }
  if (response.status === 401) {
    throw new ApiError('unauthorized', 'The API key was rejected. Check it and try again.')
  }
  if (!response.ok) {
    const message = body?.error?.message ?? `The API answered ${response.status}.`
    throw new ApiError(response.status >= 500 ? 'unreachable' : 'request', message)
  }
  return body
}

export const fetchTeams = (key) => getJson('teams', key)
export const fetchVelocity = (key, team, from, to) =>
  getJson(`metrics/team/${encodeURIComponent(team)}/velocity?from=${from}&to=${to}`, key)
export const fetchLeadTime = (key, team, from, to) =>
  getJson(`metrics/team/${encodeURIComponent(team)}/lead-time?from=${from}&to=${to}`, key)
