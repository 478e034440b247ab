import { expect, test } from 'vitest'
import { fmt, percent, when } from './format.js'

test('numbers get fixed decimals and a missing one an en dash', () => {
  expect(fmt(7.25)).toBe('7.3')
  expect(fmt(2.5, 2)).toBe('2.50')
  expect(fmt(0)).toBe('0.0')
  expect(fmt(null)).toBe('–')
  expect(fmt(undefined)).toBe('–')
})

test('weights are percentages without trailing zeros', () => {
  expect(percent(1)).toBe('100 %')
  expect(percent(0.5)).toBe('50 %')
  expect(percent(1 / 3)).toBe('33.3 %')
})

test('an instant at midnight UTC shows as its day, any other with its time', () => {
  expect(when('2025-01-01T00:00:00Z')).toBe('2025-01-01')
  expect(when('2025-01-01T00:00:00.000+00:00')).toBe('2025-01-01')
  expect(when('2025-01-01T09:30:00Z')).toBe('2025-01-01 09:30 UTC')
})
