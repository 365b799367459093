/**
 * The TriageStore on Kysely: the same queries on SQLite and PostgreSQL (portable SQL only: upserts with ON
 * CONFLICT, count(DISTINCT …), CASE). Opening, pragmas and migrations are the dialect files' business.
 */
import { type Kysely, sql } from "kysely";
import type { Database } from "./schema.js";
import type { ChannelSettings, FeedbackRow, Gap, Stats, TriageRow, TriageStore } from "./store.js";

const DAY = 24 * 3600_000;

const triageColumns = [
  "id",
  "at",
  "team",
  "channel",
  "user",
  "source",
  "text",
  "text_hash as textHash",
  "verdict",
  "top_article as topArticle",
  "score",
  "latency_ms as latencyMs",
  "message_ts as messageTs",
] as const;

const settingsColumns = [
  "channel",
  "mode",
  "min_score as minScore",
  "cooldown_minutes as cooldownMinutes",
  "updated_by as updatedBy",
  "updated_at as updatedAt",
] as const;

export function kyselyStore(db: Kysely<Database>, close: () => Promise<void>): TriageStore {
  return {
    async recordTriage(row: TriageRow) {
      const values = {
        id: row.id,
        at: row.at,
        team: row.team,
        channel: row.channel,
        user: row.user,
        source: row.source,
        text: row.text,
        text_hash: row.textHash,
        verdict: row.verdict,
        top_article: row.topArticle,
        score: row.score,
        latency_ms: row.latencyMs,
        message_ts: row.messageTs,
      };
      // An upsert, not a replace: a replace deletes the row first, and its feedback with it (ON DELETE CASCADE).
      const { id: _, ...update } = values;
      await db
        .insertInto("triages")
        .values(values)
        .onConflict((oc) => oc.column("id").doUpdateSet(update))
        .execute();
    },
    async recordFeedback(row) {
      await db
        .insertInto("feedback")
        .values({
          triage_id: row.triageId,
          at: row.at,
          user: row.user,
          kind: row.kind,
          article_id: row.articleId,
        })
        .execute();
    },
    async recordEscalation(row) {
      await db
        .insertInto("escalations")
        .values({
          triage_id: row.triageId,
          at: row.at,
          user: row.user,
          channel: row.channel,
          posted_ts: row.postedTs,
          ticket_url: row.ticketUrl,
        })
        .execute();
    },
    async triage(id) {
      const row = await db
        .selectFrom("triages")
        .select(triageColumns)
        .where("id", "=", id)
        .executeTakeFirst();
      return row as TriageRow | undefined;
    },
    async feedbackFor(triageId) {
      const rows = await db
        .selectFrom("feedback")
        .select(["triage_id as triageId", "at", "user", "kind", "article_id as articleId"])
        .where("triage_id", "=", triageId)
        .orderBy("at")
        .execute();
      return rows as FeedbackRow[];
    },
    async stats(days, now = Date.now(), team?: string): Promise<Stats> {
      const since = now - days * DAY;
      // Feedback and escalations count for the triages of the window (and of the workspace, when asked).
      const teamOnly = team === undefined ? sql`` : sql` AND t.team = ${team}`;
      const counts = await sql<{
        triaged: number | string;
        answered: number | string;
        fixed: number | string;
        notIt: number | string;
        escalated: number | string;
      }>`SELECT
           (SELECT count(*) FROM triages t WHERE t.at >= ${since}${teamOnly}) AS triaged,
           (SELECT count(*) FROM triages t WHERE t.at >= ${since} AND t.verdict = 'match'${teamOnly}) AS answered,
           (SELECT count(DISTINCT f.triage_id) FROM feedback f JOIN triages t ON t.id = f.triage_id
              WHERE f.at >= ${since} AND f.kind = 'fixed'${teamOnly}) AS fixed,
           (SELECT count(DISTINCT f.triage_id) FROM feedback f JOIN triages t ON t.id = f.triage_id
              WHERE f.at >= ${since} AND f.kind = 'not_it'${teamOnly}) AS "notIt",
           (SELECT count(DISTINCT e.triage_id) FROM escalations e JOIN triages t ON t.id = e.triage_id
              WHERE e.at >= ${since}${teamOnly}) AS escalated`.execute(db);
      const c = counts.rows[0];
      const n = (v: number | string | undefined) => Number(v ?? 0);
      const triaged = n(c?.triaged);
      const fixed = n(c?.fixed);
      const top = await sql<{
        articleId: string;
        answered: number | string;
        fixed: number | string;
        notIt: number | string;
      }>`SELECT t.top_article AS "articleId", count(DISTINCT t.id) AS answered,
                count(DISTINCT CASE WHEN f.kind = 'fixed' THEN t.id END) AS fixed,
                count(DISTINCT CASE WHEN f.kind = 'not_it' THEN t.id END) AS "notIt"
         FROM triages t LEFT JOIN feedback f ON f.triage_id = t.id
         WHERE t.at >= ${since} AND t.verdict = 'match' AND t.top_article IS NOT NULL${teamOnly}
         GROUP BY t.top_article ORDER BY answered DESC, t.top_article LIMIT 10`.execute(db);
      return {
        days,
        triaged,
        answered: n(c?.answered),
        fixed,
        notIt: n(c?.notIt),
        escalated: n(c?.escalated),
        deflectionRate: triaged === 0 ? 0 : fixed / triaged,
        topArticles: top.rows.map((r) => ({
          articleId: r.articleId,
          answered: n(r.answered),
          fixed: n(r.fixed),
          notIt: n(r.notIt),
        })),
      };
    },
    async gaps(days, limit = 20, now = Date.now(), team?: string): Promise<Gap[]> {
      const since = now - days * DAY;
      const teamOnly = team === undefined ? sql`` : sql` AND g.team = ${team}`;
      const innerTeam = team === undefined ? sql`` : sql` AND i.team = ${team}`;
      const rows = await sql<{
        textHash: string;
        count: number | string;
        lastSeen: number | string;
        text: string | null;
        verdict: Gap["verdict"];
      }>`SELECT g.text_hash AS "textHash", count(*) AS count, max(g.at) AS "lastSeen",
                (SELECT i.text FROM triages i WHERE i.text_hash = g.text_hash${innerTeam}
                   ORDER BY i.at DESC LIMIT 1) AS text,
                (SELECT i.verdict FROM triages i WHERE i.text_hash = g.text_hash${innerTeam}
                   ORDER BY i.at DESC LIMIT 1) AS verdict
         FROM triages g WHERE g.at >= ${since} AND g.verdict IN ('none', 'possible')${teamOnly}
         GROUP BY g.text_hash ORDER BY count(*) DESC, max(g.at) DESC LIMIT ${limit}`.execute(db);
      return rows.rows.map((r) => ({
        textHash: r.textHash,
        count: Number(r.count),
        lastSeen: Number(r.lastSeen),
        text: r.text,
        verdict: r.verdict,
      }));
    },
    async channelSettings(channel) {
      const row = await db
        .selectFrom("channel_settings")
        .select(settingsColumns)
        .where("channel", "=", channel)
        .executeTakeFirst();
      return row as ChannelSettings | undefined;
    },
    async setChannelSettings(s) {
      const values = {
        channel: s.channel,
        mode: s.mode,
        min_score: s.minScore,
        cooldown_minutes: s.cooldownMinutes,
        updated_by: s.updatedBy,
        updated_at: s.updatedAt,
      };
      const { channel: _, ...update } = values;
      await db
        .insertInto("channel_settings")
        .values(values)
        .onConflict((oc) => oc.column("channel").doUpdateSet(update))
        .execute();
    },
    async listChannelSettings() {
      const rows = await db
        .selectFrom("channel_settings")
        .select(settingsColumns)
        .orderBy("updated_at", "desc")
        .limit(50)
        .execute();
      return rows as ChannelSettings[];
    },
    async saveInstallation(row) {
      const values = {
        id: row.id,
        team_id: row.teamId,
        enterprise_id: row.enterpriseId,
        is_enterprise_install: row.isEnterpriseInstall ? 1 : 0,
        bot_user_id: row.botUserId,
        bot_id: row.botId,
        scopes: row.scopes,
        sealed: row.sealed,
        installed_at: row.installedAt,
        updated_at: row.updatedAt,
      };
      const { id: _, installed_at: __, ...update } = values;
      await db
        .insertInto("installations")
        .values(values)
        .onConflict((oc) => oc.column("id").doUpdateSet(update))
        .execute();
    },
    async installation(id) {
      const row = await db.selectFrom("installations").selectAll().where("id", "=", id).executeTakeFirst();
      if (!row) return undefined;
      return {
        id: row.id,
        teamId: row.team_id,
        enterpriseId: row.enterprise_id,
        isEnterpriseInstall: Number(row.is_enterprise_install) === 1,
        botUserId: row.bot_user_id,
        botId: row.bot_id,
        scopes: row.scopes,
        sealed: row.sealed,
        installedAt: Number(row.installed_at),
        updatedAt: Number(row.updated_at),
      };
    },
    async deleteInstallation(id) {
      const result = await db.deleteFrom("installations").where("id", "=", id).executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    },
    async ping() {
      const answer = sql<{ one: number }>`SELECT 1 AS one`.execute(db).then(
        (r) => Number(r.rows[0]?.one) === 1,
        () => false,
      );
      const late = new Promise<boolean>((resolve) => setTimeout(resolve, 3_000, false).unref());
      return Promise.race([answer, late]);
    },
    async purge(days, now = Date.now()) {
      // Feedback and escalations go with their triage (ON DELETE CASCADE).
      const result = await db
        .deleteFrom("triages")
        .where("at", "<", now - days * DAY)
        .executeTakeFirst();
      return Number(result.numDeletedRows);
    },
    close,
  };
}
