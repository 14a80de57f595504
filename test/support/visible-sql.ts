/**
 * SQL for a `message m` row shown as a message of its own: no tapback or sticker reaction, no poll vote nor
 * option added to a poll (both folded into their poll).
 */
export const SHOWN_ALONE = `m.associated_message_type NOT BETWEEN 1000 AND 3999
  AND NOT (m.balloon_bundle_id LIKE '%com.apple.messages.Polls' AND m.associated_message_type IN (2, 4000))`;
