/** Names of expressive send effects as Messages shows them. */
const EFFECTS: Record<string, string> = {
  'com.apple.MobileSMS.expressivesend.impact': 'Slam',
  'com.apple.MobileSMS.expressivesend.loud': 'Loud',
  'com.apple.MobileSMS.expressivesend.gentle': 'Gentle',
  'com.apple.MobileSMS.expressivesend.invisibleink': 'Invisible Ink',
  'com.apple.messages.effect.CKConfettiEffect': 'Confetti',
  'com.apple.messages.effect.CKEchoEffect': 'Echo',
  'com.apple.messages.effect.CKFireworksEffect': 'Fireworks',
  'com.apple.messages.effect.CKHappyBirthdayEffect': 'Balloons',
  'com.apple.messages.effect.CKHeartEffect': 'Love',
  'com.apple.messages.effect.CKLasersEffect': 'Lasers',
  'com.apple.messages.effect.CKShootingStarEffect': 'Shooting Star',
  'com.apple.messages.effect.CKSparklesEffect': 'Celebration',
  'com.apple.messages.effect.CKSpotlightEffect': 'Spotlight',
};

export function effectName(id: string | null): string | undefined {
  if (!id) return undefined;
  return EFFECTS[id] ?? id.slice(id.lastIndexOf('.') + 1);
}
