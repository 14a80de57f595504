const WEB_ADDRESS = /\b(?:https?:\/\/|www\.)[^\s<>"]+/gi;
const TRAILING_PUNCTUATION = /[.,;:!?)\]}'’”]+$/;

/** A web address in a paragraph: the characters start..end-1, and the URL a click opens. */
export interface WebLink {
  start: number;
  end: number;
  target: string;
}

/** The web addresses of a paragraph that make valid link targets, in order. */
export function webLinks(paragraph: string): WebLink[] {
  const links: WebLink[] = [];
  for (const match of paragraph.matchAll(WEB_ADDRESS)) {
    const address = match[0].replace(TRAILING_PUNCTUATION, '');
    const target = linkTarget(address);
    if (target) links.push({ start: match.index, end: match.index + address.length, target });
  }
  return links;
}

/** The address as a link target: an absolute, ASCII-only URL, or nothing when it is not one. */
function linkTarget(address: string): string | undefined {
  try {
    return new URL(/^www\./i.test(address) ? `https://${address}` : address).href;
  } catch {
    return undefined;
  }
}
