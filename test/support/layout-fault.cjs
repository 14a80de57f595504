// Preloaded into a CLI run (NODE_OPTIONS=--require) by tests of what a failing layout leaves: bidi-js, which lays out
// every paragraph with a right-to-left letter, throws on one holding FAULT, as a bug of textkeeper's own would.
const path = require.resolve('bidi-js', { paths: [process.cwd(), __dirname] });
const factory = require(path);
const FAULT = '⟦fault⟧';
require.cache[path].exports = function faultyBidi() {
  const bidi = factory();
  const levels = bidi.getEmbeddingLevels;
  bidi.getEmbeddingLevels = (text, ...rest) => {
    if (text.includes(FAULT)) throw new Error('a fault put there by the test');
    return levels(text, ...rest);
  };
  return bidi;
};
