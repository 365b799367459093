/**
 * Bolt's installation store on the triage database: one row per workspace (or per org for an org-wide
 * install), the installation Bolt gives sealed with ENCRYPTION_KEY, so a copy of the database does not hand
 * out bot tokens. Bolt fetches the installation for every event: recently used ones are kept in memory for
 * a few seconds (a token revoked meanwhile fails at Slack, which is what would happen anyway).
 */
import type { Installation, InstallationQuery, InstallationStore } from "@slack/oauth";
import type { Sealer } from "../store/seal.js";
import type { TriageStore } from "../store/store.js";

// Short: an uninstall or reinstall handled by another replica reaches this one's cache within seconds.
const CACHE_MS = 5_000;
const CACHE_MAX = 1_000;

export interface TriageInstallationStore extends InstallationStore {
  deleteInstallation(query: InstallationQuery<boolean>): Promise<void>;
  /** The installation's row id for an installation or a query: the org for org-wide installs, else the team. */
  idFor(query: {
    teamId?: string | undefined;
    enterpriseId?: string | undefined;
    isEnterpriseInstall?: boolean;
  }): string;
}

export function createInstallationStore(
  store: TriageStore,
  sealer: Sealer,
  options: { now?: () => number } = {},
): TriageInstallationStore {
  const now = options.now ?? Date.now;
  const cache = new Map<string, { installation: Installation; at: number }>();

  const idFor: TriageInstallationStore["idFor"] = (q) => {
    const id = q.isEnterpriseInstall && q.enterpriseId ? q.enterpriseId : (q.teamId ?? q.enterpriseId);
    if (!id) throw new Error("an installation needs a team or an enterprise id");
    return id;
  };

  const load = async (id: string): Promise<Installation | undefined> => {
    const hit = cache.get(id);
    if (hit && now() - hit.at < CACHE_MS) return hit.installation;
    const row = await store.installation(id);
    if (!row) {
      cache.delete(id);
      return undefined;
    }
    const installation = JSON.parse(sealer.open(row.sealed)) as Installation;
    if (cache.size >= CACHE_MAX) cache.delete(cache.keys().next().value as string);
    cache.set(id, { installation, at: now() });
    return installation;
  };

  return {
    idFor,
    async storeInstallation(installation) {
      const id = idFor({
        teamId: installation.team?.id,
        enterpriseId: installation.enterprise?.id,
        isEnterpriseInstall: installation.isEnterpriseInstall === true,
      });
      const at = now();
      await store.saveInstallation({
        id,
        teamId: installation.team?.id ?? null,
        enterpriseId: installation.enterprise?.id ?? null,
        isEnterpriseInstall: installation.isEnterpriseInstall === true,
        botUserId: installation.bot?.userId ?? null,
        botId: installation.bot?.id ?? null,
        scopes: installation.bot?.scopes.join(",") ?? null,
        sealed: sealer.seal(JSON.stringify(installation)),
        installedAt: at,
        updatedAt: at,
      });
      cache.delete(id);
    },
    async fetchInstallation(query: InstallationQuery<boolean>) {
      const id = idFor(query);
      // A workspace of an org where the app was installed org-wide has no row of its own.
      const installation =
        (await load(id)) ??
        (query.enterpriseId && query.enterpriseId !== id ? await load(query.enterpriseId) : undefined);
      if (!installation) throw new Error(`kb-triage is not installed in ${id}`);
      return installation;
    },
    async deleteInstallation(query: InstallationQuery<boolean>) {
      const id = idFor(query);
      cache.delete(id);
      await store.deleteInstallation(id);
    },
  };
}
