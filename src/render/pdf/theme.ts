/** Page geometry, type sizes and colours shared by both PDF styles. */

export const PAGE_SIZES = {
  letter: { width: 612, height: 792 },
  a4: { width: 595.28, height: 841.89 },
} as const;

export const MARGIN = { side: 42, top: 70, bottom: 52 } as const;

export const TYPE = {
  body: 10,
  small: 7.5,
  name: 8,
  header: 12,
  table: 8.5,
  lineHeight: 1.38,
} as const;

export const COLORS = {
  // Messages' blue and green, darkened until white text on them has a contrast of 4.5:1 or more (WCAG's for
  // body text: 4.8 and 5.0 here, against 4.0 and 2.7 for the lighter ones), which survives a photocopy.
  imessage: '#0b6fdc',
  sms: '#1d8039',
  received: '#e9e9eb',
  onColor: '#ffffff',
  text: '#111111',
  muted: '#6e6e73',
  faint: '#c7c7cc',
  quote: '#f4f4f6',
  box: '#ffffff',
  boxStroke: '#c7c7cc',
  placeholder: '#f2f2f2',
  band: '#f2f2f7',
  alert: '#b3261e',
} as const;

export function lineHeight(size: number): number {
  return size * TYPE.lineHeight;
}
