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
