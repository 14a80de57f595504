/** Control characters (tab and line feed too) and bidirectional embeddings, overrides and isolates. */
const UNSAFE_IN_A_LINE = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

/** Control characters other than tab and line feed (a lone carriage return too): raw, they can rewrite a terminal. */
const CONTROLS = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;
const ANY_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/;

/**
 * Control characters shown as their visible pictures (ESC → ␛, NUL → ␀, DEL → ␡), C1 controls as
 * <U+009B>: a transcript read in a terminal cannot run escape sequences, and no format hides text.
 */
export function visibleControls(text: string): string {
  if (!ANY_CONTROL.test(text)) return text;
  return text.replace(/\r\n/g, '\n').replace(CONTROLS, controlPicture);
}

/** Whether this one character is one `visibleControls` shows as a picture. */
export function isControl(char: string): boolean {
  return char.length === 1 && ANY_CONTROL.test(char);
}

/** A control character's visible picture (ESC → ␛, NUL → ␀, DEL → ␡), a C1 control as <U+009B>. */
export function controlPicture(c: string): string {
  const code = c.charCodeAt(0);
  if (code < 0x20) return String.fromCharCode(0x2400 + code);
  return code === 0x7f ? '\u2421' : `<U+${code.toString(16).toUpperCase().padStart(4, '0')}>`;
}

/**
 * A name from someone's database as one line of a terminal (a group may be named by anyone in it):
 * control characters as pictures, bidirectional overrides left out, so that it cannot run escape
 * sequences, break the line or turn the rest of it around.
 */
export function oneLine(text: string): string {
  return text.replace(UNSAFE_IN_A_LINE, (c) => (c >= '\u202a' ? '' : controlPicture(c)));
}
