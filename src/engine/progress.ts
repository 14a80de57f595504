import { createRequire } from 'node:module';
import type cliProgress from 'cli-progress';

/** Loaded for a bar only: logs and quiet runs (an unchanged re-run) need none of it. */
export const loadBars = () => createRequire(import.meta.url)('cli-progress') as typeof cliProgress;

/**
 * Milliseconds on a clock that only goes forward. Not `performance.now()`: its first call loads Node's whole
 * performance API, 2-15 ms of an unchanged re-run that otherwise never needs it.
 */
export const monotonicMs = (): number => Number(process.hrtime.bigint() / 1000n) / 1000;

/** A bar on a terminal, plain lines for logs and CI, or nothing (`--quiet`). */
export type ProgressMode = 'bar' | 'lines' | 'none';

/**
 * How often the bar is redrawn at most, how soon a line is worth saying, and how long the start is left out
 * of the rate: threads starting and code not yet optimized made a million messages' first tenth read at two
 * thirds of the later rate, and the first estimates 1.6 times too long.
 */
const REDRAW_MS = 200;
const SETTLE_MS = 2000;
const WARM_UP_MS = 1000;
/**
 * The rate is measured over the latest seconds, not since the start: a run gets faster for a while (a million
 * messages read at 20,000 a second in the first seconds, 50,000 later), and an average since the start kept
 * the time left 1.7 times too long until near the end. A time left is shown once that much is measured.
 */
const WINDOW_MS = 5000;
const MEASURED_MS = 3000;
/** How often a point of the rate's window is kept, at most. */
const SAMPLE_MS = 250;

/** Reading the sources into the store, writing the files, or reading the sources for `stats` (no store). */
export type ProgressPhase = 'reading' | 'writing' | 'counting';

/**
 * Progress of an export on stderr, while the sources are read and then while the files are written. The
 * total (messages, × formats when writing) is counted before, so it never changes; the rate is the average
 * of the last seconds (see WINDOW_MS), long enough that the time left does not jump with one slow conversation. On a terminal: a bar
 * naming the conversation being read, or the conversation and format being written. Otherwise plain lines:
 * one per conversation written, and one per tenth (read, or written seconds after the last line) once the work
 * has taken a while.
 */
export class Progress {
  private readonly bar?: cliProgress.SingleBar;
  private done = 0;
  private conversationsDone = 0;
  private firstTick?: number;
  /** Where the rate is measured from: the first tick once warmed up. */
  private warm?: Sample;
  /** How much was done when, since warming up, covering the latest WINDOW_MS (oldest first). */
  private readonly samples: Sample[] = [];
  private lastDraw = 0;
  private current = '';
  private tenthsSaid = 0;
  /** When the last line was said (lines mode). */
  private lastLine = -Infinity;
  private readonly unit: string;

  constructor(
    private readonly mode: ProgressMode,
    private readonly total: number,
    private readonly conversations: number,
    private readonly write: (line: string) => void,
    private readonly phase: ProgressPhase = 'writing',
    formats = 1,
  ) {
    // Written once per format: 887,400 messages in four formats counted up to 3,549,600 'messages'.
    this.unit = phase === 'writing' && formats > 1 ? 'messages × formats' : 'messages';
    if (mode !== 'bar') return;
    const bars = loadBars();
    this.bar = new bars.SingleBar(
      { stream: process.stderr, format: `[{bar}] {percentage}% | {value}/{total} ${this.unit}${phase === 'writing' ? '' : ' read'} | {speed} | {current}`, hideCursor: true, linewrap: false },
      bars.Presets.shades_classic,
    );
    this.bar.start(total, 0, this.payload());
  }

  /** The sources' conversation being read. */
  reading(title: string): void {
    this.current = `reading ${title}`;
    this.draw(true);
  }

  /** A thread began writing a conversation in a format. */
  began(title: string, format: string): void {
    this.current = `${title} (${format})`;
    this.draw(true);
  }

  tick(count = 1): void {
    const now = monotonicMs();
    this.firstTick ??= now;
    if (!this.warm && now - this.firstTick >= WARM_UP_MS) this.warm = { at: now, done: this.done };
    this.done += count;
    if (this.warm) this.sample(now);
    this.draw(false);
    if (this.mode === 'lines') this.sayTenth();
  }

  /**
   * A line for each tenth, once the work has taken long enough for a rate (short runs say nothing). While
   * writing, conversations' lines say how far it got: a tenth is said only seconds after the last line (a
   * 44,000-message PDF was written in 23 s of silence), and never 100%, which its conversation's line says.
   */
  private sayTenth(): void {
    const percent = this.percent();
    const tenths = Math.floor(percent / 10);
    const now = monotonicMs();
    if (tenths <= this.tenthsSaid || now - this.firstTick! < SETTLE_MS) return;
    if (this.phase === 'writing' && (percent === 100 || now - this.lastLine < SETTLE_MS)) return;
    this.tenthsSaid = tenths;
    this.lastLine = now;
    const what = this.phase === 'writing' ? 'writing the files' : 'reading the sources';
    this.write(`${what}: ${percent}% | ${this.done.toLocaleString('en-US')}/${this.total.toLocaleString('en-US')} ${this.unit} | ${this.speed()}`);
  }

  /** A conversation is written in every format. */
  finished(title: string, messages: number): void {
    this.conversationsDone++;
    if (this.mode !== 'lines') return;
    const percent = this.percent();
    this.tenthsSaid = Math.floor(percent / 10);
    this.lastLine = monotonicMs();
    const n = (x: number) => x.toLocaleString('en-US');
    this.write(`[${this.conversationsDone}/${this.conversations}] ${title}: ${n(messages)} message${messages === 1 ? '' : 's'} | ${percent}% | ${this.speed()}`);
  }

  private percent(): number {
    return this.total > 0 ? Math.min(100, Math.floor((100 * this.done) / this.total)) : 100;
  }

  /**
   * Every file is written; what follows (the HTML index and search data, NDJSON's joining, the checksums of
   * every file) took 5 s after a million messages, with the bar at 100% and 0s left. It says so, in a line too
   * once writing has taken long enough for lines to be said.
   */
  finishing(what: string): void {
    this.current = `all written; finishing ${what}`;
    if (this.mode === 'lines' && monotonicMs() - (this.firstTick ?? Infinity) >= SETTLE_MS) this.write(`${this.current}…`);
  }

  stop(): void {
    if (!this.bar) return;
    // The reading bar stays while the store is finished and the files planned (seconds for a million messages).
    if (this.phase === 'reading') this.current = 'all read; finishing the store';
    this.bar.update(this.done, this.payload());
    this.bar.stop();
  }

  /**
   * Redraws at most every REDRAW_MS, and at once when `force`d (a new conversation): cli-progress itself
   * draws an update at once only 200 ms after its last drawing, else on a timer that a quick conversation
   * never gave a turn of the event loop.
   */
  private draw(force: boolean): void {
    if (!this.bar) return;
    const now = monotonicMs();
    if (!force && now - this.lastDraw < REDRAW_MS) return;
    this.lastDraw = now;
    this.bar.update(this.done, this.payload());
    if (force && this.bar.isActive) this.bar.render();
  }

  private payload() {
    return { speed: this.speed(), current: this.current };
  }

  /** Keeps a point of the window (at most every SAMPLE_MS), and only one older than the window. */
  private sample(now: number): void {
    const last = this.samples.at(-1);
    if (last && now - last.at < SAMPLE_MS) return;
    this.samples.push({ at: now, done: this.done });
    while (this.samples.length > 1 && this.samples[1]!.at <= now - WINDOW_MS) this.samples.shift();
  }

  /** Messages a second over the latest WINDOW_MS and the time left, once enough is measured; 'done' for a short one finished. */
  private speed(): string {
    const now = monotonicMs();
    const from = this.windowStart(now);
    if (!from || now - this.warm!.at < MEASURED_MS || this.done === from.done) return this.done >= this.total ? 'done' : 'estimating time left';
    const rate = ((this.done - from.done) / (now - from.at)) * 1000;
    const left = Math.max(0, this.total - this.done) / rate;
    return `${Math.round(rate).toLocaleString('en-US')} msg/s, ${duration(left)} left`;
  }

  /** Where the window begins: the latest point at least WINDOW_MS old, else where the rate is measured from. */
  private windowStart(now: number): Sample | undefined {
    for (let i = this.samples.length - 1; i >= 0; i--) if (this.samples[i]!.at <= now - WINDOW_MS) return this.samples[i];
    return this.warm;
  }
}

interface Sample {
  at: number;
  done: number;
}

export function duration(seconds: number): string {
  const s = Math.ceil(seconds);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  return m < 60 ? `${m}m${String(s % 60).padStart(2, '0')}s` : `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}
