export { BLOCK_KIT_CSS } from "./block-kit-css.js";
export { blocksToHtml, messageToHtml } from "./blocks-html.js";
export { EMOJI, emojiFor } from "./emoji.js";
export { escapeHtml, safeHttpUrl, safeLinkUrl } from "./html.js";
export { mrkdwnToHtml, plainTextToHtml, type RenderContext } from "./mrkdwn-html.js";
