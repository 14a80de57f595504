const WEB_ADDRESS = /\b(?:https?:\/\/|www\.)[^\s<>"]+/gi;
const TRAILING_PUNCTUATION = /[.,;:!?)\]}'’”]+$/;
const OPENER: Record<string, string> = { ')': '(', ']': '[', '}': '{' };

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
    const address = withoutTrailingPunctuation(match[0]);
    const target = linkTarget(address);
    if (target) links.push({ start: match.index, end: match.index + address.length, target });
  }
  return links;
}

/**
 * The address without the punctuation that ends the sentence around it; a closing bracket stays when the
 * address opened it (https://en.wikipedia.org/wiki/Mercury_(planet)).
 */
function withoutTrailingPunctuation(match: string): string {
  let address = match.replace(TRAILING_PUNCTUATION, '');
  for (let next = match[address.length]; next && OPENER[next] && count(address, OPENER[next]) > count(address, next); next = match[address.length]) {
    address += next;
  }
  return address;
}

function count(text: string, char: string): number {
  return text.split(char).length - 1;
}

/** The address as a link target: an absolute, ASCII-only URL, or nothing when it is not one. */
function linkTarget(address: string): string | undefined {
  try {
    return new URL(/^www\./i.test(address) ? `https://${address}` : address).href;
  } catch {
    return undefined;
  }
}
