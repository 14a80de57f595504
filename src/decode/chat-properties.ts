// chat.properties: per-chat settings stored as a plain plist (fixtures SCHEMA.md §4.6).

import { DecodeError } from './errors.js';
import { isPlistDict, parsePlist } from './plist.js';

export interface ChatProperties {
  readReceiptsEnabled: boolean;
  lastMessageGuid?: string;
  forcedSms: boolean;
  groupPhotoGuid?: string;
}

/** Decodes chat.properties; throws DecodeError when it is not a plist dictionary. */
export function decodeChatProperties(blob: Uint8Array): ChatProperties {
  const properties = parsePlist(blob);
  if (!isPlistDict(properties)) throw new DecodeError('chat properties are not a dictionary');
  const text = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);
  return {
    readReceiptsEnabled: properties.EnableReadReceiptForChat === true,
    lastMessageGuid: text(properties.lastSeenMessageGuid),
    forcedSms: properties.shouldForceToSMS === true,
    groupPhotoGuid: text(properties.groupPhotoGuid),
  };
}
