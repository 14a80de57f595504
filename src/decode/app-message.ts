// iMessage app balloons (MSMessageExtensionBalloonPlugin payload_data): an NSKeyedArchiver
// MSMessageTemplateLayout dictionary (fixtures SCHEMA.md §4.5).

import { DecodeError } from './errors.js';
import { unarchive } from './keyed-archiver.js';
import { isPlistDict, plistText as text } from './plist.js';

export interface AppMessage {
  layoutClass?: string;
  /** `an`: the app's display name. */
  appName?: string;
  /** `ldtext`: the centred description Messages shows. */
  ldtext?: string;
  /** May be a web URL, a `data:` URL or a bare query string starting with "?". */
  url?: string;
  image?: string;
  title?: string;
  subtitle?: string;
  caption?: string;
  subcaption?: string;
  trailingCaption?: string;
  trailingSubcaption?: string;
  /** Key/value pairs of a URL that starts with "?"; undefined otherwise. */
  query?: Record<string, string>;
}

/** Decodes an app-balloon payload; throws DecodeError when it is not an archived dictionary. */
export function decodeAppMessage(payload: Uint8Array): AppMessage {
  const root = unarchive(payload);
  if (!isPlistDict(root)) throw new DecodeError('app message payload is not a dictionary');
  const userInfo = isPlistDict(root.userInfo) ? root.userInfo : {};
  const url = text(root.URL);
  return {
    layoutClass: text(root.layoutClass),
    appName: text(root.an),
    ldtext: text(root.ldtext),
    url,
    image: text(root.image),
    title: text(userInfo['image-title']),
    subtitle: text(userInfo['image-subtitle']),
    caption: text(userInfo.caption),
    subcaption: text(userInfo.subcaption),
    trailingCaption: text(userInfo['secondary-subcaption']),
    trailingSubcaption: text(userInfo['tertiary-subcaption']),
    query: url?.startsWith('?') ? parseQuery(url.slice(1)) : undefined,
  };
}

/** Splits `a=1&b=2`, keeping only pairs with exactly one "=" (values are left as written). */
function parseQuery(query: string): Record<string, string> {
  const pairs: [string, string][] = [];
  for (const pair of query.split('&')) {
    const parts = pair.split('=');
    if (parts.length === 2) pairs.push([parts[0], parts[1]]);
  }
  return Object.fromEntries(pairs);
}
