// Bundled by scripts/vendor-js into web/static/vendor/twitter-text.min.js:
// the official twitter-text library as one script that sets
// globalThis.twttr.txt, as its old browser build did.
import txt from "twitter-text";
globalThis.twttr = Object.assign(globalThis.twttr || {}, { txt: txt });
