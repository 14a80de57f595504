import { isYou } from '../model/owner.js';
import type { GroupEvent, Person } from '../model/types.js';
import type { MessageRow } from '../read/rows.js';

/**
 * The system line a non-ordinary message stands for (item_type ≠ 0): membership changes, renames,
 * group photo changes and the like. Unknown kinds are kept as 'other', never dropped. The owner under the
 * default name is "you" ("You named the conversation …", "Ann added you …").
 */
export function groupEvent(row: MessageRow, actor: Person, target: Person | undefined): GroupEvent {
  const who = isYou(actor) ? 'You' : actor.name;
  const whom = target ? objectName(target) : 'someone';
  switch (membershipChange(row)) {
    case 'added':
      return { type: 'member-added', actor, target, description: `${who} added ${whom} to the conversation.` };
    case 'removed':
      return { type: 'member-removed', actor, target, description: `${who} removed ${whom} from the conversation.` };
    case 'left':
      return { type: 'member-left', actor, description: `${who} left the conversation.` };
  }
  switch (row.itemType) {
    case 2:
      return row.groupTitle
        ? { type: 'renamed', actor, name: row.groupTitle, description: `${who} named the conversation “${row.groupTitle}”.` }
        : { type: 'renamed', actor, description: `${who} removed the conversation name.` };
    case 3:
      return row.groupActionType === 1
        ? { type: 'photo-changed', actor, description: `${who} changed the group photo.` }
        : { type: 'photo-removed', actor, description: `${who} removed the group photo.` };
    case 4: {
      const verb = row.shareStatus ? 'stopped' : 'started';
      const whose = isYou(actor) ? 'your' : 'their';
      const withWhom = target && target.handle !== actor.handle ? ` with ${objectName(target)}` : '';
      return { type: 'other', actor, target, description: `${who} ${verb} sharing ${whose} location${withWhom}.` };
    }
    case 5:
      return { type: 'other', actor, description: `${who} kept an audio message.` };
    case 6:
      return { type: 'other', actor, description: actor.isMe ? `${who} started a FaceTime call.` : `FaceTime call with ${who}.` };
    default:
      return { type: 'other', actor, description: `System message of type ${row.itemType} from ${objectName(actor)}.` };
  }
}

/**
 * The change of a group's membership a row records: item_type 1 someone added (other_handle), or removed when
 * group_action_type is 1; item_type 3 that is no photo change (group_action_type 1, 2) the sender leaving.
 */
export function membershipChange({ itemType, groupActionType }: Pick<MessageRow, 'itemType' | 'groupActionType'>): 'added' | 'removed' | 'left' | undefined {
  if (itemType === 1) return groupActionType === 1 ? 'removed' : 'added';
  if (itemType === 3 && groupActionType !== 1 && groupActionType !== 2) return 'left';
  return undefined;
}

/**
 * An event whose people (`now`) were named otherwise when it was worded (`was`): its sentence names them as they
 * are named now, the actor where it names someone first, the target where last (see `groupEvent`).
 */
export function reworded(was: GroupEvent, now: GroupEvent): GroupEvent {
  let description = renamedIn(was.description, was.actor.name, now.actor.name, 'first');
  if (was.target && now.target) description = renamedIn(description, was.target.name, now.target.name, 'last');
  return { ...now, description };
}

/** The sentence with one of the places it names someone `from` (a whole name: between spaces, or before a full stop) naming `to`. */
function renamedIn(sentence: string, from: string, to: string, which: 'first' | 'last'): string {
  if (from === to) return sentence;
  const escaped = from.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const spots = [...sentence.matchAll(new RegExp(`(?<=^| )${escaped}(?=[ .]|$)`, 'g'))];
  const spot = which === 'first' ? spots[0] : spots.at(-1);
  return spot === undefined ? sentence : sentence.slice(0, spot.index) + to + sentence.slice(spot.index + from.length);
}

function objectName(person: Person): string {
  return isYou(person) ? 'you' : person.name;
}
