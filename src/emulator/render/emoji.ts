/**
 * Common Slack emoji short names → Unicode. Slack knows thousands; the sandbox only needs the ones bots and people
 * use most. Unknown names are left as `:name:` text, as Slack does for emoji it does not know.
 */
export const EMOJI: Readonly<Record<string, string>> = Object.freeze({
  // Status and checks
  white_check_mark: "✅",
  heavy_check_mark: "✔️",
  ballot_box_with_check: "☑️",
  x: "❌",
  negative_squared_cross_mark: "❎",
  warning: "⚠️",
  rotating_light: "🚨",
  no_entry: "⛔",
  no_entry_sign: "🚫",
  question: "❓",
  grey_question: "❔",
  exclamation: "❗",
  grey_exclamation: "❕",
  bangbang: "‼️",
  information_source: "ℹ️",
  heavy_plus_sign: "➕",
  heavy_minus_sign: "➖",
  white_circle: "⚪",
  black_circle: "⚫",
  large_green_circle: "🟢",
  large_yellow_circle: "🟡",
  large_orange_circle: "🟠",
  red_circle: "🔴",
  large_blue_circle: "🔵",
  // Time
  hourglass: "⌛",
  hourglass_flowing_sand: "⏳",
  stopwatch: "⏱️",
  alarm_clock: "⏰",
  // Objects and tools
  mag: "🔍",
  mag_right: "🔎",
  bulb: "💡",
  wrench: "🔧",
  hammer_and_wrench: "🛠️",
  gear: "⚙️",
  memo: "📝",
  pencil: "📝",
  pencil2: "✏️",
  books: "📚",
  book: "📖",
  page_facing_up: "📄",
  page_with_curl: "📃",
  clipboard: "📋",
  pushpin: "📌",
  link: "🔗",
  paperclip: "📎",
  lock: "🔒",
  unlock: "🔓",
  key: "🔑",
  computer: "💻",
  desktop_computer: "🖥️",
  email: "📧",
  envelope: "✉️",
  bell: "🔔",
  no_bell: "🔕",
  ticket: "🎫",
  package: "📦",
  chart_with_upwards_trend: "📈",
  chart_with_downwards_trend: "📉",
  bar_chart: "📊",
  calendar: "📆",
  date: "📅",
  speech_balloon: "💬",
  loudspeaker: "📢",
  mega: "📣",
  robot_face: "🤖",
  bug: "🐛",
  rocket: "🚀",
  zap: "⚡",
  fire: "🔥",
  sparkles: "✨",
  star: "⭐",
  tada: "🎉",
  trophy: "🏆",
  eyes: "👀",
  // Hands and people
  raising_hand: "🙋",
  point_right: "👉",
  point_left: "👈",
  point_up: "☝️",
  point_down: "👇",
  thumbsup: "👍",
  "+1": "👍",
  thumbsdown: "👎",
  "-1": "👎",
  ok_hand: "👌",
  clap: "👏",
  pray: "🙏",
  wave: "👋",
  muscle: "💪",
  raised_hands: "🙌",
  handshake: "🤝",
  // Faces
  smile: "😄",
  smiley: "😃",
  grinning: "😀",
  slightly_smiling_face: "🙂",
  wink: "😉",
  joy: "😂",
  thinking_face: "🤔",
  confused: "😕",
  disappointed: "😞",
  cry: "😢",
  scream: "😱",
  sweat_smile: "😅",
  face_palm: "🤦",
  shrug: "🤷",
  heart: "❤️",
  broken_heart: "💔",
  // Arrows and symbols
  arrow_right: "➡️",
  arrow_left: "⬅️",
  arrow_up: "⬆️",
  arrow_down: "⬇️",
  arrows_counterclockwise: "🔄",
  repeat: "🔁",
  100: "💯",
  // Skin tones: Slack writes them as a second emoji right after the first (`:+1::skin-tone-2:`).
  "skin-tone-2": "🏻",
  "skin-tone-3": "🏼",
  "skin-tone-4": "🏽",
  "skin-tone-5": "🏾",
  "skin-tone-6": "🏿",
});

const SHORT_NAME = /:([a-z0-9_+-]{1,64}):/y;

/** The Unicode for a short name, or undefined. Own keys only, so `:constructor:` stays text. */
export function emojiFor(name: string): string | undefined {
  return Object.hasOwn(EMOJI, name) ? EMOJI[name] : undefined;
}

/**
 * Replaces known `:name:` in text that is already HTML-escaped. Safe there: escaping never produces a colon, so
 * a short name cannot straddle an entity, and the replacements are our own constants. An unknown name gives its
 * closing colon back, so in `:nope:wave:` the wave is still found.
 */
export function emojify(escaped: string): string {
  let colon = escaped.indexOf(":");
  if (colon < 0) return escaped;
  let out = "";
  let done = 0;
  while (colon >= 0) {
    SHORT_NAME.lastIndex = colon;
    const m = SHORT_NAME.exec(escaped);
    const unicode = m ? emojiFor(m[1] ?? "") : undefined;
    if (m && unicode !== undefined) {
      out += escaped.slice(done, colon) + unicode;
      done = colon + m[0].length;
      colon = escaped.indexOf(":", done);
    } else {
      colon = escaped.indexOf(":", colon + 1);
    }
  }
  return out + escaped.slice(done);
}
