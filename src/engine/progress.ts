import cliProgress from 'cli-progress';

/** A progress bar on stderr when it is a terminal; silent otherwise (pipes, CI, tests). */
export class Progress {
  private readonly bar?: cliProgress.SingleBar;
  private done = 0;

  constructor(total: number, enabled: boolean) {
    if (!enabled || !process.stderr.isTTY) return;
    this.bar = new cliProgress.SingleBar(
      { stream: process.stderr, format: 'Exporting [{bar}] {percentage}% | {value}/{total} messages | {eta_formatted} left', hideCursor: true },
      cliProgress.Presets.shades_classic,
    );
    this.bar.start(total, 0);
  }

  tick(count = 1): void {
    if (!this.bar) return;
    const before = Math.floor(this.done / 500);
    this.done += count;
    if (Math.floor(this.done / 500) !== before) this.bar.update(this.done);
  }

  /** Changes the total, once a guessed part of it is known exactly. */
  correctTotal(change: number): void {
    if (!this.bar || change === 0) return;
    this.bar.setTotal(this.bar.getTotal() + change);
  }

  stop(): void {
    if (!this.bar) return;
    this.bar.update(this.done);
    this.bar.stop();
  }
}
