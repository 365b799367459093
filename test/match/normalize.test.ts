import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  canonicalCode,
  extractErrorCodes,
  MAX_PASTE_CHARS,
  maskVariables,
  normalizePaste,
} from "../../src/match/normalize.js";

/** What Slack does to the text of a message before the bot sees it. */
function slackEscape(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/** Each paste as typed and as Slack delivers it. */
function bothForms(paste: string): [string, string][] {
  return [
    ["as typed", paste],
    ["Slack-escaped", slackEscape(paste)],
  ];
}

describe("normalizePaste: paste shapes", () => {
  const shapes: { shape: string; paste: string; text: string; caption?: string; codes?: string[] }[] = [
    {
      shape: "a bare one-line message is kept as it is",
      paste: "The print spooler service terminated unexpectedly.",
      text: "The print spooler service terminated unexpectedly.",
    },
    {
      shape: "HTML-escaped characters in the message come back",
      paste: `Can't open "R&D Budget.xlsx" because <Q4> is locked`,
      text: `Can't open "R&D Budget.xlsx" because ⟨var⟩ is locked`,
    },
    {
      shape: "a fenced block with a chatty lead-in keeps only the block",
      paste:
        "getting this when I open the shared calendar:\n```\nThe delegate list could not be loaded.\n```",
      text: "The delegate list could not be loaded.",
    },
    {
      shape: "a fence with a language tag drops the tag",
      paste: "ugh, again:\n```text\nVolume shadow copy creation failed.\n```\nany ideas?",
      text: "Volume shadow copy creation failed.",
    },
    {
      shape: "a one-line fence keeps its content",
      paste: "```Printer driver package could not be staged.```",
      text: "Printer driver package could not be staged.",
    },
    {
      shape: "a fence after the message's lines joins them with single spaces",
      paste:
        "seeing this on the kiosk PCs:\n```\nThe smart card\nreader is not\nready.\n``` happens on every login",
      text: "The smart card reader is not ready.",
    },
    {
      shape: "inline backticks around the message drop the chatter outside them",
      paste: "finance says `The template could not be found on the server.` (screenshot below)",
      text: "The template could not be found on the server.",
    },
    {
      shape: "short inline code inside a sentence is kept with its sentence",
      paste: "Setup cannot find `msxml6.dll` in the system folder.",
      text: "Setup cannot find msxml6.dll in the system folder.",
    },
    {
      shape: "a quote with a question after it keeps the quote",
      paste: "> Your mailbox has exceeded its storage limit.\nhow can we fix this?",
      text: "Your mailbox has exceeded its storage limit.",
    },
    {
      shape: "a quoted message broken over lines is joined",
      paste: "> The license server could not\nbe contacted. Working offline.\nanyone know this one?",
      text: "The license server could not be contacted. Working offline.",
    },
    {
      shape: "chatty lines around the message are dropped",
      paste: "hi all :wave:\nVPN client failed to establish a tunnel\nanyone?\nthanks!",
      text: "VPN client failed to establish a tunnel",
    },
    {
      shape: "a one-line paste loses its chatty lead-in and tail",
      paste: "can someone look at this Scanner not detected on USB port 2 any ideas?",
      text: "Scanner not detected on USB port 2",
    },
    {
      shape: "a question lead-in and an emoji code are chatter",
      paste: "anyone seen this before? Certificate chain could not be validated :confused:",
      text: "Certificate chain could not be validated",
    },
    {
      shape: "a lead-in ending in a colon is chatter when someone is talking",
      paste: "customer in billing gets this error: Invoice batch rejected by the gateway.",
      text: "Invoice batch rejected by the gateway.",
    },
    {
      shape: "a ticket reference and a trailing remark are chatter",
      paste: "ticket #90211 - Replication link is down (see screenshot) restarted twice, no luck",
      text: "Replication link is down",
    },
    {
      shape: "a first line announcing the message is chatter",
      paste: "hey team, teams keeps saying\nWe couldn't connect you to the meeting.",
      text: "We couldn't connect you to the meeting.",
    },
    {
      shape: "the message's own heading before a colon is kept",
      paste: "Setup Error: The installer was interrupted before Contoso Agent could be installed.",
      text: "Setup Error: The installer was interrupted before Contoso Agent could be installed.",
    },
    {
      shape: "a question the dialog itself asks is kept",
      paste: "Do you want to save changes to the shared template?",
      text: "Do you want to save changes to the shared template?",
    },
    {
      shape: "a Windows message box keeps the message and reports the caption",
      paste:
        "---------------------------\nContoso Drive\n---------------------------\nThe sync folder could not be reached.\nDo you want to try again?\n---------------------------\nYes   No   Cancel\n---------------------------",
      text: "The sync folder could not be reached. Do you want to try again?",
      caption: "Contoso Drive",
    },
    {
      shape: "an ISO timestamp and level are a log prefix",
      paste: "2023-11-02 08:15:30,551 ERROR Lease renewal failed for scope 12",
      text: "Lease renewal failed for scope 12",
    },
    {
      shape: "a US timestamp, level, pid and thread are a log prefix",
      paste: "11/02/2023 8:15:30 AM WARN 4412 --- [pool-2-thread-7] Cache warmup took too long",
      text: "Cache warmup took too long",
    },
    {
      shape: "a bracketed time is a log prefix",
      paste: "[08:15:30] FATAL Journal file is corrupt",
      text: "Journal file is corrupt",
    },
    {
      shape: "a syslog host and tag are a log prefix",
      paste: "Nov  2 08:15:30 fw-edge-2 ipsecd[2231]: E tunnel negotiation timed out",
      text: "tunnel negotiation timed out",
    },
    {
      shape: "the log prefix of every line goes",
      paste:
        "2023-11-02T08:15:30Z ERROR Backup job failed:\n2023-11-02T08:15:31Z ERROR target disk is read-only",
      text: "Backup job failed: target disk is read-only",
    },
    {
      shape: "an upper-case level that starts the message is kept",
      paste: "ERROR: Could not reach the activation server.",
      text: "ERROR: Could not reach the activation server.",
    },
    {
      shape: "a hyphenated line break is joined like any other",
      paste: "Error: R6031 -\nRuntime checks aborted the widget host",
      text: "Error: R6031 - Runtime checks aborted the widget host",
      codes: ["R6031"],
    },
    {
      shape: "stack frames under an exception are dropped",
      paste:
        "System.IO.IOException: The journal is locked by another writer\n   at System.IO.FileStream.Init(String path)\n   at Contoso.Agent.Run()",
      text: "System.IO.IOException: The journal is locked by another writer",
    },
  ];

  for (const s of shapes) {
    describe(s.shape, () => {
      it.each(bothForms(s.paste))("%s", (_form, paste) => {
        const r = normalizePaste(paste);
        expect(r.text).toBe(s.text);
        expect(r.caption).toBe(s.caption ?? "");
        if (s.codes) expect(r.codes).toEqual(s.codes);
        expect(r.truncated).toBe(false);
      });
    });
  }
});

describe("normalizePaste: conservative with words that belong to the message", () => {
  it.each([
    "Disk read failed (I/O error)",
    "The operation failed (try again later)",
    "Getting updates failed: 0x80244022",
    "Please help us improve Contoso Notes: send feedback",
    "Team Foundation Server: the build agent is offline",
    "My Documents: access denied",
    "Hello.exe has stopped working",
    "Thank you for waiting. The update is still pending",
    "Are you sure you want to remove this device?",
    "(0x80070002) Contoso Updater could not locate its manifest",
    "Error: Unable to mount volume E: because it is in use",
  ])("keeps %j whole", (message) => {
    for (const [, paste] of bothForms(message)) {
      expect(normalizePaste(paste).text).toBe(maskVariables(message));
    }
  });
});

describe("normalizePaste: Slack markup", () => {
  it("replaces a link by its label", () => {
    expect(normalizePaste("Open <https://status.example.com/x|the status page> and retry").text).toBe(
      "Open the status page and retry",
    );
  });

  it("masks a link without a label as a url", () => {
    expect(normalizePaste("Could not load <https://intranet.example.com/app?id=4&amp;x=1>").text).toBe(
      "Could not load ⟨url⟩",
    );
  });

  it("keeps the address of a mailto link, masked", () => {
    expect(normalizePaste("Delivery to <mailto:ops@example.com|ops@example.com> failed").text).toBe(
      "Delivery to ⟨email⟩ failed",
    );
  });

  it("drops user, channel and group mentions", () => {
    const paste =
      "<!here> <@U02ABCDEF> <!subteam^S0123ABC|@desk> see <#C0123ABCD|it-help>:\n```\nMailbox move stalled at 95%\n```";
    expect(normalizePaste(paste).text).toBe("Mailbox move stalled at 95%");
    expect(normalizePaste("<!channel> Badge reader offline <@U02ABCDEF>").text).toBe("Badge reader offline");
  });

  it("decodes entities escaped twice", () => {
    expect(normalizePaste("Token &amp;lt;expired&amp;gt; for app").text).toBe("Token ⟨var⟩ for app");
  });

  it("keeps a literal placeholder that is not Slack markup", () => {
    expect(normalizePaste("Cannot connect to <server name>.").text).toBe("Cannot connect to ⟨var⟩.");
  });
});

describe("normalizePaste: cut-off pastes and limits", () => {
  it.each([
    ["three dots", "The configuration file for the reporting service is missing or..."],
    ["an ellipsis character", "The configuration file for the reporting service is missing or…"],
    [
      "dots inside a fence",
      "help:\n```\nThe configuration file for the reporting service is missing or...\n```",
    ],
    [
      "dots before chatter",
      "&gt; The configuration file for the reporting service is missing or...\nany idea?",
    ],
  ])("marks a paste ending in %s as cut off", (_name, paste) => {
    const r = normalizePaste(paste);
    expect(r.cutOff).toBe(true);
    expect(r.text).toBe("The configuration file for the reporting service is missing or");
  });

  it("does not mark dots inside the message", () => {
    const r = normalizePaste("Retrying in 30 seconds... attempt 2 of 5");
    expect(r.cutOff).toBe(false);
    expect(r.text).toBe("Retrying in 30 seconds... attempt 2 of 5");
  });

  it("cuts a huge paste to the limit and says so", () => {
    const r = normalizePaste(`Error 1603 ${"x".repeat(2_000_000)}`);
    expect(r.truncated).toBe(true);
    expect(r.text.length).toBeLessThanOrEqual(MAX_PASTE_CHARS);
    expect(r.codes).toEqual(["ERROR 1603"]);
  });

  it("returns empty text when only chatter is left", () => {
    for (const paste of [
      "",
      "   \n ",
      "thanks!",
      "anyone anyone know this one?",
      ":confused: :pray:",
      "hey team,",
      "<@U02ABCDEF>",
    ]) {
      expect(normalizePaste(paste).text).toBe("");
    }
  });
});

describe("maskVariables", () => {
  it("makes concrete values and the KB's placeholders compare alike", () => {
    expect(maskVariables("Access to \\\\fs01\\share was denied")).toBe(
      maskVariables("Access to \\\\<server>\\<share> was denied"),
    );
    expect(maskVariables("Cannot write to C:\\Users\\jsmith\\Documents")).toBe(
      maskVariables("Cannot write to <path>"),
    );
    expect(maskVariables("Host X.X.X.X is unreachable")).toBe(
      maskVariables("Host 192.168.10.44 is unreachable"),
    );
    expect(maskVariables("The service on <computer name> failed")).toBe(
      maskVariables("The service on <servername> failed"),
    );
    expect(maskVariables("Adapter xxxxxxxx returned %1")).toBe("Adapter ⟨var⟩ returned ⟨var⟩");
  });

  it("keeps the file name at the end of a path", () => {
    expect(maskVariables("Error reading D:\\Program Files\\Contoso Tools\\agent.dll.")).toBe(
      "Error reading ⟨path⟩\\agent.dll.",
    );
    expect(maskVariables("Error reading <drive>:\\<path>\\agent.dll")).toBe(
      "Error reading ⟨path⟩\\agent.dll",
    );
  });

  it("masks line numbers after a file name", () => {
    expect(maskVariables("grid.cpp(4818) : error C2143")).toBe("grid.cpp(⟨n⟩) : error C2143");
    expect(maskVariables("in script.vbs, line 77")).toBe("in script.vbs, line ⟨n⟩");
  });

  it("masks crash addresses but keeps codes", () => {
    expect(maskVariables("fault in module X.DLL at 0137:004650a3")).toBe("fault in module X.DLL at ⟨addr⟩");
    expect(maskVariables("Exception 0xC0000005 at 0x0041A2B3")).toBe("Exception 0xC0000005 at ⟨addr⟩");
  });

  it("masks guids, addresses, dates, times, e-mail, urls and accounts", () => {
    expect(
      maskVariables(
        "{6F9619FF-8B86-D011-B42D-00C04FC964FF} fe80::1ff:fe23:4567:890a 3/12/2024 14:05:09 j.doe@example.org https://a.example.com/x CONTOSO\\jdoe",
      ),
    ).toBe("⟨guid⟩ ⟨ip⟩ ⟨date⟩ ⟨time⟩ ⟨email⟩ ⟨url⟩ ⟨user⟩");
  });

  it("leaves error codes, versions and ordinary words alone", () => {
    const text =
      "Error 0x80070005 (80004005) ORA-12154 AADSTS50058 version 10.0.19045 in the Windows\\System folder";
    expect(maskVariables(text)).toBe(text);
  });
});

describe("extractErrorCodes and canonicalCode", () => {
  it.each([
    ["0x80070005", ["0x80070005"]],
    ["hr=80004005 while saving", ["0x80004005"]],
    ["Error 1603: Fatal error during installation", ["ERROR 1603"]],
    ["failed with error 0x800f081f", ["0x800F081F"]],
    ["ORA-12154: could not resolve", ["ORA-12154"]],
    ["token endpoint answered AADSTS50058", ["AADSTS50058"]],
    ["connect ECONNREFUSED 127.0.0.1:5432", ["ECONNREFUSED"]],
    ["HTTP 404 from upstream", ["HTTP 404"]],
    ["GET /api returned 503 Service Unavailable", ["HTTP 503"]],
    ["STOP 0x0000007B after the storage driver update", ["0x0000007B"]],
    ["Event ID 4625 An account failed to log on", ["EVENT 4625"]],
    ["SQLSTATE[28000]: Invalid authorization", ["SQLSTATE 28000"]],
    ["runtime error R6034", ["R6034"]],
    ["[WinError 10061] No connection could be made", ["ERROR 10061"]],
    ["Installer returned error code 1618", ["ERROR 1618"]],
    ["Run-time error '-2147024891 (80070005)'", ["0x80070005"]],
    ["status: STATUS_ACCESS_VIOLATION", ["STATUS_ACCESS_VIOLATION"]],
  ])("finds the code in %j", (text, codes) => {
    expect(extractErrorCodes(text)).toEqual(codes);
  });

  it("does not take bare numbers, years, versions or addresses for codes", () => {
    expect(
      extractErrorCodes("Disk 2 of 4 has 1024 sectors, build 2019, Office 2016, version 16.0.4266"),
    ).toEqual([]);
    expect(extractErrorCodes("The instruction at 0x77f76274 referenced memory at 0x00000000")).toEqual([]);
    expect(extractErrorCodes("{C0FFEE12-1234-4321-ABCD-0123456789AB}")).toEqual([]);
  });

  it("deduplicates in order of appearance", () => {
    expect(extractErrorCodes("0x80070005 then ERROR 5 then 80070005 then error 5")).toEqual([
      "0x80070005",
      "ERROR 5",
    ]);
  });

  it("gives one string for one code written several ways", () => {
    const forms = [
      ["0x80070005", "0X80070005", "80070005", "&H80070005", "-2147024891"],
      ["STOP 0x0000007B", "0x7b", "0x0000007b"],
      ["Error 1603", "error: 1603", "ERROR 1603", "error code 01603", "WinError 1603"],
      ["Event ID 4625", "EventID: 4625", "event 4625"],
      ["ora-12154", "ORA-12154"],
      ["404 Not Found", "HTTP/1.1 404", "HTTP 404"],
    ];
    for (const group of forms) {
      const canon = group.map(canonicalCode);
      expect(new Set(canon).size).toBe(1);
      expect(canonicalCode(canon[0] ?? "")).toBe(canon[0]);
    }
  });

  it("keeps the codes of the message in normalizePaste", () => {
    const r = normalizePaste(
      "ticket #4711 - `Install failed with error 0x80070643 (Event ID 11708)` pls help",
    );
    expect(r.codes).toEqual(["0x80070643", "EVENT 11708"]);
  });
});

describe("properties", () => {
  // Strings built from the pieces pastes are made of, so the structural rules are exercised.
  const piece = fc.oneof(
    fc.string({ maxLength: 6 }),
    fc.constantFrom(
      "```",
      "`",
      "\n",
      "> ",
      "&gt; ",
      "&amp;",
      "&lt;",
      "---------------------------\n",
      "OK\n",
      "2024-01-05 10:11:12 ERROR ",
      "[10:11:12] ",
      "Jan  5 10:11:12 host-1 app[12]: ",
      "hey team, ",
      "anyone anyone know this one? ",
      "thanks!",
      ":sweat_smile:",
      "(screenshot below)",
      "fyi seeing ",
      "can someone look at this ",
      "<@U0ABCDEF>",
      "<https://x.example/a|label>",
      "<server name>",
      "C:\\Users\\jdoe\\a.txt ",
      "\\\\srv01\\share ",
      "0x80070005 ",
      "Error 1603 ",
      "ORA-00942 ",
      "line 12 ",
      "xxxx ",
      "%1 ",
      "...",
      "…",
      "\u0000",
      "\uD800",
      "\uDFFF",
      "\u200B",
      "🤔",
      "⟨path⟩\\",
      "user@example.com ",
      "12:30 ",
    ),
  );
  const pasteLike = fc.array(piece, { maxLength: 30 }).map((parts) => parts.join(""));
  const anyString = fc.oneof(
    pasteLike,
    fc.string({ unit: "binary", maxLength: 400 }),
    fc.string({ maxLength: 400 }),
  );

  it("normalizePaste never throws and always returns the documented shape", () => {
    fc.assert(
      fc.property(anyString, (s) => {
        const r = normalizePaste(s);
        return (
          typeof r.text === "string" &&
          typeof r.caption === "string" &&
          Array.isArray(r.codes) &&
          typeof r.truncated === "boolean" &&
          typeof r.cutOff === "boolean" &&
          r.text === r.text.trim() &&
          !/\s{2}/.test(r.text)
        );
      }),
      { numRuns: 3000 },
    );
  });

  it("normalizePaste copes with empty, control-character, lone-surrogate and 1 MB input", () => {
    expect(normalizePaste("").text).toBe("");
    expect(() => normalizePaste("\u0000\u0001\u001b[31m\u007f\uD800\uDC00\uDBFF\u2028\uFEFF")).not.toThrow();
    const big = normalizePaste("Disk error ".repeat(100_000));
    expect(big.truncated).toBe(true);
    expect(big.text.length).toBeLessThanOrEqual(MAX_PASTE_CHARS);
    // Not a string at all, from an untyped caller.
    expect(normalizePaste(undefined as unknown as string).text).toBe("");
  });

  it("normalizing the normalized text changes nothing", () => {
    fc.assert(
      fc.property(anyString, (s) => {
        const once = normalizePaste(s).text;
        return normalizePaste(once).text === once;
      }),
      { numRuns: 3000 },
    );
  });

  it("maskVariables is idempotent", () => {
    fc.assert(
      fc.property(anyString, (s) => {
        const once = maskVariables(s);
        return maskVariables(once) === once;
      }),
      { numRuns: 3000 },
    );
  });

  it("every code of a paste is a code of the raw input", () => {
    fc.assert(
      fc.property(anyString, (s) => {
        const raw = new Set(extractErrorCodes(s));
        return normalizePaste(s).codes.every((c) => raw.has(c));
      }),
      { numRuns: 3000 },
    );
  });

  it("canonicalCode is idempotent on every extracted code", () => {
    fc.assert(
      fc.property(anyString, (s) => extractErrorCodes(s).every((c) => canonicalCode(c) === c)),
      { numRuns: 2000 },
    );
  });
});
