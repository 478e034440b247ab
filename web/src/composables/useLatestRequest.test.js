import { expect, test } from 'vitest'
import { isAbort, useLatestRequest } from './useLatestRequest.js'

test('starting a request cancels the one before, whose answer is no longer current', () => {
  const requests = useLatestRequest()
  const first = requests.start()
  const second = requests.start()
  expect(first.signal.aborted).toBe(true)
  expect(second.signal.aborted).toBe(false)
  expect(requests.isCurrent(first)).toBe(false)
  expect(requests.isCurrent(second)).toBe(true)
})

test('cancelling leaves no request current', () => {
  const requests = useLatestRequest()
  const only = requests.start()
  requests.cancel()
  expect(only.signal.aborted).toBe(true)
  expect(requests.isCurrent(only)).toBe(false)
  requests.cancel() // nothing to cancel: no error
})

test('an answer that arrives after a newer request started is dropped', async () => {
  const requests = useLatestRequest()
  const shown = []
  const load = async (value, delay) => {
    const request = requests.start()
    await new Promise((resolve) => setTimeout(resolve, delay))
    if (requests.isCurrent(request)) shown.push(value)
  }
  await Promise.all([load('slow, earlier', 30), load('fast, later', 5)])
  expect(shown).toEqual(['fast, later'])
})

test('only the browser\'s cancellation counts as an abort', () => {
  expect(isAbort(new DOMException('stop', 'AbortError'))).toBe(true)
  expect(isAbort(new Error('other'))).toBe(false)
  expect(isAbort(undefined)).toBe(false)
})
