// textkeeper search page: loads the index scripts and lists matching messages.
'use strict';

const MAX_SHOWN = 500;

document.addEventListener('DOMContentLoaded', () => {
  const query = new URLSearchParams(location.search).get('q') || '';
  const status = document.querySelector('.search-status');
  const results = document.querySelector('.results');
  const manifest = window.tkSearchManifest;
  document.querySelector('.searchbox input').value = query;
  const terms = fold(query).split(/\s+/).filter(Boolean);
  if (terms.length === 0) return;
  document.title = query + ' — ' + document.title;
  if (!manifest) {
    status.textContent = 'The search index is missing from this archive.';
    return;
  }
  let found = 0;
  let searched = 0;
  window.tkSearch = {
    add(rows) {
      for (const row of rows) {
        searched++;
        const [conversation, page, rowId, time, sender, text] = row;
        const haystack = fold(sender + ' ' + text);
        if (!terms.every((term) => haystack.includes(term))) continue;
        found++;
        if (found <= MAX_SHOWN) results.append(resultItem(manifest.conversations[conversation], page, rowId, time, sender, text, terms));
      }
    },
  };
  const progress = () => {
    status.textContent = 'Searching… ' + searched.toLocaleString() + ' of ' + manifest.entries.toLocaleString() + ' messages';
  };
  const finish = () => {
    status.textContent = found === 0 ? 'No messages match “' + query + '”.'
      : found.toLocaleString() + (found === 1 ? ' message matches “' : ' messages match “') + query + '”' + (found > MAX_SHOWN ? ' (showing the first ' + MAX_SHOWN + ')' : '') + '.';
  };
  // Every chunk is fetched at once and run in order (async = false): loading them one after another took a fifth longer.
  let loaded = 0;
  let failed = false;
  progress();
  for (let n = 1; n <= manifest.chunks; n++) {
    const script = document.createElement('script');
    script.src = 'search/chunk-' + n + '.js';
    script.async = false;
    script.onload = () => {
      script.remove();
      if (failed) return;
      if (++loaded === manifest.chunks) finish();
      else progress();
    };
    script.onerror = () => {
      failed = true;
      status.textContent = 'Part of the search index could not be loaded (chunk ' + n + ').';
    };
    document.head.append(script);
  }
  if (manifest.chunks === 0) finish();
});

/** Lower case without accents, so "cafe" finds "Café". */
function fold(text) {
  return text.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();
}

function resultItem(conversation, page, rowId, time, sender, text, terms) {
  const item = document.createElement('li');
  const link = document.createElement('a');
  link.dir = 'auto';
  link.href = conversation.folder.split('/').map(encodeURIComponent).join('/') + '/p' + page + '.html#m' + rowId;
  appendHighlighted(link, snippet(text, terms), terms);
  const where = document.createElement('div');
  where.className = 'where';
  // Names isolated, so a right-to-left one does not carry the dots and the time into its direction.
  where.append(isolated(conversation.title), ' · ', isolated(sender), ' · ' + time);
  item.append(link, where);
  return item;
}

function isolated(text) {
  const bdi = document.createElement('bdi');
  bdi.textContent = text;
  return bdi;
}

/** Up to ~160 characters around the first matching term. */
function snippet(text, terms) {
  const at = Math.max(0, fold(text).indexOf(terms[0]));
  const start = Math.max(0, at - 60);
  return (start > 0 ? '…' : '') + text.slice(start, start + 160) + (start + 160 < text.length ? '…' : '');
}

/** Appends text to the element with each term marked; built from text nodes, never HTML. */
function appendHighlighted(element, text, terms) {
  const folded = fold(text);
  // Folding can change lengths (é → e), so only highlight when it did not.
  if (folded.length !== text.length) {
    element.textContent = text;
    return;
  }
  let i = 0;
  while (i < text.length) {
    let next = -1;
    let term = '';
    for (const t of terms) {
      const at = folded.indexOf(t, i);
      if (at !== -1 && (next === -1 || at < next)) { next = at; term = t; }
    }
    if (next === -1) break;
    element.append(text.slice(i, next));
    const mark = document.createElement('mark');
    mark.textContent = text.slice(next, next + term.length);
    element.append(mark);
    i = next + term.length;
  }
  element.append(text.slice(i));
}
