/**
 * The App Home tab: what the bot deflected and what the knowledge base is missing, for the helpdesk and the KB
 * authors. Pure: built from the store's figures; within the 100-block limit whatever the database holds.
 */
import type { ChannelSettings, Gap, Stats } from "../store/store.js";
import { type Block, type HomeView, plain, section } from "./blocks.js";
import { ACTIONS } from "./ids.js";
import { escapeMrkdwn, truncate } from "./mrkdwn.js";

export interface KbStatus {
  articles: number;
  errors: number;
  warnings: number;
  loadedAt: number | null;
  /** Problems of the last load, errors first (file and line each). */
  problems?: Array<{ severity: "error" | "warning"; file: string; line: number; message: string }>;
  /** A reload that failed outright keeps the previous knowledge base: say so. */
  lastReload?: { ok: boolean; at: number; reason: string; error?: string } | null;
}

const MAX_PROBLEMS = 5;

export interface HomeInput {
  /** Channels with settings an admin chose, and whether the viewer may change them. */
  settings?: readonly ChannelSettings[];
  admin?: boolean;
  week: Stats;
  month: Stats;
  gaps: readonly Gap[];
  kb: KbStatus;
  now?: number;
}

const MAX_LIST = 10;

export function homeView(input: HomeInput): HomeView {
  const { week, month, gaps, kb } = input;
  const blocks: Block[] = [
    { type: "header", text: plain("Knowledge-base triage", 150) },
    section(
      "Paste an error in a channel I'm in, mention me, DM me or use `/triage &lt;error&gt;`: I answer with the article that fixes it, or say honestly that I have none.",
    ),
    { type: "divider" },
    { type: "header", text: plain("Deflection", 150) },
    section([figures("Last 7 days", week), figures("Last 30 days", month)].join("\n\n")),
  ];

  const top = month.topArticles.slice(0, MAX_LIST);
  if (top.length > 0) {
    blocks.push(
      section(
        `*Top articles (30 days)*\n${top
          .map((a) => `• \`${escapeMrkdwn(a.articleId)}\` answered ${a.answered}, fixed ${a.fixed}`)
          .join("\n")}`,
      ),
    );
  }
  const disputed = month.topArticles.filter((a) => a.notIt > 0).sort((a, b) => b.notIt - a.notIt);
  if (disputed.length > 0) {
    blocks.push(
      section(
        `*Most often "Not it" (articles to fix)*\n${disputed
          .slice(0, MAX_LIST)
          .map((a) => `• \`${escapeMrkdwn(a.articleId)}\` ${a.notIt} of ${a.answered}`)
          .join("\n")}`,
      ),
    );
  }

  blocks.push({ type: "divider" }, { type: "header", text: plain("KB gaps: articles to write next", 150) });
  if (gaps.length === 0) {
    blocks.push(section("_No unanswered errors in the last 30 days._"));
  } else {
    for (const gap of gaps.slice(0, 20)) {
      const text = gap.text === null ? "_(text not stored)_" : `\`${truncate(escapeMrkdwn(gap.text), 300)}\``;
      blocks.push(
        section(
          `${text}\n${gap.count} × · ${gap.verdict === "none" ? "no match" : "unsure"} · last seen ${new Date(gap.lastSeen).toISOString().slice(0, 10)}`,
        ),
      );
    }
  }

  blocks.push({ type: "divider" }, { type: "header", text: plain("Channel settings", 150) });
  const chosen = (input.settings ?? []).slice(0, 15);
  blocks.push(
    section(
      chosen.length === 0
        ? "_Every channel uses the defaults._"
        : chosen
            .map(
              (c) =>
                `• <#${c.channel}>: ${c.mode === "errors" ? "error pastes" : c.mode === "all" ? "every message" : c.mode === "mentions" ? "mentions only" : "off"}, confidence ${Math.round(c.minScore * 100)} %, cooldown ${c.cooldownMinutes} min`,
            )
            .join("\n"),
    ),
  );
  if (input.admin) {
    blocks.push({
      type: "actions",
      elements: [
        {
          type: "button",
          text: plain("Change a channel's settings", 75),
          action_id: ACTIONS.editSettings,
          value: "settings",
        },
      ],
    });
  } else {
    blocks.push({
      type: "context",
      elements: [{ type: "mrkdwn", text: "Only helpdesk admins can change these." }],
    });
  }

  blocks.push({ type: "divider" }, ...kbBlocks(kb, input.admin === true));
  return { type: "home", blocks: blocks.slice(0, 100) };
}

const utc = (at: number) => `${new Date(at).toISOString().replace("T", " ").slice(0, 16)} UTC`;

/** The knowledge base's state: counts, the problems to fix (file:line), a failed reload, the admin's Reload. */
function kbBlocks(kb: KbStatus, admin: boolean): Block[] {
  const blocks: Block[] = [];
  const errors = (kb.problems ?? []).filter((p) => p.severity === "error");
  if (errors.length > 0) {
    const lines = errors
      .slice(0, MAX_PROBLEMS)
      .map((p) => `• \`${escapeMrkdwn(`${p.file}:${p.line}`)}\` ${escapeMrkdwn(truncate(p.message, 200))}`);
    if (errors.length > MAX_PROBLEMS) {
      lines.push(`_…and ${errors.length - MAX_PROBLEMS} more: run \`triage kb check\`_`);
    }
    blocks.push(
      section(
        `*Knowledge-base files with errors (skipped or kept at their last good version)*\n${lines.join("\n")}`,
      ),
    );
  }
  const reload = kb.lastReload;
  if (reload && !reload.ok) {
    blocks.push(
      section(
        `:warning: *The last reload failed* (${escapeMrkdwn(reload.reason)}, ${utc(reload.at)}): ${escapeMrkdwn(truncate(reload.error ?? "", 300))}\nThe previous knowledge base is still served.`,
      ),
    );
  }
  blocks.push({
    type: "context",
    elements: [
      {
        type: "mrkdwn",
        text: `Knowledge base: ${kb.articles} articles, ${kb.errors} errors, ${kb.warnings} warnings${kb.loadedAt ? ` · loaded ${utc(kb.loadedAt)}` : ""}`,
      },
    ],
  });
  if (admin) {
    blocks.push({
      type: "actions",
      elements: [
        {
          type: "button",
          text: plain("Reload knowledge base", 75),
          action_id: ACTIONS.reloadKnowledge,
          value: "reload",
        },
      ],
    });
  }
  return blocks;
}

function figures(label: string, s: Stats): string {
  return [
    `*${label}*`,
    `${s.triaged} errors triaged · ${s.answered} answered confidently · ${s.fixed} confirmed fixed · ${s.escalated} escalated`,
    `Deflection rate (fixed ÷ triaged): *${(100 * s.deflectionRate).toFixed(1)} %*`,
  ].join("\n");
}
