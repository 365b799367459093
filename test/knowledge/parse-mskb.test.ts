import { existsSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { decodeKnowledgeFile } from "../../src/knowledge/decode.js";
import { parseMskb } from "../../src/knowledge/parse-mskb.js";

const fixture = (name: string) =>
  decodeKnowledgeFile(readFileSync(new URL(`../fixtures/mskb/${name}`, import.meta.url))).text;
const parse = (name: string) => parseMskb(fixture(name), name);
const codes = (result: ReturnType<typeof parse>) =>
  result.problems.map((p) => `${p.severity}:${p.code}:${p.line}`);

describe("parseMskb on a complete article", () => {
  const { article, problems } = parse("complete.txt");

  it("reads the header lines", () => {
    expect(problems).toEqual([]);
    expect(article?.id).toBe("KF0001");
    expect(article?.format).toBe("mskb");
    expect(article?.title).toBe("PRINT: Badge Printer Reports Ribbon Error After Driver Update");
    expect(article?.meta).toMatchObject({
      date: "03-MAR-2025",
      category: "printing",
      product: "Contoso Badge Printer",
      prodVer: "win:2.1,2.2",
      operSys: "WINDOWS",
    });
  });

  it("takes products from the applies-to list, joining wrapped items", () => {
    expect(article?.products).toEqual([
      "Contoso Badge Printer driver, versions 2.1, 2.2",
      "Contoso Badge Studio for Windows, all versions released before the spring 2025 update",
    ]);
  });

  it("joins the wrapped lines of the quoted message into one error", () => {
    expect(article?.errors).toEqual([
      "Badge Studio could not print the job on <printername>. The ribbon cartridge is not recognised (code 0x4C21).",
    ]);
  });

  it("keeps the quoted message inside the unwrapped symptoms text", () => {
    expect(article?.symptoms).toBe(
      "After you update the badge printer driver, printing a visitor badge stops at the first card and you receive the following error message:\n\n" +
        "   Badge Studio could not print the job on <printername>. The ribbon cartridge is not recognised (code 0x4C21).\n\n" +
        "The printer status light stays amber until the printer is switched off.",
    );
  });

  it("unwraps paragraphs but keeps numbered steps and indented commands", () => {
    expect(article?.cause).toBe(
      "Driver 2.2 expects ribbon cartridges with the newer chip. Older cartridges report an unknown type, and the driver refuses them.",
    );
    expect(article?.resolution).toBe(
      [
        "To resolve this problem, follow these steps:",
        "1. Open Badge Studio, click Tools, and then click Printer Maintenance.",
        "2. Click Ribbon, select Legacy cartridge support, and then click Apply. If the option is greyed out, sign in as an administrator first.",
        "3. Print a test card:",
        '      badgectl print --test --printer "Front Desk"',
        "For more help, call the facilities desk.",
      ].join("\n\n"),
    );
  });

  it("keeps an unknown heading as a sub-heading of the section it follows", () => {
    expect(article?.status).toBe("The vendor has confirmed this to be a problem in driver 2.2.");
    expect(article?.moreInfo).toBe(
      "The chip on the new cartridges also reports how many cards remain.\n\nSteps to Reproduce\n\n1. Install driver 2.2.\n2. Insert an old cartridge.",
    );
  });

  it("reads query words and the keyword footer, and drops what follows it", () => {
    expect(article?.queryWords).toEqual(["badge", "ribbon", "cartridge", "amber", "light"]);
    expect(article?.keywords).toEqual(["kberrmsg", "kbprint", "kbdriver"]);
    expect(article?.meta).toMatchObject({
      technology: "kbBadgeStudio",
      issueType: "kbbug",
      solutionType: "kbfix",
    });
    expect(JSON.stringify(article)).not.toContain("written for the kb-triage test suite");
    expect(article?.workaround).toBe("");
  });

  it("gives the same article for CRLF line endings", () => {
    const crlf = parseMskb(fixture("complete.txt").replace(/\n/g, "\r\n"), "complete.txt");
    expect(crlf).toEqual(parseMskb(fixture("complete.txt"), "complete.txt"));
  });
});

describe("parseMskb on incomplete articles", () => {
  it("loads an article without CAUSE and warns at the SYMPTOMS heading", () => {
    const result = parse("no-cause.txt");
    expect(result.article?.cause).toBe("");
    expect(result.article?.errors).toEqual(["Your session has expired. Please reconnect to Guest-WiFi."]);
    expect(codes(result)).toEqual(["warning:missing-cause:5"]);
  });

  it("uses the WORKAROUND as the resolution when RESOLUTION is empty", () => {
    const result = parse("workaround-only.txt");
    expect(result.problems).toEqual([]);
    expect(result.article?.resolution).toBe(
      "Remove the shared mailbox from the account settings, restart the client, and add the mailbox again.",
    );
    expect(result.article?.workaround).toBe(result.article?.resolution);
  });

  it("loads what it can of a truncated file and reports what is missing", () => {
    const result = parse("truncated.txt");
    expect(result.article?.id).toBe("KF0001");
    expect(result.article?.symptoms).toBe("After you update the badge printer driver, printing a");
    expect(codes(result)).toEqual(["warning:missing-cause:17", "warning:missing-resolution:17"]);
  });

  it("reports every problem of a file without header or sections, with lines", () => {
    const result = parseMskb("Just some notes\nabout a printer.\n\nCAUSE\n\nunknown\n", "notes.txt");
    expect(result.article).toBeNull();
    expect(codes(result)).toEqual([
      "error:missing-document-header:1",
      "warning:missing-title:1",
      "error:missing-symptoms:1",
      "warning:missing-cause:1",
      "warning:missing-resolution:1",
      "warning:heading-not-underlined:4",
    ]);
    expect(result.problems.every((p) => p.file === "notes.txt")).toBe(true);
  });

  it("refuses an id that cannot be one", () => {
    const result = parseMskb(
      "DOCUMENT:../../etc  01-JAN-2025\nTITLE   :x\n\nSYMPTOMS\n========\n\ntext\n",
      "x.txt",
    );
    expect(result.article).toBeNull();
    expect(codes(result)).toContain("error:bad-id:1");
  });

  it("reports an empty SYMPTOMS section as an error", () => {
    const result = parseMskb(
      "DOCUMENT:KF9  01-JAN-2025\nTITLE   :x\n\nSYMPTOMS\n========\n\nCAUSE\n=====\n\nc\n\nRESOLUTION\n==========\n\nr\n",
      "x.txt",
    );
    expect(result.article).toBeNull();
    expect(codes(result)).toEqual(["error:empty-symptoms:4"]);
  });
});

describe("parseMskb quoted messages", () => {
  it("gives one message per block after a plural intro, skipping '-or-'", () => {
    const { article } = parse("several-messages.txt");
    expect(article?.errors).toEqual([
      "The VPN server did not respond. Check your internet connection and try again.",
      "Authentication failed: your certificate has been revoked (error 4012).",
      "Connection reset by gateway vpn-gw-01.",
      "Split tunnelling is disabled by policy.",
    ]);
  });

  it("splits messages named by short sub-intros, and alternatives separated by -or-", () => {
    const text = [
      "DOCUMENT:KF13  01-JAN-2025",
      "TITLE   :x",
      "",
      "SYMPTOMS",
      "========",
      "",
      "When you open the portal, you receive the following error message:",
      "",
      "Portal version 4:",
      "",
      "   The portal cannot be opened.",
      "   The certificate is invalid.",
      "",
      "Portal version 5:",
      "",
      "   The page cannot be displayed.",
      "",
      "If you click Details, the following error message is displayed:",
      "",
      "   Module PORTAL.DLL failed at 0004:06fe.",
      "",
      "   -or-",
      "",
      "   Module PORTAL.DLL failed at 0005:01aa.",
      "",
      "The log then contains the following text:",
      "",
      "   portal stopped",
      "",
    ].join("\n");
    expect(parseMskb(text, "x.txt").article?.errors).toEqual([
      "The portal cannot be opened. The certificate is invalid.",
      "The page cannot be displayed.",
      "Module PORTAL.DLL failed at 0004:06fe.",
      "Module PORTAL.DLL failed at 0005:01aa.",
    ]);
  });

  it("takes a message at a list item's text column after a singular intro in that item", () => {
    const text = [
      "DOCUMENT:KF14  01-JAN-2025",
      "TITLE   :x",
      "",
      "SYMPTOMS",
      "========",
      "",
      " - Pressing F1 displays the following error message:",
      "",
      "   Cannot find the help file PORTAL.HLP.",
      "",
      "   Help then closes.",
      "",
      " - Items in a bulleted quote are messages of their own after a plural intro:",
      "",
    ].join("\n");
    expect(parseMskb(text, "x.txt").article?.errors).toEqual(["Cannot find the help file PORTAL.HLP."]);
  });

  it("reads an intro whose words are split by a deliberate line break, and labels underlined with dashes", () => {
    const text = [
      "DOCUMENT:KF15  01-JAN-2025",
      "TITLE   :x",
      "",
      "SYMPTOMS",
      "========",
      "",
      "When you run the NET VIEW command you receive one of the following error messages",
      "\\\\<server>, where <server> is remote:",
      "",
      "Windows client",
      "--------------",
      "",
      "   System error 53 has occurred.",
      "",
      "Mac client",
      "----------",
      "",
      "   The server cannot be found.",
      "",
    ].join("\n");
    expect(parseMskb(text, "x.txt").article?.errors).toEqual([
      "System error 53 has occurred.",
      "The server cannot be found.",
    ]);
  });

  it("does not take an indented block after an intro that speaks of no message", () => {
    const text =
      "DOCUMENT:KF10  01-JAN-2025\nTITLE   :x\n\nSYMPTOMS\n========\n\nThe log shows these lines:\n\n   started\n   stopped\n";
    expect(parseMskb(text, "x.txt").article?.errors).toEqual([]);
  });

  it("accepts a heading underlined with dashes or after a blank line for known section names", () => {
    const text =
      "DOCUMENT:KF11  01-JAN-2025\nTITLE   :x\n\nSYMPTOMS\n\n========\n\nIt fails.\n\nCAUSE\n-----\n\nA bug.\n\nRESOLUTION\n==========\n\nUpdate.\n";
    const result = parseMskb(text, "x.txt");
    expect(result.problems).toEqual([]);
    expect(result.article).toMatchObject({ symptoms: "It fails.", cause: "A bug.", resolution: "Update." });
  });
});

describe("parseMskb line unwrapping", () => {
  it("keeps short command lines apart even when they start in lower case", () => {
    const text =
      "DOCUMENT:KF12  01-JAN-2025\nTITLE   :x\n\nSYMPTOMS\n========\n\nIt fails.\n\nRESOLUTION\n==========\n\n" +
      "Run these commands, one after the other, in an elevated command prompt:\n\n" +
      "   net use Z: /delete\n   net use Z: \\\\fs01\\share /persistent:yes\n";
    expect(parseMskb(text, "x.txt").article?.resolution).toBe(
      "Run these commands, one after the other, in an elevated command prompt:\n\n" +
        "   net use Z: /delete\n   net use Z: \\\\fs01\\share /persistent:yes",
    );
  });
});

describe("parseMskb text decoding", () => {
  it("decodes Windows-1252 bytes to the right characters, never U+FFFD", () => {
    const { article } = parse("windows-1252.txt");
    expect(article?.title).toBe("OFFICE: Café Menu Add-in Shows \u201cLicence Expired\u201d");
    expect(article?.errors).toEqual([
      "The licence for Café Menu® has expired \u2013 contact your administrator.",
    ]);
    expect(article?.cause).toBe("The add-in\u2019s licence server moved.");
    expect(JSON.stringify(article)).not.toContain("\ufffd");
  });

  it("strips a UTF-8 byte order mark", () => {
    const bytes = Buffer.concat([
      Buffer.from([0xef, 0xbb, 0xbf]),
      readFileSync(new URL("../fixtures/mskb/complete.txt", import.meta.url)),
    ]);
    expect(parseMskb(decodeKnowledgeFile(bytes).text, "bom.txt").article?.id).toBe("KF0001");
  });
});

// The reference article of the product brief; ../shared sits beside the clone in CI.
const seed = new URL("../../../shared/kb-dev/seed/Q263411.TXT", import.meta.url);
describe.runIf(existsSync(seed))("parseMskb on the reference article Q263411", () => {
  it("parses it exactly", () => {
    const { article, problems } = parseMskb(decodeKnowledgeFile(readFileSync(seed)).text, "Q263411.TXT");
    expect(problems).toEqual([]);
    expect(article).toMatchObject({
      id: "Q263411",
      title: "SMS: Can't Upgrade Client to SP2 w/ SMSMan from Logon Point",
      products: ["Microsoft Systems Management Server versions 2.0, 2.0 SP1, 2.0 SP2"],
      errors: ["Unable to complete the installation process."],
      resolution: "Allow the workstations to be upgraded through the normal CCIM maintenance cycle.",
      workaround: "",
      queryWords: ["prodsms"],
      keywords: ["kbsms200bug", "kbsms200preSP3"],
    });
    expect(article?.cause).toMatch(
      /^Running the SMSMan utility from a Logon Point does not upgrade a client workstation/,
    );
    expect(article?.cause).toContain("\n\nBecause client upgrade should only be initiated");
    expect(JSON.stringify(article)).not.toMatch(/AS IS|Copyright/);
  });
});
