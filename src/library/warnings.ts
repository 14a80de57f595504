import { libraryLog } from './option-names.js';

/**
 * The warnings of an archive's sources, said once: openArchive says what opening them found; render() opens
 * them again and says only what it finds beyond that (a message's text, damage, files changed in `out`).
 */
export class SourceWarnings {
  private readonly opening = new Set<string>();
  private readonly say: (line: string) => void;

  constructor(onWarning: ((line: string) => void) | undefined) {
    this.say = libraryLog(onWarning);
  }

  /** openArchive's log. */
  readonly opened = (line: string): void => {
    this.opening.add(line);
    this.say(line);
  };

  /** A render's log, and how many of its lines it left out as said already (its summary does not count them). */
  rendering(): { log: (line: string) => void; saidAlready: () => number } {
    let left = 0;
    const log = (line: string) => {
      if (this.opening.has(line)) left++;
      else this.say(line);
    };
    return { log, saidAlready: () => left };
  }
}
