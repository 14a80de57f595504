/** A one-line spinner on stderr while a slow step runs (backup key derivation); silent when stderr is not a terminal. */
export class Spinner {
  private timer?: NodeJS.Timeout;

  start(label: string): void {
    if (!process.stderr.isTTY) return;
    const frames = '⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏';
    let frame = 0;
    this.timer = setInterval(() => process.stderr.write(`\r${frames[frame++ % frames.length]} ${label}`), 100);
  }

  stop(): void {
    if (!this.timer) return;
    clearInterval(this.timer);
    this.timer = undefined;
    process.stderr.write('\r\u001b[2K');
  }
}
