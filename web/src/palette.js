// Chart colours, each at least 3:1 against the white chart background (WCAG 1.4.11 for graphics),
// and text at least 4.5:1 (1.4.3). The two bar series also differ in lightness, and the two lead
// time lines in marker and dash, so they do not depend on telling hues apart.
export const palette = {
  prs: '#3b82f6', //       3.7:1 on white
  weighted: '#1e3a8a', // 10.4:1; 2.8:1 against the PRs bars
  cycle: '#b45309', //     5.0:1
  median: '#047857', //    5.5:1
  p95: '#b91c1c', //       6.5:1
  axisText: '#4b5563', //  7.6:1
}
