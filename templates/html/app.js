// textkeeper archive pages: sorting the index, the page picker, links to what is not on the page, and notes for
// pictures and audio that fail.
'use strict';

// A picture that cannot be loaded becomes a visible note naming the file; audio or video that cannot be played gets a note.
document.addEventListener('error', (event) => {
  const target = event.target;
  if (target instanceof HTMLImageElement) replaceBrokenPicture(target);
  if (target instanceof HTMLMediaElement) noteUnplayable(target);
  // A player with <source> elements (a voice message's copy, then its CAF) gets no error of its own, and Chromium
  // passes over a source of a type it cannot play without one: a failing source that no playable one follows.
  if (target instanceof HTMLSourceElement && !playableAfter(target)) noteUnplayable(target.parentElement);
}, true);

function playableAfter(source) {
  for (let next = source.nextElementSibling; next; next = next.nextElementSibling) {
    if (!next.type || source.parentElement.canPlayType(next.type)) return true;
  }
  return false;
}

function replaceBrokenPicture(img) {
  const note = document.createElement('span');
  note.className = 'broken';
  note.textContent = 'Picture could not be shown: ' + (img.alt || 'image');
  img.replaceWith(note);
}

// A video from an iPhone is often HEVC, which many browsers do not play. Only a player that plays is shown.
function noteUnplayable(player) {
  player.hidden = true;
  const video = player instanceof HTMLVideoElement;
  const kind = video ? 'video-note' : 'audio-note';
  if (player.parentElement.querySelector('.' + kind)) return;
  const note = document.createElement('div');
  note.className = kind;
  note.textContent = 'This browser cannot play this ' + (video ? 'video' : 'recording') + ': download it and open it in QuickTime or VLC.';
  player.parentElement.append(note);
}

document.addEventListener('DOMContentLoaded', () => {
  setUpSorting();
  setUpPagePicker();
  findTarget();
  window.addEventListener('hashchange', findTarget);
});

function setUpSorting() {
  const sort = document.querySelector('.sort');
  const list = document.querySelector('.conversations');
  if (!sort || !list) return;
  sort.hidden = false;
  const compare = {
    recent: (a, b) => Number(b.dataset.last) - Number(a.dataset.last),
    name: (a, b) => a.dataset.name.localeCompare(b.dataset.name, undefined, { sensitivity: 'base' }),
  };
  const sortBy = (button) => {
    const items = Array.from(list.children).sort(compare[button.dataset.sort]);
    list.append(...items);
    for (const other of sort.querySelectorAll('button')) other.setAttribute('aria-pressed', String(other === button));
    // Kept with this step of the history: Back from a conversation finds the list as it was left.
    history.replaceState({ ...history.state, sort: button.dataset.sort }, '');
  };
  for (const button of sort.querySelectorAll('button')) button.addEventListener('click', () => sortBy(button));
  const chosen = sort.querySelector(`button[data-sort="${history.state?.sort}"]`);
  if (chosen) sortBy(chosen);
}

function setUpPagePicker() {
  const pages = window.tkPages;
  const form = document.querySelector('form.jump');
  if (!form || !Array.isArray(pages) || pages.length === 0) return;
  const current = location.pathname.split('/').pop();
  const { date, page: select } = form.elements;
  listPages(select, pages, current);
  const goToPage = () => { if (select.value !== current) location.href = select.value; };
  const goToDay = () => {
    if (!date.value) return;
    const page = pages.find((p) => p.last >= date.value) || pages[pages.length - 1];
    location.href = page.file + '#d-' + date.value;
  };
  date.min = date.min || pages[0].first;
  date.max = date.max || pages[pages.length - 1].last;
  // Typing a year passes through 0002, 0020, 0201: only a date within the conversation jumps at once.
  date.addEventListener('change', () => { if (date.validity.valid && date.value) goToDay(); });
  openChosenPage(select, goToPage);
  // Go (or Enter in the date field) acts on whichever field was changed last.
  let last = select;
  form.addEventListener('input', (event) => { last = event.target; });
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    if (last === date) goToDay(); else goToPage();
  });
  form.hidden = false;
}

function listPages(select, pages, current) {
  pages.forEach((page, i) => {
    const label = page.first === page.last ? page.first : page.first + ' – ' + page.last;
    select.add(new Option('Page ' + (i + 1) + ': ' + label, page.file, false, page.file === current));
    // The page's title ends "— page 3": how many pages there are was known only once pages.js was written.
    if (page.file === current && pages.length > 1) document.title += ' of ' + pages.length;
  });
}

// Arrow keys on a closed list change its value: they only choose a page, which Enter or Go opens; a click opens it at once.
function openChosenPage(select, goToPage) {
  let chosenByKey = false;
  select.addEventListener('pointerdown', () => { chosenByKey = false; });
  select.addEventListener('keydown', (event) => {
    chosenByKey = true;
    if (event.key === 'Enter') goToPage();
  });
  select.addEventListener('change', () => { if (!chosenByKey) goToPage(); });
}

/** A link to a day or a message this page does not have. */
function findTarget() {
  const hash = decodeURIComponent(location.hash.slice(1));
  if (!hash || document.getElementById(hash)) return;
  if (hash.startsWith('d-')) scrollToNearestDay(hash);
  else findMessage(hash);
}

// A jump to a day without messages lands on the next day that has some.
function scrollToNearestDay(hash) {
  const next = Array.from(document.querySelectorAll('.day')).find((day) => day.id >= hash);
  if (next) next.scrollIntoView();
}

/** A message's id: the second it was sent, in base 36, and a hash of its GUID (src/render/html/anchors.ts). */
const MESSAGE_ID = /^m([0-9a-z]+)_[0-9a-z_]+$/;

/**
 * A link saved before a later run added earlier messages names a page its message has left: pages.js says which
 * page holds its second now, where the link goes on. On that page, a message that is gone from the archive
 * leaves the link at the first message after it.
 */
function findMessage(hash) {
  const id = MESSAGE_ID.exec(hash);
  if (!id || !Array.isArray(window.tkPages)) return;
  const second = parseInt(id[1], 36);
  const page = pageHolding(window.tkPages, second, location.pathname.split('/').pop());
  if (page) location.replace(page.file + location.hash);
  else scrollToNearestMessage(second);
}

/**
 * The page that holds a second, if not this one. A page break may fall within a second, which pages on both
 * sides of it then hold: they are tried in turn, from the first, so a message on none of them stops at the last.
 * A second no page holds is between two pages: the later one has the nearest message.
 */
function pageHolding(pages, second, current) {
  const holding = pages.filter((page) => page.from <= second && second <= page.to);
  if (holding.length > 0) return holding[holding.findIndex((page) => page.file === current) + 1];
  const next = pages.find((page) => page.from > second) || pages[pages.length - 1];
  return next.file === current ? undefined : next;
}

function scrollToNearestMessage(second) {
  const messages = Array.from(document.querySelectorAll('.thread li[id]'));
  const next = messages.find((message) => parseInt(MESSAGE_ID.exec(message.id)?.[1], 36) >= second) || messages[messages.length - 1];
  if (next) next.scrollIntoView();
}
