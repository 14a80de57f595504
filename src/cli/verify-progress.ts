import type cliProgress from 'cli-progress';
import { duration, loadBars, monotonicMs, type ProgressMode } from '../engine/progress.js';
import { formatBytes } from '../render/describe.js';

/** How soon a rate is worth an estimate, and a line worth printing. */
const SETTLE_MS = 2000;

/**
 * How far `verify` has read the archive's files, on stderr: a bar on a terminal; otherwise, once reading has
 * taken a while (tens of gigabytes of attachments), a line for each tenth read.
 */
export class VerifyProgress {
  private bar?: cliProgress.SingleBar;
  private readonly started = monotonicMs();
  private tenthsSaid = 0;

  constructor(
    private readonly mode: ProgressMode,
    private readonly write: (line: string) => void,
  ) {}

  readonly update = (read: number, total: number): void => {
    const payload = { read: formatBytes(read), size: formatBytes(total), left: this.left(read, total) };
    if (this.mode === 'bar') {
      if (!this.bar) {
        const bars = loadBars();
        this.bar = new bars.SingleBar(
          { stream: process.stderr, format: 'verifying [{bar}] {percentage}% | {read} of {size} read | {left}', hideCursor: true, linewrap: false },
          bars.Presets.shades_classic,
        );
        this.bar.start(total, 0, payload);
      }
      this.bar.update(read, payload);
    } else if (this.mode === 'lines') {
      const tenths = Math.floor((10 * read) / Math.max(1, total));
      if (tenths <= this.tenthsSaid || monotonicMs() - this.started < SETTLE_MS) return;
      this.tenthsSaid = tenths;
      this.write(`verifying: ${tenths * 10}% | ${payload.read} of ${payload.size} read | ${payload.left}`);
    }
  };

  stop(): void {
    this.bar?.stop();
  }

  private left(read: number, total: number): string {
    if (read >= total) return 'done';
    const elapsed = monotonicMs() - this.started;
    if (elapsed < SETTLE_MS || read === 0) return 'estimating time left';
    return `${duration(((total - read) / read) * (elapsed / 1000))} left`;
  }
}
