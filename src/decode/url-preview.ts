// Rich link previews (com.apple.messages.URLBalloonProvider payload_data): an NSKeyedArchiver
// RichLink / LPSharingMetadataWrapper holding LPLinkMetadata (fixtures SCHEMA.md §4.3, §4.4).

import { DecodeError } from './errors.js';
import { archivedClass, unarchive } from './keyed-archiver.js';
import { isPlistDict, plistText as text } from './plist.js';

export type UrlPreviewKind = 'normal' | 'apple_music' | 'app_store' | 'shared_placemark' | 'collaboration';

export interface UrlPreview {
  kind: UrlPreviewKind;
  /** Class of the archive's root object (RichLink, LPSharingMetadataWrapper). */
  rootClass?: string;
  title?: string;
  summary?: string;
  /** The final URL after redirects. */
  url?: string;
  /** The URL as sent. */
  originalUrl?: string;
  itemType?: string;
  siteName?: string;
  images: string[];
  icons: string[];
  placeholder: boolean;
  music?: MusicDetails;
  appStore?: AppStoreDetails;
  placemark?: PlacemarkDetails;
  collaboration?: CollaborationDetails;
}

export interface MusicDetails {
  trackName?: string;
  artist?: string;
  album?: string;
  /** Preview audio URL. */
  preview?: string;
  lyrics?: string[];
  lyricExcerptTimes?: { start: number; end: number };
  storeIdentifier?: string;
}

export interface AppStoreDetails {
  appName?: string;
  description?: string;
  platform?: string;
  genre?: string;
}

export interface PlacemarkDetails {
  name?: string;
  address?: string;
  street?: string;
  city?: string;
  state?: string;
  postalCode?: string;
  country?: string;
  isoCountryCode?: string;
  subAdministrativeArea?: string;
  subLocality?: string;
}

export interface CollaborationDetails {
  /** The shared document's URL (collaborationIdentifier). */
  url?: string;
  title?: string;
  creationDate?: Date;
  /** Bundle id of the app that owns the document, e.g. com.apple.freeform. */
  bundleId?: string;
  appName?: string;
}

type Fields = Record<string, unknown>;

function fields(value: unknown): Fields | undefined {
  return isPlistDict(value) ? value : undefined;
}

function urls(list: unknown): string[] {
  if (!Array.isArray(list)) return [];
  return list.map((item) => text(fields(item)?.URL)).filter((url): url is string => url !== undefined);
}

/** The URL to show: the final URL, else the URL as sent. */
export function previewUrl(preview: UrlPreview): string | undefined {
  return preview.collaboration?.url ?? preview.url ?? preview.originalUrl;
}

/** Decodes a URL-balloon payload; throws DecodeError when it is not a link preview. */
export function decodeUrlPreview(payload: Uint8Array): UrlPreview {
  const root = fields(unarchive(payload));
  const metadata = fields(root?.richLinkMetadata) ?? fields(root?.metadata);
  if (!root || !metadata) throw new DecodeError('payload is not a link preview');
  const preview: UrlPreview = {
    kind: 'normal',
    rootClass: archivedClass(root),
    title: text(metadata.title),
    summary: text(metadata.summary),
    url: text(metadata.URL),
    originalUrl: text(metadata.originalURL),
    itemType: text(metadata.itemType),
    siteName: text(metadata.siteName),
    images: urls(metadata.images),
    icons: urls(metadata.icons),
    placeholder: root.richLinkIsPlaceholder === true,
  };
  addSpecialization(preview, metadata);
  return preview;
}

// The first matching rule decides the kind (SCHEMA §4.4).
function addSpecialization(preview: UrlPreview, metadata: Fields): void {
  const collaboration = fields(metadata.collaborationMetadata);
  const specialization = fields(metadata.specialization);
  const specialization2 = fields(metadata.specialization2);
  if (collaboration) {
    preview.kind = 'collaboration';
    preview.collaboration = collaborationDetails(collaboration, specialization2);
  } else if (specialization && text(specialization.album)) {
    preview.kind = 'apple_music';
    preview.music = musicDetails(specialization);
  } else if (specialization) {
    preview.kind = 'app_store';
    preview.appStore = {
      appName: text(specialization.name),
      description: text(specialization.subtitle),
      platform: text(specialization.platform),
      genre: text(specialization.genre),
    };
  } else if (specialization2 && text(specialization2.address)) {
    preview.kind = 'shared_placemark';
    preview.placemark = placemarkDetails(specialization2);
  }
}

function musicDetails(song: Fields): MusicDetails {
  const excerpt = fields(song.lyricExcerpt);
  const lyrics = text(excerpt?.lyrics);
  const start = excerpt?.startTime;
  const end = excerpt?.endTime;
  return {
    trackName: text(song.name),
    artist: text(song.artist),
    album: text(song.album),
    preview: text(song.previewURL),
    lyrics: lyrics?.split('\n'),
    lyricExcerptTimes: typeof start === 'number' && typeof end === 'number' ? { start, end } : undefined,
    storeIdentifier: text(song.storeIdentifier),
  };
}

function placemarkDetails(map: Fields): PlacemarkDetails {
  const address = fields(map.addressComponents) ?? {};
  return {
    name: text(map.name),
    address: text(map.address),
    street: text(address._street),
    city: text(address._city),
    state: text(address._state),
    postalCode: text(address._postalCode),
    country: text(address._country),
    isoCountryCode: text(address._ISOCountryCode),
    subAdministrativeArea: text(address._subAdministrativeArea),
    subLocality: text(address._subLocality),
  };
}

function collaborationDetails(collaboration: Fields, shared: Fields | undefined): CollaborationDetails {
  const container = fields(fields(collaboration.containerSetupInfo)?.containerID);
  const created = collaboration.creationDate;
  return {
    url: text(collaboration.collaborationIdentifier),
    title: text(collaboration.title),
    creationDate: created instanceof Date ? created : undefined,
    bundleId: text(container?.ContainerIdentifier),
    appName: text(fields(shared?.specialization)?.application),
  };
}
