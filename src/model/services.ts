import { compareText } from './people.js';

/**
 * Apple's names of the services that carry a message over satellite (Messages via satellite, iOS 18), each with
 * the service it is by other means: Messages' own sync query lists them beside iMessage, SMS and RCS.
 */
const BY_SATELLITE: Record<string, string> = { iMessageLite: 'iMessage', SatelliteSMS: 'SMS' };

/** The service a message went by as the model names it ("iMessage" for iMessageLite), and whether it went over satellite. */
export function serviceOf(name: string): { service: string; satellite?: true } {
  const service = BY_SATELLITE[name];
  return service ? { service, satellite: true } : { service: name };
}

/**
 * The services of a conversation several sources have, each once: where it comes first in a source's list (by name
 * when several do), so that lists that agree keep their order and the order the sources are read in changes nothing.
 */
export function everyService(lists: string[][]): string[] {
  const at = new Map<string, number>();
  for (const list of lists) list.forEach((service, i) => at.set(service, Math.min(i, at.get(service) ?? i)));
  return [...at.keys()].sort((a, b) => at.get(a)! - at.get(b)! || compareText(a, b));
}
