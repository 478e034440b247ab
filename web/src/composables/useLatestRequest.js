// Latest request wins. Each `start()` cancels the request before it (its AbortController) and
// hands out a ticket; an answer whose ticket is no longer current is dropped, so the last request
// made is the one shown, never the last to answer.

export function useLatestRequest() {
  let current = null
  return {
    /** Cancels the current request and starts a new one: `{ signal }` to pass to fetch. */
    start() {
      current?.controller.abort()
      const controller = new AbortController()
      current = { controller, signal: controller.signal }
      return current
    },
    /** Whether `ticket` is still the latest request (its answer may be shown). */
    isCurrent: (ticket) => ticket === current,
    /** Cancels the current request; no answer is current afterwards. */
    cancel() {
      current?.controller.abort()
      current = null
    },
  }
}

/** Whether a rejection is the browser's answer to a cancelled request. */
export const isAbort = (e) => e?.name === 'AbortError'
