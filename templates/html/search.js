// textkeeper search page: loads the index scripts and lists matching messages.
'use strict';

/** Matches listed at first, and added at each "Show more". */
const LISTED_AT_ONCE = 500;
const PROMPT = 'Type words to find in any conversation.';

/**
 * The index is loaded at the first query and kept: a query typed on this page runs over the rows in memory
 * (the address changes without a reload, and Back goes to the query before).
 */
document.addEventListener('DOMContentLoaded', () => {
  const view = {
    status: document.querySelector('.search-status'),
    results: document.querySelector('.results'),
    conversations: document.querySelector('.conversation-matches'),
    scope: document.querySelector('.search-scope'),
    input: document.querySelector('.searchbox input[name="q"]'),
    within: withinField(document.querySelector('.searchbox')),
    more: document.querySelector('.more'),
    title: document.title,
  };
  const search = searcher(window.tkSearchManifest, view);
  document.querySelector('.searchbox').addEventListener('submit', (event) => {
    event.preventDefault();
    const asked = { query: view.input.value, within: view.within.value };
    // The same query again is no new step for Back to go through, as a browser treats a link to the page it shows.
    const shown = placeOf(location);
    if (asked.query !== shown.query || asked.within !== shown.within) history.pushState(null, '', addressOf(asked));
    search(asked);
  });
  window.addEventListener('popstate', () => search(placeOf(location)));
  search(placeOf(location));
});

/** The query, and the folder of the one conversation searched (`in`, from a conversation page's box), else ''. */
function placeOf(place) {
  const asked = new URLSearchParams(place.search);
  return { query: asked.get('q') || '', within: asked.get('in') || '' };
}

function addressOf({ query, within }) {
  return '?' + new URLSearchParams(within ? { q: query, in: within } : { q: query });
}

/** The search box's field for the conversation searched: a conversation page's box has it, this page's gets it. */
function withinField(form) {
  let field = form.querySelector('input[name="in"]');
  if (!field) {
    field = Object.assign(document.createElement('input'), { type: 'hidden', name: 'in' });
    form.append(field);
  }
  return field;
}

/** A function that shows the messages matching a query, loading the index's chunks the first time. */
function searcher(manifest, view) {
  const index = { rows: [], loaded: 0, failedChunk: 0, started: false };
  let current;
  window.tkSearch = {
    add(rows) {
      for (const row of rows) index.rows.push(row);
      if (current) match(current, rows, manifest, view);
    },
  };
  const report = () => {
    if (!current) return;
    view.status.textContent = statusLine(current, index, manifest);
    view.more.hidden = current.unlisted.length === 0;
  };
  view.more.addEventListener('click', () => {
    const first = view.results.children.length;
    for (const row of current.unlisted.splice(0, LISTED_AT_ONCE)) list(row, current, manifest, view);
    current.listed += LISTED_AT_ONCE;
    // Back from a result lists as many again.
    history.replaceState({ listed: current.listed }, '');
    report();
    // The button may now be hidden: the keyboard goes on from the first match it added, not from the top.
    view.results.children[first]?.querySelector('a')?.focus();
  });
  return ({ query, within }) => {
    view.input.value = query;
    view.results.replaceChildren();
    view.more.hidden = true;
    view.conversations.hidden = true;
    const only = showScope(query, within, manifest, view);
    const terms = termsOf(query);
    document.title = terms.length === 0 ? view.title : query + ' — ' + view.title;
    // Matches past the ones listed wait in `unlisted`, in the order found, for "Show more".
    current = terms.length === 0 ? undefined : { query, only, terms: terms.map(searchTerm), numbers: terms.map(phoneDigits), found: 0, listed: history.state?.listed ?? LISTED_AT_ONCE, unlisted: [] };
    if (!current) view.status.textContent = PROMPT;
    else if (!manifest) view.status.textContent = 'The search index is missing from this archive.';
    else {
      if (only === undefined) listConversations(current, manifest, view.conversations);
      match(current, index.rows, manifest, view);
      if (!index.started) load(manifest, index, report);
      report();
    }
  };
}

/** The query's words, folded; words in quotes ("see you", “see you”) are one term: found together, in that order. */
function termsOf(query) {
  const words = fold(query).matchAll(/["“”„]([^"“”„]*)["“”„]?|[^\s"“”„]+/g);
  return joinPhoneNumbers(Array.from(words, ([word, quoted]) => (quoted ?? word).trim().replace(/\s+/g, ' ')).filter(Boolean));
}

/** A phone number typed with spaces ("(555) 867-5309", "555 867 5309") is one term, else "(555)" had to be in the text as typed. */
function joinPhoneNumbers(terms) {
  const joined = [];
  for (let i = 0; i < terms.length; i++) {
    let end = i;
    while (end < terms.length && /^\+?[\d().-]+$/.test(terms[end])) end++;
    const run = terms.slice(i, end);
    const digits = run.join('').replace(/\D/g, '').length;
    // Two plain numbers ("2019 2020") stay two terms, found anywhere in the text.
    if (digits >= 7 && digits <= 15 && (run.length >= 3 || /[(+]/.test(run.join('')))) {
      joined.push(run.join(' '));
      i = end - 1;
    } else joined.push(terms[i]);
  }
  return joined;
}

/** A single letter or digit, found only as a word of its own (else "a" matched nearly every message, and marked every a in them). */
const LONE_LETTER = /^[\p{L}\p{N}]$/u;
/**
 * Two letters or digits, found only where a word starts, as the start of a word is typed: "am" finds "am",
 * "amazing" and "10am", not "example" or "tram" (inside words, two letters are in nearly every message).
 */
const SHORT_WORD = /^[\p{L}\p{N}]{2}$/u;
/** Scripts written without spaces between words, where one character is often a word (愛, ね): found anywhere. */
const UNSPACED = /[\p{sc=Han}\p{sc=Hiragana}\p{sc=Katakana}\p{sc=Hangul}\p{sc=Thai}\p{sc=Lao}\p{sc=Khmer}\p{sc=Myanmar}]/u;

/** A term and where it is found in folded text, from `from` on (-1: nowhere): as matching and marking both look for it. */
function searchTerm(text) {
  const spaced = !UNSPACED.test(text);
  if (spaced && LONE_LETTER.test(text)) return termAt(text, `(?<![\\p{L}\\p{N}])${text}(?![\\p{L}\\p{N}])`);
  // A word starts where a letter follows no letter, or a digit no digit.
  if (spaced && SHORT_WORD.test(text)) return termAt(text, `${/^\p{N}/u.test(text) ? '(?<!\\p{N})' : '(?<!\\p{L})'}${text}`);
  return { text, find: (folded, from) => folded.indexOf(text, from) };
}

/** A term found where the regular expression `pattern` matches. */
function termAt(text, pattern) {
  const word = new RegExp(pattern, 'gu');
  return {
    text,
    find(folded, from = 0) {
      word.lastIndex = from;
      return word.exec(folded)?.index ?? -1;
    },
  };
}

function statusLine({ query, found, listed }, index, manifest) {
  // A phrase typed in quotes is shown in the line's own quotes alone, not in two pairs.
  query = query.replace(/^["“”„](.*)["“”„]$/s, '$1');
  if (index.failedChunk) return 'Part of the search index could not be loaded (chunk ' + index.failedChunk + ').';
  if (index.loaded < manifest.chunks) return 'Searching… ' + index.rows.length.toLocaleString() + ' of ' + manifest.entries.toLocaleString() + ' messages';
  if (found === 0) return 'No messages match “' + query + '”.';
  return found.toLocaleString() + (found === 1 ? ' message matches “' : ' messages match “') + query + '”' + (found > listed ? ' (showing the first ' + listed.toLocaleString() + ')' : '') + '.';
}

/**
 * The number of the one conversation searched (undefined: every one), said above the results with a link to search
 * them all; the search box keeps it for the next query.
 */
function showScope(query, within, manifest, view) {
  const only = within && manifest ? manifest.conversations.findIndex((conversation) => conversation.folder === within) : -1;
  view.within.value = only === -1 ? '' : within;
  const label = only === -1 ? 'Search all messages' : 'Search this conversation';
  view.input.placeholder = label;
  view.input.setAttribute('aria-label', label);
  view.scope.hidden = only === -1;
  if (only === -1) return undefined;
  const everywhere = Object.assign(document.createElement('a'), { href: addressOf({ query, within: '' }), textContent: 'Search all conversations' });
  view.scope.replaceChildren('In ', isolated(manifest.conversations[only].title), ' · ', everywhere);
  return only;
}

/** What a message says, and said before it was edited: not who sent it (a name is found in the conversations listed). */
function match(current, rows, manifest, view) {
  for (const row of rows) {
    if (current.only !== undefined && row[0] !== current.only) continue;
    if (!matches(fold(row[6] ? row[5] + ' ' + row[6] : row[5]), current)) continue;
    if (++current.found <= current.listed) list(row, current, manifest, view);
    else current.unlisted.push(row);
  }
}

/** The conversations whose title, people, phone numbers or emails have every term, above the messages found. */
function listConversations(current, manifest, section) {
  const list = section.querySelector('ul');
  list.replaceChildren();
  for (const conversation of manifest.conversations) {
    // An archive's search data written by an older textkeeper, kept by a run that changed nothing, lacks the people.
    const people = conversation.people ?? '';
    if (!matches(fold(conversation.title + ' ' + people), current)) continue;
    const item = document.createElement('li');
    const link = document.createElement('a');
    link.href = pagesOf(conversation) + '/p1.html';
    link.append(isolated(conversation.title));
    item.append(link);
    if (people) {
      const where = document.createElement('div');
      where.className = 'where';
      where.append(isolated(people));
      item.append(where);
    }
    list.append(item);
  }
  section.hidden = list.children.length === 0;
}

function list([conversation, page, anchor, time, sender, text, earlier], current, manifest, view) {
  // Found by an earlier version of its text alone (edited, or unsent): that version is shown too, said so.
  const byEarlier = earlier && !matches(fold(text), current) ? earlier : '';
  view.results.append(resultItem(manifest.conversations[conversation], page, anchor, time, sender, text, byEarlier, current.terms));
}

/** Whether the text has every term, a term written like a phone number also in any other writing of its digits. */
function matches(haystack, { terms, numbers }) {
  let joined;
  for (let i = 0; i < terms.length; i++) {
    if (terms[i].find(haystack) !== -1) continue;
    if (numbers[i] === undefined) return false;
    joined ??= joinDigits(haystack);
    if (!numbers[i].some((digits) => joined.includes(digits))) return false;
  }
  return true;
}

/**
 * The digits of a term written like a phone number ("555-867-5309", "(555) 867 5309", "8675309"), else undefined;
 * with a country code ("+1 555 867 5309", "+44 7700 900123"), also the number as written at home: without the
 * code (one to three digits, leaving nine or more), or with a leading 0 in its place.
 */
function phoneDigits(term) {
  const digits = term.replace(/\D/g, '');
  if (!/^\+?[\d(). -]+$/.test(term) || digits.length < 5) return undefined;
  if (!term.trimStart().startsWith('+')) return [digits];
  const national = [1, 2, 3].map((code) => digits.slice(code)).filter((rest) => rest.length >= 9);
  return [digits, ...national, ...national.map((rest) => `0${rest}`)];
}

/**
 * The text without the spaces, dashes, dots, commas and brackets between digits: "(555) 867-5309" → "(5558675309",
 * and "$3,417.25" → "$341725", which "3417.25" finds.
 */
function joinDigits(text) {
  return text.replace(/(?<=\d)[\s().,-]+(?=\d)/g, '');
}

/** Every chunk is fetched at once and run in order (async = false): loading them one after another took a fifth longer. */
function load(manifest, index, report) {
  index.started = true;
  for (let n = 1; n <= manifest.chunks; n++) {
    const script = document.createElement('script');
    script.src = 'search/chunk-' + n + '.js';
    script.async = false;
    script.onload = () => {
      script.remove();
      index.loaded++;
      report();
    };
    script.onerror = () => {
      index.failedChunk ||= n;
      report();
    };
    document.head.append(script);
  }
}

/** Lower case without accents, so "cafe" finds "Café". */
// Letters that carry no separate mark for NFD to strip, written as people type them without it; and the curly
// apostrophes a phone's keyboard writes ("Don’t"), as a computer's keyboard types them ("don't").
const PLAIN_LETTERS = { ß: 'ss', æ: 'ae', œ: 'oe', ø: 'o', ł: 'l', đ: 'd', ð: 'd', þ: 'th', ı: 'i', '‘': "'", '’': "'" };

function fold(text) {
  return text.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase().replace(/[ßæœøłđðþı‘’]/g, (letter) => PLAIN_LETTERS[letter]);
}

function resultItem(conversation, page, anchor, time, sender, text, earlier, terms) {
  const item = document.createElement('li');
  const link = document.createElement('a');
  link.dir = 'auto';
  // The search data of an archive an older textkeeper wrote, kept by a run that changed nothing, has ROWIDs (m22).
  link.href = pagesOf(conversation) + '/p' + page + '.html#' + (typeof anchor === 'number' ? 'm' + anchor : anchor);
  if (text) appendSnippet(link, text, terms);
  else link.textContent = 'Unsent message';
  item.append(link);
  if (earlier) {
    const before = document.createElement('div');
    before.className = 'earlier';
    const words = document.createElement('span');
    words.dir = 'auto';
    appendSnippet(words, earlier, terms);
    before.append('Earlier text: ', words);
    item.append(before);
  }
  const where = document.createElement('div');
  where.className = 'where';
  // Names isolated, so a right-to-left one does not carry the dots and the time into its direction.
  where.append(isolated(conversation.title), ' · ', isolated(sender), ' · ' + time);
  item.append(where);
  return item;
}

function pagesOf(conversation) {
  return conversation.folder.split('/').map(encodeURIComponent).join('/');
}

function isolated(text) {
  const bdi = document.createElement('bdi');
  bdi.textContent = text;
  return bdi;
}

/**
 * Up to ~160 characters around the first matching term, each term marked; built from text nodes, never HTML.
 * Terms are found in the whole text, not in the part shown: a word cut at the part's edge ("…a, …" of "pizza")
 * does not become a single letter to mark.
 */
function appendSnippet(element, text, terms) {
  const { folded, starts, ends } = foldWithOrigins(text);
  const first = terms[0].find(folded);
  const start = characterAt(text, Math.max(0, (first < 0 ? 0 : starts[first]) - 60)).start;
  const end = characterAt(text, Math.min(text.length, start + 160) - 1).end;
  if (start > 0) element.append('…');
  let shown = start;
  for (let i = 0; ;) {
    let next = -1;
    let term = '';
    for (const t of terms) {
      const at = t.find(folded, i);
      if (at !== -1 && (next === -1 || at < next)) { next = at; term = t.text; }
    }
    if (next === -1 || starts[next] >= end) break;
    const from = Math.max(starts[next], shown);
    const to = Math.min(ends[next + term.length - 1], end);
    i = next + term.length;
    if (to <= from) continue;
    element.append(text.slice(shown, from));
    const mark = document.createElement('mark');
    mark.textContent = text.slice(from, to);
    element.append(mark);
    shown = to;
  }
  element.append(text.slice(shown, end));
  if (end < text.length) element.append('…');
}

const GRAPHEMES = typeof Intl.Segmenter === 'function' ? new Intl.Segmenter(undefined, { granularity: 'grapheme' }) : undefined;

/**
 * Where the character the UTF-16 unit at `index` is part of begins and ends, so that a snippet cut there shows no
 * half of one: a character as a reader sees it (👨‍👩‍👧‍👦, 👍🏽 or é may be several code points), or where a browser
 * lacks Intl.Segmenter (Firefox before 125) a code point (an emoji is often two units).
 */
function characterAt(text, index) {
  if (GRAPHEMES) {
    const { index: start, segment } = GRAPHEMES.segment(text).containing(index);
    return { start, end: start + segment.length };
  }
  const start = index > 0 && /[\udc00-\udfff]/.test(text[index]) && /[\ud800-\udbff]/.test(text[index - 1]) ? index - 1 : index;
  return { start, end: start + String.fromCodePoint(text.codePointAt(start)).length };
}

/**
 * The text folded a character at a time, and where in the text each folded character's own character starts
 * and ends: folding changes lengths (❤️ loses its variation selector, 한 becomes three letters), and a mark
 * folded away belongs with the character before it.
 */
function foldWithOrigins(text) {
  let folded = '';
  const starts = [];
  const ends = [];
  let i = 0;
  for (const char of text) {
    const piece = fold(char);
    for (let k = 0; k < piece.length; k++) {
      starts.push(i);
      ends.push(i + char.length);
    }
    if (!piece && ends.length > 0) ends[ends.length - 1] = i + char.length;
    folded += piece;
    i += char.length;
  }
  return { folded, starts, ends };
}
