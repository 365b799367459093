/** Every Slack action_id, callback_id and block_id the bot uses, so handlers and builders cannot drift apart. */

export const ACTIONS = {
  share: "triage_share",
  otherMatches: "triage_other",
  fullArticle: "triage_full_article",
  postInThread: "triage_post_in_thread",
  pick: "triage_pick",
  fixed: "triage_fixed",
  notIt: "triage_not_it",
  escalate: "triage_escalate",
  editSettings: "triage_edit_settings",
  reloadKnowledge: "triage_reload_knowledge",
} as const;

export type ActionName = keyof typeof ACTIONS;

/** Message shortcut "Triage this message". */
export const SHORTCUT_CALLBACK = "triage_message";
/** The channel-settings modal (App Home). */
export const SETTINGS_MODAL_CALLBACK = "triage_settings";
/** The full-article modal. */
export const ARTICLE_MODAL_CALLBACK = "triage_article";
export const COMMAND = "/triage";
/** The Workflow Builder custom step "Find the KB article for an error". */
export const FUNCTION_CALLBACK = "find_kb_article";

export const BLOCK_IDS = {
  answerTitle: "triage_answer_title",
  answerMatch: "triage_answer_match",
  answerCause: "triage_answer_cause",
  answerResolution: "triage_answer_resolution",
  answerSharedBy: "triage_answer_shared_by",
  answerConfirmed: "triage_answer_confirmed",
  answerActions: "triage_answer_actions",
  candidatesIntro: "triage_candidates_intro",
  /** Followed by the candidate's position (0, 1, 2), since block_ids must be unique in a message. */
  candidatePrefix: "triage_candidate_",
  noMatch: "triage_no_match",
  usage: "triage_usage",
  modalHeader: "triage_modal_header",
  modalMeta: "triage_modal_meta",
  /** Followed by the section's position in the modal. */
  modalSectionPrefix: "triage_modal_section_",
  modalTooLong: "triage_modal_too_long",
} as const;

/** Slack's limit for a button value. */
export const MAX_BUTTON_VALUE = 2000;

/** What a button refers to: ids only, so a click never carries (or leaks) pasted text. */
export interface ButtonRef {
  triageId: string;
  articleId?: string;
}

/** The encoded value, or null when the ids are unusable (empty triageId) or do not fit in a button value. */
export function tryEncodeButtonValue(ref: ButtonRef): string | null {
  if (typeof ref.triageId !== "string" || ref.triageId === "") return null;
  const wire: { t: string; a?: string } = { t: ref.triageId };
  if (typeof ref.articleId === "string" && ref.articleId !== "") wire.a = ref.articleId;
  const value = JSON.stringify(wire);
  return value.length <= MAX_BUTTON_VALUE ? value : null;
}

/** Like {@link tryEncodeButtonValue}, but throws a RangeError instead of returning null (a caller bug). */
export function encodeButtonValue(ref: ButtonRef): string {
  const value = tryEncodeButtonValue(ref);
  if (value === null) {
    throw new RangeError("Button value needs a non-empty triageId and must fit in 2000 characters.");
  }
  return value;
}

/** The ids in a button value, or null for anything we did not encode (never throws). */
export function decodeButtonValue(value: unknown): ButtonRef | null {
  if (typeof value !== "string" || value.length === 0 || value.length > MAX_BUTTON_VALUE) return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    return null;
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) return null;
  const record = parsed as Record<string, unknown>;
  for (const key of Object.keys(record)) if (key !== "t" && key !== "a") return null;
  const { t, a } = record;
  if (typeof t !== "string" || t === "") return null;
  if (a === undefined) return { triageId: t };
  if (typeof a !== "string" || a === "") return null;
  return { triageId: t, articleId: a };
}
