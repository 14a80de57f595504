// A small NSKeyedArchiver writer (binary plist with $objects and UID references), enough for the
// rich-link previews Messages stores in payload_data for URL balloons, and the template layouts of polls.
import * as plist from 'plist';

type Uid = { UID: number };

class KeyedArchive {
  private readonly objects: unknown[] = ['$null'];
  private readonly classes = new Map<string, Uid>();

  private reserve(): number {
    this.objects.push(null);
    return this.objects.length - 1;
  }

  string(value: string): Uid {
    this.objects.push(value);
    return { UID: this.objects.length - 1 };
  }

  /** An object whose slot precedes its children's, as NSKeyedArchiver numbers them. */
  object(classChain: string[], fields: () => Record<string, unknown>): Uid {
    const index = this.reserve();
    const body = fields();
    this.objects[index] = { ...body, $class: this.classRef(classChain) };
    return { UID: index };
  }

  url(value: string): Uid {
    return this.object(['NSURL', 'NSObject'], () => ({ 'NS.base': { UID: 0 }, 'NS.relative': this.string(value) }));
  }

  /** An NSDictionary of string keys; values are references made by `value` (or other objects). */
  dictionary(fields: () => Record<string, Uid>): Uid {
    return this.object(['NSDictionary', 'NSObject'], () => {
      const entries = Object.entries(fields());
      return { 'NS.keys': entries.map(([key]) => this.string(key)), 'NS.objects': entries.map(([, value]) => value) };
    });
  }

  uuid(guid: string): Uid {
    return this.object(['NSUUID', 'NSObject'], () => ({ 'NS.uuidbytes': Buffer.from(guid.replace(/-/g, ''), 'hex') }));
  }

  private classRef(chain: string[]): Uid {
    let ref = this.classes.get(chain[0]);
    if (!ref) {
      this.objects.push({ $classname: chain[0], $classes: chain });
      ref = { UID: this.objects.length - 1 };
      this.classes.set(chain[0], ref);
    }
    return ref;
  }

  encode(root: Uid): Buffer {
    return Buffer.from(
      plist.buildBinary({
        $version: 100000,
        $archiver: 'NSKeyedArchiver',
        $top: { root },
        $objects: this.objects,
      } as unknown as plist.PlistValue),
    );
  }
}

export interface LinkPreview {
  url: string;
  originalUrl: string;
  title: string;
  summary: string;
  siteName: string;
}

/** payload_data of a URL balloon: a RichLink root whose richLinkMetadata is an LPLinkMetadata. */
export function encodeRichLink(preview: LinkPreview): Buffer {
  const archive = new KeyedArchive();
  const root = archive.object(['RichLink', 'NSObject'], () => ({
    richLinkIsPlaceholder: false,
    richLinkMetadata: archive.object(['LPLinkMetadata', 'NSObject'], () => ({
      version: 1,
      originalURL: archive.url(preview.originalUrl),
      URL: archive.url(preview.url),
      title: archive.string(preview.title),
      summary: archive.string(preview.summary),
      siteName: archive.string(preview.siteName),
    })),
  }));
  return archive.encode(root);
}

/**
 * payload_data of a Polls balloon (a poll, or a vote with `ldtext` undefined): an MSMessageTemplateLayout
 * dictionary whose URL is `data:,<base64 JSON>` (with `?src=p&c=<options>` on a poll).
 */
export function encodePollLayout(json: object, session: string, ldtext?: string, options?: number): Buffer {
  const archive = new KeyedArchive();
  const url = `data:,${Buffer.from(JSON.stringify(json)).toString('base64')}${options === undefined ? '' : `?src=p&c=${options}`}`;
  const root = archive.dictionary(() => ({
    layoutClass: archive.string('MSMessageTemplateLayout'),
    an: archive.string('Polls'),
    sessionIdentifier: archive.uuid(session),
    URL: archive.url(url),
    ...(ldtext === undefined ? {} : { ldtext: archive.string(ldtext), userInfo: archive.dictionary(() => ({ caption: archive.string(ldtext) })) }),
  }));
  return archive.encode(root);
}
