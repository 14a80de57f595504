import { closeSync } from 'node:fs';
import { isatty } from 'node:tty';

/**
 * Node 20 sets its terminal back as it found it when it exits, and aborts when it cannot (nodejs/node#51519,
 * fixed in later versions): a run whose terminal was closed ended in SIGABRT (and on a Mac, a crash report).
 * A standard stream that was a terminal as the process started and is none now (a terminal gone no longer
 * says it is one) is closed as the process exits, and Node passes it over.
 */
export function closeGoneTerminalAtExit(): void {
  const terminals = [0, 1, 2].filter((fd) => isatty(fd));
  if (terminals.length === 0) return;
  process.on('exit', () => {
    for (const fd of terminals.filter((fd) => !isatty(fd))) {
      try {
        closeSync(fd);
      } catch {
        // Closed already: nothing for Node to set back.
      }
    }
  });
}
