// Message texts: everyday phrases in many scripts, plus builders for the harder cases (very long,
// multi-line, links, mentions, styles, text effects). All of it is invented for this project.
import type { Random } from './random.js';
import { TEXT_EFFECTS, type BodyRun, type TextEffect, type TextStyle } from './attributed-body.js';

export const SCRIPTS = {
  latin: [
    'Running ten minutes late, sorry!',
    'Did you see the game last night?',
    'Can you pick up milk on the way home?',
    'Happy birthday!! Hope it is a great one',
    'ok',
    'Sounds good to me',
    'Where did we park the car?',
    'The meeting moved to Thursday at 3:15',
    'I’m on the train now — be there by 7',
    'Thanks so much for dinner, it was lovely',
    'Lol no way',
    'Call me when you get a chance',
    'Flight lands at 22:40, gate B12',
    'Invoice #4471 paid, total $1,280.50',
    'Crème brûlée or tiramisù? Ça dépend 😄',
    'Straße gesperrt, ich nehme die Umleitung über Köln',
  ],
  emoji: [
    '👍',
    '😂😂😂',
    'Family dinner 👨‍👩‍👧‍👦 at 6?',
    'Great job 👏🏽👏🏽',
    'Back from 🇯🇵 and 🇰🇷, jet lag is real',
    '❤️‍🔥 that concert',
    '🏳️‍🌈 parade this weekend!',
    'Coffee? ☕️',
    '👩🏿‍💻 working late again',
    '🧑‍🤝‍🧑 see you both soon',
  ],
  cjk: [
    '明天下午三点见面吧',
    '我已经到机场了，你在哪里？',
    'ありがとうございます！また明日。',
    '今日は雨なので家にいます',
    '내일 점심 같이 먹을래요?',
    '生日快乐！🎂',
  ],
  hebrew: [
    'שלום, מה שלומך?',
    'הפגישה נדחתה ל-10:30 מחר',
    'אני בדרך, אגיע בעוד 15 דקות',
    'ראית את ההודעה מ-Google?',
  ],
  arabic: [
    'مرحبا، كيف حالك؟',
    'الاجتماع الساعة 3 في المكتب',
    'وصلت إلى المطار، رقم الرحلة EK202',
    'شكرا جزيلا! 🙏',
  ],
  greek: ['Καλημέρα! Τι κάνεις;', 'Θα είμαι εκεί στις 8'],
  cyrillic: ['Привет! Как дела?', 'Буду через 20 минут', 'Добрый вечер, всё в силе на завтра?'],
} as const;

export type Script = keyof typeof SCRIPTS;

const SCRIPT_WEIGHTS: Record<Script, number> = {
  latin: 60, emoji: 14, cjk: 8, hebrew: 5, arabic: 5, greek: 4, cyrillic: 4,
};

const PARAGRAPHS = [
  'So here is the whole story, from the beginning, because I promised I would write it all down before I forget the details.',
  'We left early in the morning, the roads were empty and the light over the hills was incredible — honestly one of the best drives of the year.',
  '第二天我们去了老城区，街道很窄，到处都是小吃摊，人非常多。',
  'Then the car broke down twenty kilometres from the nearest town, and of course nobody had signal. 🙈',
  'בסוף הגענו למלון רק בחצות, עייפים אבל מרוצים.',
  'في الصباح تناولنا الفطور في مقهى صغير قرب البحر، وكان الطقس رائعا.',
  'Anyway: lessons learned. 1) Charge the phone. 2) Bring water. 3) Never trust a shortcut.',
];

const LINKS = [
  'https://example.com/recipes/lemon-cake',
  'https://www.example.org/news/2021/03/city-marathon-results',
  'https://maps.example.net/?q=Central+Station',
  'https://example.com/watch?v=abc123',
];

export function plainText(random: Random): string {
  return random.pick(SCRIPTS[random.weighted(SCRIPT_WEIGHTS)]);
}

/** A text of 5,000–40,000 UTF-16 units made of paragraphs separated by blank lines. */
export function longText(random: Random): string {
  const target = random.int(5_000, 40_000);
  const paragraphs: string[] = [];
  let length = 0;
  while (length < target) {
    const p = random.pick(PARAGRAPHS);
    paragraphs.push(p);
    length += p.length + 2;
  }
  return paragraphs.join('\n\n');
}

export function multiLineText(random: Random): string {
  const lines = Array.from({ length: random.int(2, 6) }, () => plainText(random));
  return lines.join(random.chance(0.5) ? '\n' : '\n\n');
}

export function linkRuns(random: Random, part: number): BodyRun[] {
  const url = random.pick(LINKS);
  return random.chance(0.5)
    ? [{ text: url, part, link: url }]
    : [{ text: 'Look at this: ', part }, { text: url, part, link: url }];
}

export function mentionRuns(name: string, handle: string, random: Random): BodyRun[] {
  return [
    { text: random.pick(['Hey ', 'Thanks ', 'Ask ']), part: 0 },
    { text: name, part: 0, mention: handle },
    { text: random.pick([' what do you think?', ' 🙌', ', can you bring the charger?']), part: 0 },
  ];
}

const STYLES: TextStyle[] = ['bold', 'italic', 'underline', 'strikethrough'];

/** Words each carrying a random combination of styles, separated by plain spaces. */
export function styledRuns(random: Random): BodyRun[] {
  const words = ['This', 'is', 'really', 'important', 'news'];
  return words.flatMap((word, i) => {
    const styles = STYLES.filter(() => random.chance(0.4));
    const run: BodyRun = styles.length ? { text: word, part: 0, styles } : { text: word, part: 0 };
    return i === 0 ? [run] : [{ text: ' ', part: 0 }, run];
  });
}

export function effectRuns(random: Random): BodyRun[] {
  const effect = random.pick(Object.keys(TEXT_EFFECTS) as TextEffect[]);
  return [
    { text: random.pick(['We are ', 'That was ', 'I am ']), part: 0 },
    { text: random.pick(['SO excited', 'huge', 'shaking']), part: 0, effect },
    { text: '!', part: 0 },
  ];
}

/** Classic tapback texts by type 2000–2005, as the reaction message's text says them. */
export const TAPBACK_VERBS = ['Loved', 'Liked', 'Disliked', 'Laughed at', 'Emphasized', 'Questioned'];
export const TAPBACK_EMOJI = ['🎉', '🔥', '🥹', '👀', '🫶🏽', '🇧🇷'];
export const SITE_PREVIEWS = [
  { url: 'https://example.com/recipes/lemon-cake', title: 'Lemon drizzle cake', summary: 'A bright, easy loaf cake.', siteName: 'Example Recipes' },
  { url: 'https://news.example.org/2020/07/local-library-reopens', title: 'Local library reopens its doors', summary: 'After a long renovation the library welcomes readers again.', siteName: 'Example News' },
  { url: 'https://video.example.net/watch/98765', title: 'Sunset timelapse – 4K', summary: 'Four minutes of clouds.', siteName: 'ExampleTube' },
];
