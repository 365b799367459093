import { randomBytes } from "node:crypto";
import type { Installation } from "@slack/oauth";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createInstallationStore } from "../../src/slack/installations.js";
import { createSealer } from "../../src/store/seal.js";
import { openMemoryStore } from "../../src/store/sqlite-store.js";
import type { TriageStore } from "../../src/store/store.js";

const workspaceInstall = (team: string): Installation<"v2", false> => ({
  team: { id: team, name: "Second Co" },
  enterprise: undefined,
  user: { token: undefined, scopes: undefined, id: "U0ADMIN001" },
  bot: {
    token: `xoxb-${team}-secret`,
    scopes: ["chat:write", "commands"],
    id: "B0BOT00001",
    userId: "U0BOT00001",
  },
  appId: "A0KBTRIAGE",
  isEnterpriseInstall: false,
  authVersion: "v2",
});

let store: TriageStore;
const sealer = createSealer([randomBytes(32)]);
beforeEach(async () => {
  store = await openMemoryStore();
});
afterEach(async () => {
  await store.close();
});

describe("the installation store", () => {
  it("stores an installation sealed and gives it back whole", async () => {
    const installations = createInstallationStore(store, sealer);
    await installations.storeInstallation(workspaceInstall("T0SECOND01"));
    const row = await store.installation("T0SECOND01");
    expect(row).toMatchObject({
      teamId: "T0SECOND01",
      botUserId: "U0BOT00001",
      scopes: "chat:write,commands",
    });
    expect(row?.sealed).not.toContain("secret");
    const back = await installations.fetchInstallation({
      teamId: "T0SECOND01",
      enterpriseId: undefined,
      isEnterpriseInstall: false,
    });
    expect(back.bot?.token).toBe("xoxb-T0SECOND01-secret");
  });

  it("refuses a workspace it has no installation for", async () => {
    const installations = createInstallationStore(store, sealer);
    await expect(
      installations.fetchInstallation({
        teamId: "T0NOWHERE1",
        enterpriseId: undefined,
        isEnterpriseInstall: false,
      }),
    ).rejects.toThrow(/not installed in T0NOWHERE1/);
  });

  it("sees another replica's uninstall within its few seconds of cache", async () => {
    let now = 1_000_000;
    const replicaA = createInstallationStore(store, sealer, { now: () => now });
    const replicaB = createInstallationStore(store, sealer, { now: () => now });
    await replicaA.storeInstallation(workspaceInstall("T0SECOND01"));
    await replicaA.fetchInstallation({
      teamId: "T0SECOND01",
      enterpriseId: undefined,
      isEnterpriseInstall: false,
    });
    await replicaB.deleteInstallation({
      teamId: "T0SECOND01",
      enterpriseId: undefined,
      isEnterpriseInstall: false,
    });
    now += 6_000;
    await expect(
      replicaA.fetchInstallation({
        teamId: "T0SECOND01",
        enterpriseId: undefined,
        isEnterpriseInstall: false,
      }),
    ).rejects.toThrow();
  });

  it("serves a workspace of an org from the org-wide installation", async () => {
    const installations = createInstallationStore(store, sealer);
    await installations.storeInstallation({
      team: undefined,
      enterprise: { id: "E0ORG00001", name: "Org" },
      user: { token: undefined, scopes: undefined, id: "U0ADMIN001" },
      bot: { token: "xoxb-org-secret", scopes: ["chat:write"], id: "B0BOT00001", userId: "U0BOT00001" },
      isEnterpriseInstall: true,
      authVersion: "v2",
    } as Installation<"v2", true>);
    const found = await installations.fetchInstallation({
      teamId: "T0MEMBER01",
      enterpriseId: "E0ORG00001",
      isEnterpriseInstall: true,
    });
    expect(found.bot?.token).toBe("xoxb-org-secret");
    const viaTeam = await installations.fetchInstallation({
      teamId: "T0MEMBER02",
      enterpriseId: "E0ORG00001",
      isEnterpriseInstall: false,
    });
    expect(viaTeam.bot?.token).toBe("xoxb-org-secret");
  });
});
