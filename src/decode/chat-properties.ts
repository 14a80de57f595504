// chat.properties: per-chat settings stored as a plain plist (fixtures SCHEMA.md §4.6).

import { DecodeError } from './errors.js';
import { isPlistDict, parsePlist, plistText } from './plist.js';

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
  return {
    readReceiptsEnabled: properties.EnableReadReceiptForChat === true,
    lastMessageGuid: plistText(properties.lastSeenMessageGuid),
    forcedSms: properties.shouldForceToSMS === true,
    groupPhotoGuid: plistText(properties.groupPhotoGuid),
  };
}
